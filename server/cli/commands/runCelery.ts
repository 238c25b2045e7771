/**
 * `chordflow run FILE --celery BROKER_URL [--celery-backend URL] [--celery-queue Q] [--payload JSON]
 * [--wait] [--json]`: sends the canvas to an existing Celery app's workers over its Redis broker
 * (Celery's own protocol, server/celery) and, with --wait, follows it live and prints the same run
 * report as `simulate`. With REDIS_URL set and reachable the run is also stored there (runs list, live
 * view in `chordflow serve`).
 */
import type { Json } from '../../../lib/canvas/model';
import type { CliIO } from '../io';

export interface CeleryCliOptions {
  broker: string;
  backend?: string | undefined;
  queue?: string | undefined;
  observations?: string | undefined;
  tasksDir?: string | undefined;
  payload?: unknown;
  wait: boolean;
  json: boolean;
  timeoutS: number;
  name: string;
}

export async function runCelery(value: unknown, o: CeleryCliOptions, io: CliIO): Promise<number> {
  const { checkCeleryUrl, isCeleryReachable } = await import('../../celery/cliSupport');
  const backendUrl = o.backend ?? o.broker;
  for (const [url, what] of [
    [o.broker, '--celery'],
    [backendUrl, '--celery-backend'],
  ] as const) {
    const problem = checkCeleryUrl(url, what);
    if (problem) {
      io.err(`chordflow run: ${problem}\n`);
      return 1;
    }
    if (!(await isCeleryReachable(url))) {
      io.err(
        `chordflow run: the Redis at ${what} ${url} does not answer; is the Celery broker/backend running?\n`,
      );
      return 1;
    }
  }
  const { loadConfig } = await import('../../config');
  const { loadTaskRegistry } = await import('../../tasks/registry');
  const { injectPayload } = await import('../../runs/definitions');
  const { canvasFileFromJson } = await import('../../../lib/canvas/canvasJson');
  const { startCeleryRun, CelerySubmitError } = await import('../../celery/run');
  const { runReport } = await import('../../runs/report');
  const config = loadConfig();
  const registry = await loadTaskRegistry(o.tasksDir ?? config.tasksDir);
  const source =
    o.payload === undefined ? value : injectPayload(value as Json, o.payload as Json, registry.catalogue);
  const parsed = canvasFileFromJson(source);
  if (!parsed.ok) {
    const problems = parsed.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    io.err(`chordflow run: the canvas is not valid: ${problems.join(' ')}\n`);
    return 1;
  }
  const { storeIfConfigured } = await import('../../celery/cliSupport');
  const stored = o.wait ? await storeIfConfigured(config) : undefined;
  let run: Awaited<ReturnType<typeof startCeleryRun>>;
  try {
    run = await startCeleryRun({
      file: parsed.value,
      target: { brokerUrl: o.broker, backendUrl, queue: o.queue ?? 'celery' },
      catalogue: registry.catalogue,
      name: o.name,
      project: 'cli',
      ...(o.payload !== undefined ? { payload: o.payload as Json } : {}),
      ...(stored ? { store: stored.store } : {}),
      ...(o.observations ? { observationsKey: o.observations } : {}),
      notice: (text) => io.err(`chordflow run: ${text}\n`),
    });
  } catch (err) {
    await stored?.close();
    if (err instanceof CelerySubmitError) {
      io.err(`chordflow run: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  try {
    if (!o.wait) {
      io.out(
        o.json
          ? `${JSON.stringify({ run_id: run.id, status: 'progress', celery_ids: run.record.celery.ids })}\n`
          : `Sent run ${run.id} to Celery at ${run.record.celery.broker} (task ids: ${Object.values(run.record.celery.ids).join(', ')}).\n`,
      );
      return 0;
    }
    const timedOut = await Promise.race([
      run.done.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), o.timeoutS * 1000).unref()),
    ]);
    const report = runReport(run.id, run.events);
    if (timedOut) {
      io.err(
        `chordflow run: run ${run.id} did not finish within ${o.timeoutS} s; are Celery workers consuming queue "${o.queue ?? 'celery'}"?\n`,
      );
      if (o.json) io.out(`${JSON.stringify(report)}\n`);
      return 1;
    }
    if (o.json) io.out(`${JSON.stringify(report)}\n`);
    else {
      io.out(`Run ${run.id} on Celery: ${report.status} in ${report.makespan_ms} ms\n`);
      for (const t of report.tasks)
        io.out(`  ${t.id.padEnd(28)} ${t.name.padEnd(16)} ${t.state.padEnd(8)} attempts ${t.attempts}\n`);
      if (report.error) io.out(`  error: ${report.error.type}: ${report.error.message}\n`);
    }
    return report.status === 'success' ? 0 : 1;
  } finally {
    await run.close();
    await stored?.close();
  }
}
