/**
 * The simulator's memory bar (issue 14: "a 1,000,000-task canvas simulated in the CLI within memory"):
 * `chordflow simulate FILE --json` on a 1,000,000-task canvas, as a user runs it — its own process, Node's
 * default heap limit, the report written to a file. Measures the wall time, the process's peak resident
 * memory (polled from /proc, Linux) and the report's size, beside the references of the same run: the
 * heap limit a Node process gets here with the child's environment (what "within memory" means: the CLI
 * ends without an out-of-memory crash) and the canvas file's size. A run that fails says so with its exit code and the end of its stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeToCanvasJson } from '../../lib/canvas/canvasJson';
import type { CanvasNode } from '../../lib/canvas/model';
import { peakRssMb } from './processMemory';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Node's defaults for the CLI (the bench's own V8 options are not the user's). */
const CHILD_ENV = { ...process.env, NODE_OPTIONS: '' };

/** The V8 heap limit (MB) of a Node process started with the CLI's environment. */
function childHeapLimitMb(): number {
  const r = spawnSync(
    process.execPath,
    ['-e', 'process.stdout.write(String(require("node:v8").getHeapStatistics().heap_size_limit))'],
    { env: CHILD_ENV, encoding: 'utf8' },
  );
  return Math.round(Number(r.stdout) / 2 ** 20);
}

/** The first bytes of a file (the report's status is near its start). */
function head(path: string, bytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Simulates `canvas` (`tasks` tasks) with the CLI on `workers` × `concurrency` slots; one JSON record. */
export async function cliMillion(
  canvas: CanvasNode,
  tasks: number,
  workers: number,
  concurrency: number,
): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'chordflow-sim1m-'));
  try {
    const file = join(dir, 'canvas.json');
    writeFileSync(file, JSON.stringify(nodeToCanvasJson(canvas)));
    const out = join(dir, 'report.json');
    const fd = openSync(out, 'w');
    const t0 = performance.now();
    const child = spawn(
      process.execPath,
      [
        'bin/chordflow.js',
        'simulate',
        file,
        '--workers',
        String(workers),
        '--concurrency',
        String(concurrency),
        '--json',
      ],
      { cwd: ROOT, stdio: ['ignore', fd, 'pipe'], env: CHILD_ENV },
    );
    closeSync(fd);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    let peak = 0;
    const poll = setInterval(() => {
      peak = Math.max(peak, peakRssMb(child.pid) ?? 0);
    }, 25);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(poll);
    const ms = performance.now() - t0;
    const status = /"status":\s*"(\w+)"/.exec(head(out, 400))?.[1];
    return {
      case: 'cli_simulate_1m',
      measures: 'chordflow simulate FILE --json in its own process (Node defaults), report to a file',
      tasks,
      workers,
      concurrency,
      exit_code: code,
      status,
      ms: Math.round(ms),
      peak_rss_mb: peak,
      heap_limit_mb: childHeapLimitMb(),
      canvas_mb: Number((statSync(file).size / 2 ** 20).toFixed(1)),
      report_mb: Number((statSync(out).size / 2 ** 20).toFixed(1)),
      within_memory: code === 0 && status !== undefined,
      ...(code === 0 ? {} : { stderr_tail: stderr.slice(-400) }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
