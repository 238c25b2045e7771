/**
 * A worker killed (SIGKILL) in the middle of a task during a live run: the subscriber sees the task
 * start, the crash, the redelivered task start again on another worker, and the run complete — with every
 * event seq delivered exactly once, in order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveRunClient } from '@/components/run/liveRunClient';
import type { RunEvent } from '@/lib/protocol/events';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { type Stack, startStack } from '../cluster/stack';
import { loadConfig } from '../config';
import { attachLiveServer, type LiveServer } from './liveServer';
import { RedisEventSource } from './redisEventSource';

const PREFIX = '{livecrash}';
const root = fileURLToPath(new URL('../..', import.meta.url));

function startWorker(modelServiceUrl: string): ChildProcess {
  return spawn(process.execPath, ['bin/chordflow.js', 'worker', '--concurrency', '4'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      REDIS_URL: testRedisUrl(),
      CHORDFLOW_PREFIX: PREFIX,
      MODEL_SERVICE_URL: modelServiceUrl,
      // Short locks so the stalled job is redelivered within seconds.
      CHORDFLOW_LOCK_MS: '1500',
      CHORDFLOW_STALLED_MS: '500',
      LOG_LEVEL: 'warn',
    },
  });
}

async function ready(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('is ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited early (code ${code}): ${out}`)));
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('live run across a worker crash', () => {
  let stack: Stack;
  let http: Server;
  let live: LiveServer;
  let source: RedisEventSource;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    const config = {
      ...loadConfig({ ...process.env, REDIS_URL: testRedisUrl() }),
      keyPrefix: PREFIX,
      modelServicePort: 0,
    };
    stack = await startStack({ config, startLocalRedis: false, startModelService: true, workers: 0 });
    source = new RedisEventSource(stack.redis!, testRedisUrl(), PREFIX);
    http = createServer();
    live = await attachLiveServer(http, { log: source, notifier: source, pollMs: 200 });
    await new Promise<void>((resolve) => http.listen(3546, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await live.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await stack.close();
  });

  it('shows the task redelivered and the run completing', async () => {
    const first = startWorker(stack.modelServiceUrl!);
    children.push(first);
    await ready(first);

    const client = stack.client!;
    const run = await client.submit({
      file: client.parseCanvas({
        chain: [
          { task: 'delayed', args: [20], kwargs: { ms: 2500 }, id: 'slow' },
          { task: 'add', args: [22], id: 'sum' },
        ],
      }),
    });

    const seen: RunEvent[] = [];
    const sub = new LiveRunClient(
      run.id,
      { onEvents: (evs) => seen.push(...evs) },
      { url: 'http://127.0.0.1:3546' },
    );
    await until(
      () => seen.some((e) => e.type === 'task.started' && e.task_id === 'slow'),
      'the slow task to start',
    );

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const second = startWorker(stack.modelServiceUrl!);
    children.push(second);
    await ready(second);

    await until(() => seen.some((e) => e.type === 'run.finished'), 'the run to finish', 45_000);
    sub.close();

    const starts = seen.filter((e) => e.type === 'task.started' && e.task_id === 'slow');
    expect(starts.length).toBeGreaterThanOrEqual(2);
    const workers = new Set(starts.map((e) => (e as { worker: string }).worker));
    expect(workers.size).toBeGreaterThanOrEqual(2);
    const finished = seen.find((e) => e.type === 'run.finished') as Extract<
      RunEvent,
      { type: 'run.finished' }
    >;
    expect(finished.status).toBe('success');
    expect(finished.result).toBe(42);
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));
  });
});
