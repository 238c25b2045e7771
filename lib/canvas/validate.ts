/**
 * Validation of a canvas file against a task catalogue: every problem at once, each with its path and a
 * sentence. Errors make the canvas unrunnable; warnings point at likely mistakes (argument counts,
 * unknown exception names, empty chains).
 */
import { type CatalogueEntry, resolveTaskOptions, type TaskCatalogue } from './catalogue';
import { mapNodeProblems } from './chunks';
import { isKnownException } from './exceptions';
import type { CanvasFile, CanvasNode, NodePath, SimModel, TaskNode, TaskOptions } from './model';
import { TASK_OPTION_KEYS } from './optionsSchema';
import { formatPath } from './paths';
import { error, type Problem, warning } from './problems';
import { sendOptionProblems } from './sendOptions';

/** Longest delay or limit accepted, in seconds (one year). */
export const MAX_SECONDS = 31_536_000;

/**
 * Levenshtein distance, for "did you mean" suggestions; any value above `max` once it is sure to exceed
 * it (a row's minimum never decreases), so 100,000 unknown names cost a few rows each.
 */
function distance(a: string, b: string, max: number): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    let least = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      const d = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      row[j] = d;
      if (d < least) least = d;
      prev = tmp;
    }
    if (least > max) return max + 1;
  }
  return row[b.length] as number;
}

/** The closest catalogue name to `name`, if one is close enough to be a likely typo. */
export function suggestTaskName(name: string, catalogue: TaskCatalogue): string | undefined {
  const names = [...catalogue.keys()];
  const lower = name.toLowerCase();
  const exact = names.find((n) => n.toLowerCase() === lower);
  if (exact) return exact;
  const tail = name.split('.').pop() ?? name;
  if (tail !== name && catalogue.has(tail)) return tail;
  const within = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const n of names) {
    // The length difference is a lower bound of the distance: a 200-character name from outside is
    // not compared character by character with every (short) catalogue name.
    const nl = n.toLowerCase();
    const max = Math.min(within, bestD - 1);
    if (Math.abs(nl.length - lower.length) > max) continue;
    const d = distance(lower, nl, max);
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return bestD <= within ? best : undefined;
}

/** Most catalogue names one problem lists (a catalogue of a Celery app may hold thousands). */
const LISTED_TASKS = 40;

/** `Known tasks: a, b, … (and 12 more).` */
function knownTasks(catalogue: TaskCatalogue): string {
  const names = [...catalogue.keys()];
  const shown = names.slice(0, LISTED_TASKS).join(', ');
  const rest = names.length - LISTED_TASKS;
  return `Known tasks: ${shown}${rest > 0 ? ` (and ${rest} more)` : ''}.`;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const show = (v: unknown): string => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)));

class Validator {
  readonly problems: Problem[] = [];
  private readonly ids = new Map<string, string>();
  /** Suggestions per unknown name, so a name repeated 100,000 times is looked up once. */
  private readonly hints = new Map<string, string | null>();
  private listedKnown = false;

  constructor(
    private readonly catalogue: TaskCatalogue,
    private readonly config: CanvasFile['config'],
  ) {}

  private err(path: NodePath, message: string, id?: string): void {
    this.problems.push(error(formatPath(path), message, id));
  }

  private warn(path: NodePath, message: string, id?: string): void {
    this.problems.push(warning(formatPath(path), message, id));
  }

  /** `incoming` = positional arguments Celery prepends when this node is applied (parent result, …). */
  node(node: CanvasNode, path: NodePath, incoming: number): void {
    if (node === null || typeof node !== 'object') {
      this.err(path, 'This is not a canvas node.');
      return;
    }
    switch (node.type) {
      case 'task':
        this.task(node, path, incoming);
        break;
      case 'chain':
        if (node.tasks.length === 0) {
          this.warn(path, 'This chain is empty: applying it does nothing. Add steps or remove it.');
        }
        node.tasks.forEach((t, i) => {
          if (t.type === 'group' && t.tasks.length === 0 && node.tasks.length > 1) {
            this.warn([...path, 'tasks', i], 'This empty group is skipped by Celery inside a chain.');
          }
          this.node(t, [...path, 'tasks', i], i === 0 ? incoming : 1);
        });
        break;
      case 'group':
        for (const [i, t] of node.tasks.entries()) this.node(t, [...path, 'tasks', i], incoming);
        if (node.tasks.length === 0 && node.link.length > 0) {
          this.warn(
            [...path, 'link'],
            'An empty group cannot take a callback (Celery raises): give it members or move the callback.',
          );
        }
        break;
      case 'chord':
        if (!Array.isArray(node.header)) this.err([...path, 'header'], 'This chord has no header list.');
        else for (const [i, t] of node.header.entries()) this.node(t, [...path, 'header', i], incoming);
        if (node.body === undefined || node.body === null) {
          this.err(
            [...path, 'body'],
            'This chord has no body: add the node that receives the header results.',
          );
        } else this.node(node.body, [...path, 'body'], 1);
        break;
      default:
        this.err(path, `Unknown node type ${show((node as { type?: unknown }).type)}.`);
        return;
    }
    if (node.type !== 'task' && node.options !== undefined)
      this.options(node.options, [...path, 'options'], undefined);
    // A group's callback is an immutable copy (no arguments); everything else passes its result.
    for (const [i, cb] of (node.link ?? []).entries()) {
      this.node(cb, [...path, 'link', i], node.type === 'group' ? 0 : 1);
    }
    for (const [i, eb] of (node.link_error ?? []).entries()) {
      this.node(eb, [...path, 'link_error', i], this.errbackIncoming(eb));
    }
  }

  private errbackIncoming(eb: CanvasNode): number {
    if (eb.type !== 'task') return 1;
    const entry = this.catalogue.get(eb.task);
    // New style: called with (request, exc, traceback); old style: with the failed task's id.
    return entry?.errback_style === 'new' ? 3 : 1;
  }

  private task(node: TaskNode, path: NodePath, incoming: number): void {
    const id = node.id;
    if (typeof node.task !== 'string' || node.task.trim() === '') {
      this.err([...path, 'task'], 'This task has no name: set "task" to a registered task name.', id);
      return;
    }
    const entry = this.catalogue.get(node.task);
    if (!entry) {
      let hint = this.hints.get(node.task);
      if (hint === undefined) {
        hint = suggestTaskName(node.task, this.catalogue) ?? null;
        this.hints.set(node.task, hint);
      }
      // The catalogue is listed once, with the first unknown task: 200,000 unknown tasks repeated it
      // 200,000 times.
      const known = this.listedKnown ? '' : ` ${knownTasks(this.catalogue)}`;
      this.listedKnown = true;
      this.err(
        [...path, 'task'],
        `Unknown task "${node.task}".${hint !== null ? ` Did you mean "${hint}"?` : ''}${known}`,
        id,
      );
    }
    if (id !== undefined) this.label(id, path);
    this.options(node.options ?? {}, [...path, 'options'], entry, id);
    if (node.sim !== undefined) this.sim(node.sim, [...path, 'sim'], id);
    for (const p of mapNodeProblems(node, (n) => this.catalogue.get(n)?.source))
      this.err([...path, ...p.path], p.message, id);
    if (entry && Array.isArray(node.args)) this.arity(node, entry, path, incoming);
  }

  private label(id: string, path: NodePath): void {
    const where = formatPath(path);
    if (id.trim() === '') this.err([...path, 'id'], 'The "id" label is empty: remove it or give a name.', id);
    else if (id.includes(':')) {
      this.err(
        [...path, 'id'],
        `The id "${id}" contains ":", which a cluster job id cannot hold. Use "-" or "_".`,
        id,
      );
    } else if (/^\d+$/.test(id)) {
      this.err(
        [...path, 'id'],
        `The id "${id}" is all digits, which a cluster job id cannot be. Add a letter.`,
        id,
      );
    }
    const first = this.ids.get(id);
    if (first !== undefined) {
      this.err([...path, 'id'], `The id "${id}" is already used at ${first}: task ids must be unique.`, id);
    } else this.ids.set(id, where);
  }

  private options(
    options: TaskOptions,
    path: NodePath,
    entry: CatalogueEntry | undefined,
    id?: string,
  ): void {
    const o = options as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!(TASK_OPTION_KEYS as readonly string[]).includes(key)) {
        this.err(
          [...path, key],
          `Unknown option "${key}". Known options: ${TASK_OPTION_KEYS.join(', ')}.`,
          id,
        );
      }
    }
    if (
      'max_retries' in o &&
      o.max_retries !== null &&
      !(isNumber(o.max_retries) && Number.isInteger(o.max_retries) && o.max_retries >= 0)
    ) {
      this.err(
        [...path, 'max_retries'],
        `"max_retries" must be a whole number of retries ≥ 0 (or null to retry forever), not ${show(o.max_retries)}.`,
        id,
      );
    }
    // Bounded above too: a run waiting 1e300 s would look alive forever (and overflow every clock).
    for (const key of ['countdown', 'default_retry_delay', 'retry_backoff_max'] as const) {
      if (key in o && !(isNumber(o[key]) && o[key] >= 0 && o[key] <= MAX_SECONDS)) {
        this.err(
          [...path, key],
          `"${key}" must be a number of seconds between 0 and ${MAX_SECONDS} (one year), not ${show(o[key])}.`,
          id,
        );
      }
    }
    for (const key of ['soft_time_limit', 'time_limit'] as const) {
      if (key in o && !(isNumber(o[key]) && o[key] > 0 && o[key] <= MAX_SECONDS)) {
        this.err(
          [...path, key],
          `"${key}" must be a number of seconds > 0 and at most ${MAX_SECONDS} (one year), not ${show(o[key])}.`,
          id,
        );
      }
    }
    if (
      'retry_backoff' in o &&
      typeof o.retry_backoff !== 'boolean' &&
      !(isNumber(o.retry_backoff) && o.retry_backoff >= 0)
    ) {
      this.err(
        [...path, 'retry_backoff'],
        `"retry_backoff" must be true, false or a factor ≥ 0, not ${show(o.retry_backoff)}.`,
        id,
      );
    }
    if ('retry_jitter' in o && typeof o.retry_jitter !== 'boolean') {
      this.err(
        [...path, 'retry_jitter'],
        `"retry_jitter" must be true or false, not ${show(o.retry_jitter)}.`,
        id,
      );
    }
    for (const p of sendOptionProblems(o)) this.err([...path, p.key], p.message, id);
    if ('queue' in o && (typeof o.queue !== 'string' || o.queue.trim() === '')) {
      this.err([...path, 'queue'], `"queue" must be a queue name, not ${show(o.queue)}.`, id);
    }
    if ('autoretry_for' in o) {
      if (!Array.isArray(o.autoretry_for) || o.autoretry_for.some((x) => typeof x !== 'string')) {
        this.err([...path, 'autoretry_for'], '"autoretry_for" must be a list of exception type names.', id);
      } else {
        o.autoretry_for.forEach((name: string, i: number) => {
          if (!isKnownException(name)) {
            this.warn(
              [...path, 'autoretry_for', i],
              `"${name}" is not a known exception type; it only matches exceptions of exactly that name.`,
              id,
            );
          }
        });
      }
    }
    const resolved = resolveTaskOptions(entry, options);
    if (
      isNumber(resolved.time_limit) &&
      isNumber(resolved.soft_time_limit) &&
      resolved.time_limit < resolved.soft_time_limit
    ) {
      this.err(
        [...path, 'time_limit'],
        `"time_limit" (${resolved.time_limit} s) is shorter than "soft_time_limit" (${resolved.soft_time_limit} s): the soft limit could never fire. Make time_limit larger.`,
        id,
      );
    }
  }

  private sim(sim: SimModel, path: NodePath, id?: string): void {
    const s = sim as Record<string, unknown>;
    if (
      'fail_probability' in s &&
      !(isNumber(s.fail_probability) && s.fail_probability >= 0 && s.fail_probability <= 1)
    ) {
      this.err(
        [...path, 'fail_probability'],
        `"fail_probability" must be between 0 and 1, not ${show(s.fail_probability)}.`,
        id,
      );
    }
    for (const key of ['fail_first', 'extra_delay_ms'] as const) {
      if (key in s && !(isNumber(s[key]) && (s[key] as number) >= 0)) {
        this.err([...path, key], `"${key}" must be a number ≥ 0, not ${show(s[key])}.`, id);
      }
    }
    const d = s.duration_ms;
    if (d !== undefined) {
      const values =
        typeof d === 'number'
          ? [d]
          : Object.entries(d as object)
              .filter(([k]) => k !== 'dist')
              .map(([, v]) => v);
      if (values.some((v) => !(isNumber(v) && v >= 0))) {
        this.err([...path, 'duration_ms'], 'Simulated durations must be numbers of milliseconds ≥ 0.', id);
      }
    }
  }

  private arity(node: TaskNode, entry: CatalogueEntry, path: NodePath, incoming: number): void {
    const positional = entry.params.filter((p) => p.kind === 'positional');
    const varargs = entry.params.some((p) => p.kind === 'varargs');
    const given = (node.immutable ? 0 : incoming) + node.args.length;
    const byKeyword = new Set(Object.keys(node.kwargs ?? {}));
    const names = new Set(entry.params.map((p) => p.name));
    const required = positional.filter(
      (p, i) => p.default === undefined && i >= given && !byKeyword.has(p.name),
    );
    const sig = `${entry.name}(${entry.params.map((p) => (p.kind === 'varargs' ? `*${p.name}` : p.name)).join(', ')})`;
    const from =
      given === node.args.length
        ? `${node.args.length} argument(s)`
        : `${node.args.length} stored argument(s) plus ${given - node.args.length} passed in`;
    if (required.length > 0) {
      this.warn(
        [...path, 'args'],
        `${sig} will get ${from} and miss ${required.map((p) => `"${p.name}"`).join(', ')}.`,
        node.id,
      );
    } else if (!varargs && given > positional.length) {
      this.warn(
        [...path, 'args'],
        `${sig} takes at most ${positional.length} positional argument(s) but will get ${from}.`,
        node.id,
      );
    }
    if (entry.any_kwargs === true) return;
    for (const key of byKeyword) {
      if (!names.has(key)) this.warn([...path, 'kwargs', key], `${sig} has no parameter "${key}".`, node.id);
    }
  }

  run(file: CanvasFile): Problem[] {
    if (
      this.config.task_allow_error_cb_on_chord_header !== undefined &&
      typeof this.config.task_allow_error_cb_on_chord_header !== 'boolean'
    ) {
      this.problems.push(
        error('config.task_allow_error_cb_on_chord_header', 'This setting must be true or false.'),
      );
    }
    this.node(file.canvas, [], file.invoke?.args?.length ?? 0);
    return this.problems;
  }
}

/**
 * Every problem of `file` against `catalogue`: unknown tasks (with a suggestion), chords without body,
 * bad retry/time-limit values, duplicate or unusable `id` labels, wrong argument counts (warnings), …
 */
export function validateCanvas(file: CanvasFile, catalogue: TaskCatalogue): Problem[] {
  return new Validator(catalogue, file.config ?? { task_allow_error_cb_on_chord_header: false }).run(file);
}
