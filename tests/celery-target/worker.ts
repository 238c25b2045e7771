/**
 * One real Celery 5.2 worker for the `--celery` tests: the exported Python module of a canvas that names
 * every built-in and tutorial task (so the module registers them all, with Chordflow's semantics), run
 * with the threads pool and task events on (-E), on a private redis-server (broker db 0, backend db 1),
 * against the tutorial's mock model service; and a second one without events (db 4/5).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canvasFile, group, task } from '@/lib/canvas/build';
import { createCatalogue } from '@/lib/canvas/catalogue';
import { toPythonModule } from '@/lib/canvas/pythonExport';
import { type ModelService, startModelService } from '@/server/modelService/service';
import { type PrivateRedis, startPrivateRedis } from '../support/redisServer';

export const OBSERVATIONS_KEY = 'chordflow:obs';

export interface CeleryTestCluster {
  broker: string;
  backend: string;
  /** A second worker on the same module without task events (no -E): broker db 4, backend db 5. */
  quiet: { broker: string; backend: string };
  redis: PrivateRedis;
  model: ModelService;
  log(): string;
  stop(): Promise<void>;
}

/** Every task the suite's canvases use. */
const NAMES = [
  'TASK_A',
  'TASK_B',
  'TASK_C',
  'TASK_D',
  'add',
  'mul',
  'tsum',
  'xsum',
  'identity',
  'delayed',
  'add_to_all',
  'fail',
  'flaky',
  'autoflaky',
  'record',
  'on_error',
  'on_error_id',
];

export async function startCeleryTestCluster(): Promise<CeleryTestCluster> {
  const catalogue = createCatalogue();
  const redis = await startPrivateRedis();
  const model = await startModelService({ port: 0, host: '127.0.0.1' });
  const dir = mkdtempSync(join(tmpdir(), 'chordflow-celery-target-'));
  const file = canvasFile(group(...NAMES.map((n) => task(n))));
  writeFileSync(join(dir, 'cf_tasks.py'), toPythonModule(file, catalogue, { name: 'cf_tasks' }));
  const broker = `${redis.url}/0`;
  const backend = `${redis.url}/1`;
  const quiet = { broker: `${redis.url}/4`, backend: `${redis.url}/5` };
  let log = '';
  const start = async (b: string, r: string, events: boolean, name: string): Promise<ChildProcess> => {
    const args = ['-m', 'celery', '-A', 'cf_tasks', 'worker', '--pool', 'threads', '--concurrency', '6'];
    const flags = [...(events ? ['-E'] : []), '-n', `${name}@%h`, '-l', 'info'];
    const child = spawn('/usr/bin/python3', [...args, ...flags], {
      cwd: dir,
      env: {
        ...process.env,
        PYTHONPATH: dir,
        PYTHONDONTWRITEBYTECODE: '1',
        CELERY_BROKER_URL: b,
        CELERY_RESULT_BACKEND: r,
        MODEL_SERVICE_URL: `${model.url}/v1/predict`,
        CHORDFLOW_OBSERVATIONS_KEY: OBSERVATIONS_KEY,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let own = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        own += chunk.toString();
        log = (log + chunk.toString()).slice(-50_000);
        if (/@\S+ ready\./.test(own)) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code) => reject(new Error(`The Celery worker exited (${code}): ${own}`)));
    });
    return child;
  };
  const workers = await Promise.all([
    start(broker, backend, true, 'celery'),
    start(quiet.broker, quiet.backend, false, 'quiet'),
  ]);
  return {
    broker,
    backend,
    quiet,
    redis,
    model,
    log: () => log,
    async stop() {
      for (const worker of workers) {
        if (worker.exitCode !== null || worker.signalCode !== null) continue;
        const exited = new Promise<void>((r) => worker.once('exit', () => r()));
        worker.kill('SIGTERM');
        const hard = setTimeout(() => worker.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(hard);
      }
      await model.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
