/**
 * fast-check arbitraries for canvases, reused by the format round-trip tests and by the simulator and
 * cluster differential tests. They generate only valid canvases over built-in tasks (no validation
 * errors), small depth, with options, simulation models, ids, links and errbacks sometimes.
 */
import fc from 'fast-check';
import type { CanvasFile, CanvasNode, Json, SimModel, TaskNode, TaskOptions } from './model';

export interface ArbCanvasOptions {
  /** Maximum nesting depth of chains/groups/chords (default 3). */
  maxDepth?: number;
  /** Maximum members of a chain/group/header (default 3). */
  maxWidth?: number;
  /** Generate per-node retry options sometimes (default true). */
  withOptions?: boolean;
  /** Generate `link`/`link_error` sometimes (default true). */
  withLinks?: boolean;
  /** Generate `sim` models sometimes (default true). */
  withSim?: boolean;
  /** Give some tasks `id` labels (unique) (default true). */
  withIds?: boolean;
  /** Allow `fail` tasks (default true). */
  withFailures?: boolean;
}

function leaf(name: string, args: Json[], immutable: boolean): TaskNode {
  return { type: 'task', task: name, args, kwargs: {}, immutable, options: {}, link: [], link_error: [] };
}

const small = fc.integer({ min: 0, max: 9 });

/** Task signatures over built-in tasks whose argument counts fit wherever they are placed. */
function arbLeaf(withFailures: boolean): fc.Arbitrary<TaskNode> {
  const options: fc.Arbitrary<TaskNode>[] = [
    fc.tuple(small, small).map(([a, b]) => leaf('add', [a, b], true)),
    fc.tuple(small, small).map(([a, b]) => leaf('mul', [a, b], true)),
    small.map((a) => leaf('identity', [a], true)),
    small.map((a) => leaf('add', [a], false)),
    small.map((a) => leaf('mul', [a], false)),
    fc.constant(leaf('identity', [], false)),
    fc.constant(leaf('xsum', [], false)),
    fc.constant(leaf('record', [], false)),
    fc
      .tuple(small, fc.integer({ min: 0, max: 50 }))
      .map(([x, ms]) => ({ ...leaf('delayed', [x], true), kwargs: { ms } })),
  ];
  if (withFailures) options.push(small.map((a) => leaf('fail', [a], true)));
  return fc.oneof(...options);
}

const arbOptions: fc.Arbitrary<TaskOptions> = fc.record(
  {
    max_retries: fc.integer({ min: 0, max: 4 }),
    countdown: fc.integer({ min: 0, max: 3 }),
    retry_backoff: fc.oneof(fc.boolean(), fc.integer({ min: 1, max: 3 })),
    retry_backoff_max: fc.integer({ min: 0, max: 60 }),
    retry_jitter: fc.boolean(),
    autoretry_for: fc.constantFrom(['ExpectedException'], ['Exception'], []),
    queue: fc.constantFrom('celery', 'fast'),
  },
  { requiredKeys: [] },
);

const arbSim: fc.Arbitrary<SimModel> = fc.record(
  {
    duration_ms: fc.oneof(
      fc.integer({ min: 0, max: 100 }),
      fc.integer({ min: 0, max: 100 }).map((ms) => ({ dist: 'fixed' as const, ms })),
      fc
        .integer({ min: 0, max: 50 })
        .map((min) => ({ dist: 'uniform' as const, min_ms: min, max_ms: min + 50 })),
    ),
    fail_first: fc.integer({ min: 0, max: 3 }),
    fail_probability: fc.constantFrom(0, 0.25, 0.5),
  },
  { requiredKeys: [] },
);

const arbCallback: fc.Arbitrary<CanvasNode> = fc.oneof(
  fc.constant(leaf('record', [], false)),
  fc.constant(leaf('identity', [], false)),
  small.map((a) => leaf('add', [a], false)),
);

const arbErrback: fc.Arbitrary<CanvasNode> = fc.oneof(
  fc.constantFrom('e1', 'e2').map((tag) => ({ ...leaf('on_error', [], false), kwargs: { tag } })),
  fc.constantFrom('e1', 'e2').map((tag) => ({ ...leaf('on_error_id', [], false), kwargs: { tag } })),
);

/** Random canvas trees of built-in tasks. */
export function arbCanvasNode(opts: ArbCanvasOptions = {}): fc.Arbitrary<CanvasNode> {
  const maxDepth = opts.maxDepth ?? 3;
  const maxWidth = opts.maxWidth ?? 3;
  const withOptions = opts.withOptions ?? true;
  const withLinks = opts.withLinks ?? true;
  const withSim = opts.withSim ?? true;
  const withIds = opts.withIds ?? true;

  const decorateTask = (t: TaskNode): fc.Arbitrary<TaskNode> =>
    fc
      .record({
        options: withOptions ? fc.option(arbOptions, { freq: 3 }) : fc.constant(null),
        sim: withSim ? fc.option(arbSim, { freq: 3 }) : fc.constant(null),
        link: withLinks ? fc.array(arbCallback, { maxLength: 1 }) : fc.constant<CanvasNode[]>([]),
        link_error: withLinks ? fc.array(arbErrback, { maxLength: 1 }) : fc.constant<CanvasNode[]>([]),
        labelled: withIds ? fc.boolean() : fc.constant(false),
      })
      .map((d) => {
        const out: TaskNode = { ...t, link: d.link, link_error: d.link_error };
        if (d.options) out.options = d.options;
        if (d.sim) out.sim = d.sim;
        if (d.labelled) out.id = 'label';
        return out;
      });

  const compositeLinks = <T extends CanvasNode>(n: T): fc.Arbitrary<T> =>
    withLinks
      ? fc
          .record({
            link: fc.array(arbCallback, { maxLength: 1 }),
            link_error: fc.array(arbErrback, { maxLength: 1 }),
            any: fc.integer({ min: 0, max: 4 }),
          })
          .map((d) => (d.any === 0 ? { ...n, link: d.link, link_error: d.link_error } : n))
      : fc.constant(n);

  const { node } = fc.letrec<{ node: CanvasNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', maxDepth, withCrossShrink: true },
      arbLeaf(opts.withFailures ?? true).chain(decorateTask),
      fc
        .array(tie('node'), { minLength: 1, maxLength: maxWidth })
        .chain((tasks) => compositeLinks<CanvasNode>({ type: 'chain', tasks, link: [], link_error: [] })),
      fc
        .array(tie('node'), { minLength: 1, maxLength: maxWidth })
        .chain((tasks) => compositeLinks<CanvasNode>({ type: 'group', tasks, link: [], link_error: [] })),
      fc
        .tuple(fc.array(tie('node'), { maxLength: maxWidth }), tie('node'))
        .chain(([header, body]) =>
          compositeLinks<CanvasNode>({ type: 'chord', header, body, link: [], link_error: [] }),
        ),
    ),
  }));
  return node.map(uniqueIds);
}

/** Renames every `id` label to a unique one (`t1`, `t2`, …) in depth-first order. */
function uniqueIds(root: CanvasNode): CanvasNode {
  let counter = 0;
  const visit = (n: CanvasNode): CanvasNode => {
    const lists = { link: n.link.map(visit), link_error: n.link_error.map(visit) };
    switch (n.type) {
      case 'task':
        if (n.id === undefined) return { ...n, ...lists };
        counter += 1;
        return { ...n, ...lists, id: `t${counter}` };
      case 'chain':
      case 'group':
        return { ...n, tasks: n.tasks.map(visit), ...lists };
      case 'chord':
        return { ...n, header: n.header.map(visit), body: visit(n.body), ...lists };
    }
  };
  return visit(root);
}

/** Random canvas files: a canvas, sometimes call-time args, sometimes the chord-header errback flag. */
export function arbCanvasFile(opts: ArbCanvasOptions = {}): fc.Arbitrary<CanvasFile> {
  return fc
    .record({
      canvas: arbCanvasNode(opts),
      args: fc.array(small, { maxLength: 2 }),
      flag: fc.boolean(),
    })
    .map(({ canvas, args, flag }) => ({
      canvas,
      invoke: { args, kwargs: {} },
      config: { task_allow_error_cb_on_chord_header: flag },
    }));
}
