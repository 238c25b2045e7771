/**
 * `npm run bench:sim` — simulator figures (SPEC 4), one JSON line each:
 * - a 100,000-task canvas of mixed chains, groups and chords: plan, event loop, report and total time;
 *   events per second of the loop;
 * - 1,000 Monte Carlo runs of the tutorial pipeline (first call, JIT cold, then warm), per scenario.
 * Bars: 100k tasks ≤ 500 ms; 1,000 tutorial runs ≤ 100 ms. Figures only, no assertion.
 */

import { loadavg } from 'node:os';
import { chain, chord, group, task } from '../../lib/canvas/build';
import { createCatalogue } from '../../lib/canvas/catalogue';
import { pushDownLinks } from '../../lib/canvas/links';
import type { CanvasFile, CanvasNode } from '../../lib/canvas/model';
import { normalizeCanvas } from '../../lib/canvas/normalize';
import { planNormalized } from '../../lib/engine/plan';
import { reduceRunAll, toReport } from '../../lib/protocol/reduceRun';
import { TimeHeap } from '../../lib/sim/heap';
import { monteCarlo } from '../../lib/sim/monteCarlo';
import { planForSimulation, simulate, simulatePlan } from '../../lib/sim/simulate';
import { tutorialPipeline } from '../../lib/sim/tutorialCanvas';

const catalogue = createCatalogue();

function line(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'sim', ...record })}\n`);
}

function file(canvas: CanvasNode): CanvasFile {
  return { canvas, invoke: { args: [], kwargs: {} }, config: { task_allow_error_cb_on_chord_header: false } };
}

/** Blocks of 49 tasks: chain(add, chord(20 × add, tsum), identity) + group of 13 two-step chains. */
function bigCanvas(targetTasks: number): { canvas: CanvasNode; tasks: number } {
  const blocks: CanvasNode[] = [];
  let tasks = 0;
  for (let b = 0; tasks < targetTasks; b++) {
    const header: CanvasNode[] = [];
    for (let i = 0; i < 20; i++) header.push(task('add', [i]));
    blocks.push(chain(task('add', [b, 1]), chord(header, task('tsum', [])), task('identity', [])));
    const members: CanvasNode[] = [];
    for (let i = 0; i < 13; i++) members.push(chain(task('add', [i, 1]), task('add', [1])));
    blocks.push(group(...members));
    tasks += 23 + 26;
  }
  return { canvas: group(...blocks), tasks };
}

function ms(t: number): number {
  return Math.round(t * 10) / 10;
}

function bigRun(label: string, target: number, workers: number, concurrency: number): void {
  const { canvas, tasks } = bigCanvas(target);
  const f = file(canvas);
  // End to end through the public `simulate` (first, on a heap without the phase runs' leftovers)…
  let t0 = performance.now();
  const r = simulate(f, { catalogue, seed: 1, workers, concurrency });
  let t1 = performance.now();
  line({
    case: `${label}_simulate_total`,
    tasks,
    events: r.events.length,
    total_ms: ms(t1 - t0),
    bar_ms: 500,
    makespan_ms: r.report.makespan_ms,
  });
  // …then the phases, measured separately.
  t0 = performance.now();
  const plan = planForSimulation(f, { catalogue });
  t1 = performance.now();
  const loop = simulatePlan(plan, { seed: 1, workers, concurrency });
  const t2 = performance.now();
  const report = toReport(reduceRunAll(loop.events));
  const t3 = performance.now();
  line({
    case: `${label}_phases`,
    tasks,
    plan_ms: ms(t1 - t0),
    loop_ms: ms(t2 - t1),
    report_ms: ms(t3 - t2),
    events_per_s: Math.round(loop.events.length / ((t2 - t1) / 1000)),
    status: report.status,
  });
  // The loop alone without keeping the trace (Monte Carlo mode).
  const t4 = performance.now();
  simulatePlan(plan, { seed: 1, workers, concurrency, trace: false });
  line({ case: `${label}_loop_untraced`, tasks, loop_ms: ms(performance.now() - t4) });
}

function monteCarloRuns(): void {
  const f = file(tutorialPipeline());
  for (const scenario of ['happy', 'flaky', 'partial_fail', 'down', 'slow']) {
    const times: number[] = [];
    let stats: ReturnType<typeof monteCarlo> | undefined;
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      stats = monteCarlo(f, { catalogue, runs: 1000, seed: 1, scenario });
      times.push(performance.now() - t0);
    }
    const warm = times.slice(1).sort((a, b) => a - b);
    line({
      case: 'tutorial_monte_carlo_1000',
      scenario,
      first_ms: ms(times[0] ?? 0),
      warm_median_ms: ms(warm[Math.floor(warm.length / 2)] ?? 0),
      bar_ms: 100,
      success_rate: stats?.success_rate,
      p50_ms: stats?.makespan_ms.p50,
      p99_ms: stats?.makespan_ms.p99,
      retries_mean: stats?.retries.mean,
    });
  }
}

/** The SPEC's reference point: a bare heap event loop over 100,000 fixed-duration tasks, 128 slots. */
function bareLoop(): void {
  const times: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const heap = new TimeHeap<{ t: number; seq: number }>();
    let seq = 0;
    let free = 128;
    let now = 0;
    let queued = 100_000;
    const fill = () => {
      while (free > 0 && queued > 0) {
        free -= 1;
        queued -= 1;
        heap.push({ t: now + 5, seq: seq++ });
      }
    };
    fill();
    for (let a = heap.pop(); a !== undefined; a = heap.pop()) {
      now = a.t;
      free += 1;
      fill();
    }
    times.push(performance.now() - t0);
  }
  line({ case: 'bare_heap_loop_100k', best_ms: ms(Math.min(...times)), load_avg_1m: loadavg()[0] });
}

/** Where planning time goes: Celery composition (lib/canvas) vs freezing the plan (lib/engine). */
function planSplit(): void {
  const { canvas, tasks } = bigCanvas(100_000);
  const t0 = performance.now();
  const tree = pushDownLinks(normalizeCanvas(canvas));
  const t1 = performance.now();
  planNormalized(tree, { invoke: { args: [], kwargs: {} } }, catalogue, 'bench');
  const t2 = performance.now();
  line({ case: 'canvas_100k_plan_split', tasks, normalize_ms: ms(t1 - t0), freeze_ms: ms(t2 - t1) });
}

bareLoop();
monteCarloRuns();
bigRun('warmup_10k', 10_000, 8, 16);
bigRun('canvas_100k', 100_000, 8, 16);
bigRun('canvas_100k_again', 100_000, 8, 16);
planSplit();
line({ case: 'done', load_avg_1m: loadavg()[0] });
