/**
 * `chordflow simulate FILE [--scenario NAME] [--seed N] [--workers N] [--concurrency N] [--runs N] [--json]`
 * — runs the deterministic simulator. One run prints a table (or, with --json, exactly one run report);
 * `--runs N` prints Monte Carlo statistics (JSON with --json).
 */
import { parseArgs } from 'node:util';
import { directorRunFile } from '@/lib/canvas/directorRun';
import { formatProblemsCapped, hasErrors, SHOWN_PROBLEMS } from '@/lib/canvas/problems';
import { validateCanvas } from '@/lib/canvas/validate';
import type { RunReport } from '@/lib/protocol/report';
import { type MonteCarloStats, monteCarlo } from '@/lib/sim/monteCarlo';
import { parsePools } from '@/lib/sim/pools';
import { isScenario, SCENARIOS } from '@/lib/sim/scenarios';
import { SIM_DEFAULTS, simulateReport } from '@/lib/sim/simulate';
import type { CliIO } from '../io';
import { writeJsonPretty } from '../jsonChunks';
import { cliRegistry } from './catalogue';
import { indent, readCanvasInput } from './readInput';

const USAGE =
  'Usage: chordflow simulate FILE [--scenario happy|flaky|slow|down|partial_fail] [--seed N]\n' +
  '                          [--workers N | --workers QUEUE=WORKERSxSLOTS,… e.g. default=2x8,gpu=1x1]\n' +
  '                          [--concurrency N] [--runs N] [--json] [--tasks DIR]   (FILE may be - for stdin)\n';

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scenario: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      concurrency: { type: 'string' },
      runs: { type: 'string' },
      json: { type: 'boolean' },
      workflow: { type: 'string' },
      tasks: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** A whole number option (`min` or more), or a sentence saying what is wrong. */
function intOption(name: string, value: string | undefined, fallback: number, min: number): number | string {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value.trim())) return `--${name} must be a whole number, got "${value}".`;
  const n = Number(value);
  if (n < min) return `--${name} must be at least ${min}, got ${n}.`;
  return n;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(2)}s`;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** The human table of one run. */
export function formatRunTable(report: RunReport): string {
  const rows = report.tasks.map((t) => [
    t.id,
    t.name,
    t.state,
    String(t.attempts),
    t.history.length > 0 ? t.history.map((h) => seconds(h.started_at)).join(' ') : '-',
    clip(
      t.state === 'SUCCESS'
        ? JSON.stringify(t.result ?? null)
        : t.error
          ? `${t.error.type}: ${t.error.message}`
          : '',
      70,
    ),
  ]);
  const header = ['task', 'name', 'state', 'attempts', 'starts', 'result / error'];
  // A fold, not Math.max(...column): a spread of a 200,000-task run's column overflows the call stack.
  const widths = header.map((h, i) =>
    Math.min(
      40,
      rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), h.length),
    ),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : clip(c, widths[i] ?? 10).padEnd(widths[i] ?? 10)))
      .join('  ');
  const out = [
    line(header),
    line(
      widths
        .map((w) => '-'.repeat(w))
        .slice(0, -1)
        .concat('-'.repeat(14)),
    ),
  ];
  for (const r of rows) out.push(line(r));
  out.push('');
  const outcome =
    report.status === 'success'
      ? `result ${clip(JSON.stringify(report.result ?? null), 90)}`
      : `${report.error ? `${report.error.type}: ${clip(report.error.message, 90)}` : ''}`;
  out.push(`status: ${report.status}   makespan: ${seconds(report.makespan_ms)}   ${outcome}`);
  for (const o of report.observations) out.push(`observation: ${JSON.stringify(o)}`);
  return `${out.join('\n')}\n`;
}

function formatStats(stats: MonteCarloStats): string {
  const m = stats.makespan_ms;
  return [
    `runs: ${stats.runs}   success rate: ${(stats.success_rate * 100).toFixed(1)}%`,
    `makespan: p50 ${seconds(m.p50)}  p95 ${seconds(m.p95)}  p99 ${seconds(m.p99)}  mean ${seconds(m.mean)}`,
    `retries: ${stats.retries.total} in total, ${stats.retries.mean.toFixed(2)} per run`,
    '',
  ].join('\n');
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.err(`chordflow simulate: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    io.out(USAGE);
    return 0;
  }
  const [path, ...extra] = parsed.positionals;
  if (!path || extra.length > 0) {
    io.err(`chordflow simulate: give exactly one FILE.\n${USAGE}`);
    return 2;
  }
  if (v.scenario !== undefined && !isScenario(v.scenario)) {
    io.err(`chordflow simulate: unknown scenario "${v.scenario}"; use one of ${SCENARIOS.join(', ')}.\n`);
    return 2;
  }
  const seed = intOption('seed', v.seed, SIM_DEFAULTS.seed, -(2 ** 31));
  // --workers N (N workers on every queue) or per-queue pools: --workers default=2x8,gpu=1x1.
  const poolSpec = v.workers?.includes('=') ? parsePools(v.workers) : undefined;
  if (typeof poolSpec === 'string') {
    io.err(`chordflow simulate: --workers ${poolSpec}\n`);
    return 2;
  }
  const workers = poolSpec ? SIM_DEFAULTS.workers : intOption('workers', v.workers, SIM_DEFAULTS.workers, 1);
  const concurrency = intOption('concurrency', v.concurrency, SIM_DEFAULTS.concurrency, 1);
  const runs = intOption('runs', v.runs, 0, 1);
  for (const x of [seed, workers, concurrency, runs]) {
    if (typeof x === 'string') {
      io.err(`chordflow simulate: ${x}\n`);
      return 2;
    }
  }
  const input = await readCanvasInput('simulate', path, io, v.workflow ? { workflow: v.workflow } : {});
  if (!input) return 1;
  const registry = await cliRegistry('simulate', v.tasks, io);
  if (!registry) return 1;
  const catalogue = registry.catalogue;
  // A director workflow runs as director runs it: {workflow_id, payload} kwargs, queues, hooks.
  const director = input.result.document?.metadata.director;
  const file = director
    ? directorRunFile(input.result.file, director, { workflowId: 'sim', payload: {} })
    : input.result.file;
  const problems = validateCanvas(file, catalogue);
  if (hasErrors(problems)) {
    const list = formatProblemsCapped(problems, SHOWN_PROBLEMS, '; chordflow validate lists them all');
    io.err(`chordflow simulate: ${path} is not a valid canvas:\n${indent(list)}\n`);
    return 1;
  }
  const opts = {
    catalogue,
    seed: seed as number,
    workers: workers as number,
    ...(poolSpec ? { pools: poolSpec } : {}),
    concurrency: concurrency as number,
    // Absolute eta/expires options are placed on a run starting now.
    epoch_ms: Date.now(),
    ...(v.scenario !== undefined ? { scenario: v.scenario } : {}),
  };
  if (v.runs !== undefined) {
    const stats = monteCarlo(file, { ...opts, runs: runs as number });
    io.out(v.json ? `${JSON.stringify(stats)}\n` : formatStats(stats));
    return 0;
  }
  // The trace is folded as it happens and the report written in pieces: 1,000,000-task canvases fit.
  const { report } = simulateReport(file, { ...opts, criticalPath: false });
  if (v.json) {
    writeJsonPretty(report as unknown as Record<string, unknown>, (chunk) => io.out(chunk));
    io.out('\n');
  } else io.out(formatRunTable(report));
  return 0;
}
