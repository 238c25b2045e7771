import { parseArgs } from 'node:util';
import { CLI_LIMITS, checkRawValue } from '@/lib/canvas/gate';
import type { CliIO } from '../io';

/**
 * `chordflow run FILE [--payload JSON] [--wait] [--json] [--timeout S]` — submits a canvas file (Canvas
 * JSON) to the cluster at REDIS_URL; with `--celery BROKER_URL` to an existing Celery app (runCelery.ts). With --wait it waits for the end and exits 0 on success, 1 otherwise;
 * with --json it prints the run report (SPEC 2.3).
 */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      payload: { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
      timeout: { type: 'string' },
      name: { type: 'string' },
      tasks: { type: 'string' },
      celery: { type: 'string' },
      'celery-backend': { type: 'string' },
      'celery-queue': { type: 'string' },
      'celery-observations': { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) {
    io.err('chordflow run: give the canvas file to run, e.g. `chordflow run pipeline.json --wait`.\n');
    return 1;
  }
  let payload: unknown;
  if (values.payload !== undefined) {
    try {
      payload = JSON.parse(values.payload);
    } catch {
      io.err('chordflow run: --payload is not valid JSON; quote it, e.g. --payload \'{"raw":"hi"}\'.\n');
      return 1;
    }
    const problems = checkRawValue(payload, CLI_LIMITS, 'payload');
    if (problems.length > 0) {
      io.err(`chordflow run: --payload is not usable: ${problems[0]?.path}: ${problems[0]?.message}\n`);
      return 1;
    }
  }
  let text: string;
  try {
    text = await io.readFile(file);
  } catch {
    io.err(`chordflow run: cannot read ${file}; check the path.\n`);
    return 1;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    io.err(
      `chordflow run: ${file} is not JSON; convert it first with \`chordflow convert ${file} --to canvas-json\`.\n`,
    );
    return 1;
  }
  const timeoutS = Number(values.timeout ?? 600);
  if (values.celery !== undefined) {
    const { runCelery } = await import('./runCelery');
    return runCelery(
      value,
      {
        broker: values.celery,
        backend: values['celery-backend'],
        queue: values['celery-queue'],
        observations: values['celery-observations'],
        tasksDir: values.tasks,
        payload,
        wait: values.wait ?? false,
        json: values.json ?? false,
        timeoutS,
        name: values.name ?? file.replace(/^.*\//, '').replace(/\.[^.]+$/, ''),
      },
      io,
    );
  }
  const { loadConfig } = await import('../../config');
  const config = loadConfig();
  const { isRedisReachable, createRedis } = await import('../../redis/connection');
  if (!(await isRedisReachable(config.redisUrl))) {
    io.err(
      `chordflow run: Redis at ${config.redisUrl} does not answer; start \`chordflow serve\` or set REDIS_URL.\n`,
    );
    return 1;
  }
  const { loadTaskRegistry } = await import('../../tasks/registry');
  const { ClusterClient, SubmitError } = await import('../../cluster/client');
  const { injectPayload } = await import('../../runs/definitions');
  const registry = await loadTaskRegistry(values.tasks ?? config.tasksDir);
  const redis = createRedis(config.redisUrl);
  const client = new ClusterClient(redis, config.keyPrefix, registry.catalogue);
  try {
    const source =
      payload === undefined ? value : injectPayload(value as never, payload as never, registry.catalogue);
    let record: Awaited<ReturnType<typeof client.submit>>;
    try {
      record = await client.submit({
        file: client.parseCanvas(source),
        name: values.name ?? file.replace(/^.*\//, '').replace(/\.[^.]+$/, ''),
        project: 'cli',
        ...(payload !== undefined ? { payload: payload as never } : {}),
      });
    } catch (err) {
      if (err instanceof SubmitError) {
        io.err(`chordflow run: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    if (!values.wait) {
      io.out(
        values.json
          ? `${JSON.stringify({ run_id: record.id, status: 'progress' })}\n`
          : `Submitted run ${record.id}.\n`,
      );
      return 0;
    }
    const done = await client.waitFinished(record.id, timeoutS * 1000);
    const { runReport } = await import('../../runs/report');
    const report = runReport(record.id, await client.store.readEvents(record.id));
    if (!done || !['success', 'error', 'canceled'].includes(done.status)) {
      io.err(
        `chordflow run: run ${record.id} did not finish within ${timeoutS} s; are workers running (chordflow worker)?\n`,
      );
      if (values.json) io.out(`${JSON.stringify(report)}\n`);
      return 1;
    }
    if (values.json) io.out(`${JSON.stringify(report)}\n`);
    else {
      io.out(`Run ${record.id}: ${report.status} in ${report.makespan_ms} ms\n`);
      for (const t of report.tasks)
        io.out(`  ${t.id.padEnd(28)} ${t.name.padEnd(16)} ${t.state.padEnd(8)} attempts ${t.attempts}\n`);
      if (report.error) io.out(`  error: ${report.error.type}: ${report.error.message}\n`);
    }
    return report.status === 'success' ? 0 : 1;
  } finally {
    await client.close();
    redis.disconnect();
  }
}
