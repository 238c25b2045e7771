/**
 * Celery's own signature JSON: exactly what `json.dumps(sig)` prints in Python for the canvas built with
 * `celery.chain/group/chord` and `.s()/.si()/.set()/.link()/.link_error()` (Celery 5.6 composition,
 * see normalize.ts). Node options go into `options` as `.set(...)` would put them, the `id` label into
 * `options.task_id`, a simulation model into `options.chordflow_sim` (ignored by Celery), and links where
 * Celery's link methods put them (links.ts).
 *
 * Not representable in a signature: `invoke` (call-time arguments) and `config`; `toCeleryJson` reports
 * them as warnings.
 */

import { deepEqual } from './build';
import { DEFAULT_CONFIG, parseJsonText } from './canvasJson';
import { fromCeleryOptionKey, PER_NODE_RETRY_KEYS, toCeleryOptionKey } from './celeryOptions';
import { pushDownLinks, setImmutable } from './links';
import type { CanvasFile, CanvasNode, Json, JsonObject, TaskNode, TaskOptions } from './model';
import { composeCanvas } from './normalize';
import { kindOf, parseLeaf, simSchema, TASK_OPTION_KEYS, taskOptionsSchema } from './optionsSchema';
import { error, fail, ok, type ParseResult, type Problem, warning } from './problems';

/** Option keys Celery itself sets while freezing or linking; they carry no canvas meaning. */
const RUNTIME_OPTION_KEYS = new Set([
  'immutable',
  'chord_size',
  'root_id',
  'parent_id',
  'group_id',
  'group_index',
  'chord',
  'reply_to',
]);

function optionsJson(node: CanvasNode): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node.options ?? {}))
    if (v !== undefined) out[toCeleryOptionKey(k)] = v as Json;
  if (node.type === 'task') {
    if (node.id !== undefined) out.task_id = node.id;
    if (node.sim !== undefined) out.chordflow_sim = node.sim as unknown as JsonObject;
  }
  if (node.link.length > 0) out.link = node.link.map(signatureJson);
  if (node.link_error.length > 0) out.link_error = node.link_error.map(signatureJson);
  return out;
}

/** One node (already composed and with links pushed down) as Celery signature JSON. */
export function signatureJson(node: CanvasNode): JsonObject {
  switch (node.type) {
    case 'task':
      return {
        task: node.task,
        args: node.args,
        kwargs: node.kwargs,
        options: optionsJson(node),
        subtask_type: null,
        immutable: node.immutable,
      };
    case 'chain':
    case 'group':
      return {
        task: `celery.${node.type}`,
        args: [],
        kwargs: { tasks: node.tasks.map(signatureJson) },
        options: optionsJson(node),
        subtask_type: node.type,
        immutable: false,
      };
    case 'chord':
      return {
        task: 'celery.chord',
        args: [],
        kwargs: { kwargs: {}, header: node.header.map(signatureJson), body: signatureJson(node.body) },
        options: optionsJson(node),
        subtask_type: 'chord',
        immutable: false,
      };
  }
}

/** The Celery form of a canvas node: composed like `celery.chain(...)` and links placed like Celery. */
export function toCeleryTree(file: CanvasFile): CanvasNode {
  const config = { allowErrorCbOnChordHeader: file.config.task_allow_error_cb_on_chord_header };
  return pushDownLinks(composeCanvas(file.canvas, config), config);
}

/** What `json.dumps(sig)` prints, plus warnings for what a signature cannot hold. */
export function toCeleryJson(file: CanvasFile): { json: JsonObject; warnings: Problem[] } {
  const warnings: Problem[] = [];
  if (file.invoke.args.length > 0 || Object.keys(file.invoke.kwargs).length > 0) {
    warnings.push(
      warning(
        'invoke',
        'Call-time arguments ("invoke") are not part of a Celery signature; pass them to apply_async().',
      ),
    );
  }
  if (!deepEqual(file.config, DEFAULT_CONFIG)) {
    warnings.push(
      warning(
        'config',
        'The "config" settings are Celery app settings, not part of a signature; set them on the app.',
      ),
    );
  }
  return { json: signatureJson(toCeleryTree(file)), warnings };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True when `value` looks like Celery signature JSON (has `task` and `subtask_type`). */
export function looksLikeCelerySignature(value: unknown): boolean {
  return isObject(value) && typeof value.task === 'string' && 'subtask_type' in value;
}

class SignatureReader {
  readonly problems: Problem[] = [];

  node(value: unknown, path: string): CanvasNode | null {
    if (!isObject(value)) {
      this.problems.push(error(path, `Expected a Celery signature object, found ${kindOf(value)}.`));
      return null;
    }
    if (typeof value.task !== 'string') {
      this.problems.push(
        error(`${path}.task`, `"task" must be a task name string, not ${kindOf(value.task)}.`),
      );
      return null;
    }
    const type = value.subtask_type ?? null;
    const kwargs = isObject(value.kwargs) ? value.kwargs : {};
    if (value.kwargs !== undefined && !isObject(value.kwargs)) {
      this.problems.push(error(`${path}.kwargs`, `"kwargs" must be an object, not ${kindOf(value.kwargs)}.`));
    }
    const options = isObject(value.options) ? value.options : {};
    if (type === null) return this.task(value, kwargs, options, path);
    const lists = this.links(options, path);
    if (Array.isArray(value.args) && value.args.length > 0) {
      this.problems.push(
        warning(
          `${path}.args`,
          `Partial arguments on a ${String(type)} signature are not kept; give them to its first task instead.`,
        ),
      );
    }
    if (type === 'chain' || type === 'group') {
      const tasks = kwargs.tasks;
      if (!Array.isArray(tasks)) {
        this.problems.push(
          error(`${path}.kwargs.tasks`, `A ${type} signature needs "kwargs.tasks" as a list.`),
        );
        return null;
      }
      const own = this.options(options, path, undefined);
      const nodes = this.nodes(tasks, `${path}.kwargs.tasks`);
      // An immutable chain (e.g. a group callback copy) ignores call-time args, as its first step would.
      const first = nodes[0];
      if (type === 'chain' && value.immutable === true && first) nodes[0] = setImmutable(first);
      // Celery's from_dict builds `_chain(tasks)` without folding: keep the steps as they are.
      const opts = own && Object.keys(own).length > 0 ? { options: own } : {};
      return type === 'chain'
        ? { type, tasks: nodes, ...lists, ...opts, raw: true }
        : { type, tasks: nodes, ...lists, ...opts };
    }
    if (type === 'chord') {
      let header: unknown = kwargs.header;
      // Celery accepts a group signature as the header.
      if (isObject(header) && header.subtask_type === 'group' && isObject(header.kwargs))
        header = header.kwargs.tasks;
      if (!Array.isArray(header)) {
        this.problems.push(
          error(`${path}.kwargs.header`, 'A chord signature needs "kwargs.header" as a list of signatures.'),
        );
        return null;
      }
      if (kwargs.body === undefined || kwargs.body === null) {
        this.problems.push(
          error(`${path}.kwargs.body`, 'This chord has no body: "kwargs.body" must be a signature.'),
        );
        return null;
      }
      const body = this.node(kwargs.body, `${path}.kwargs.body`);
      const own = this.options(options, path, undefined);
      if (!body) return null;
      const opts = own && Object.keys(own).length > 0 ? { options: own } : {};
      return { type: 'chord', header: this.nodes(header, `${path}.kwargs.header`), body, ...lists, ...opts };
    }
    this.problems.push(
      error(
        `${path}.subtask_type`,
        `Unsupported signature type ${JSON.stringify(type)}: Chordflow reads task, chain, group and chord signatures.`,
      ),
    );
    return null;
  }

  private nodes(list: unknown[], path: string): CanvasNode[] {
    const out: CanvasNode[] = [];
    list.forEach((item, i) => {
      const n = this.node(item, `${path}[${i}]`);
      if (n) out.push(n);
    });
    return out;
  }

  private links(
    options: Record<string, unknown>,
    path: string,
  ): { link: CanvasNode[]; link_error: CanvasNode[] } {
    const read = (key: 'link' | 'link_error'): CanvasNode[] => {
      const raw = options[key];
      if (raw === undefined || raw === null) return [];
      const list = Array.isArray(raw) ? raw : [raw];
      return this.nodes(list, `${path}.options.${key}`);
    };
    return { link: read('link'), link_error: read('link_error') };
  }

  /**
   * A signature's `options` as Chordflow node options (Celery names mapped, see celeryOptions.ts);
   * anything else is reported, never dropped silently. `null` when an option has a bad value.
   */
  private options(
    options: Record<string, unknown>,
    path: string,
    id: string | undefined,
  ): TaskOptions | null {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(options)) {
      if (['task_id', 'link', 'link_error', 'chordflow_sim'].includes(key) || RUNTIME_OPTION_KEYS.has(key))
        continue;
      const own = fromCeleryOptionKey(key);
      if ((TASK_OPTION_KEYS as readonly string[]).includes(own)) {
        out[own] = v;
        if (PER_NODE_RETRY_KEYS.has(own))
          this.problems.push(
            warning(
              `${path}.options.${key}`,
              `Celery ignores "${key}" set on a signature (it is a task attribute); Chordflow applies it to this node.`,
              id,
            ),
          );
      } else {
        const why =
          key === 'retry' || key === 'retry_policy'
            ? ' (it is about retrying the publish to the broker, which Chordflow does not model)'
            : '';
        this.problems.push(
          warning(
            `${path}.options.${key}`,
            `The option "${key}" is not a Chordflow option and is not kept${why}.`,
            id,
          ),
        );
      }
    }
    const parsed = parseLeaf(taskOptionsSchema, out, `${path}.options`, 'options', id);
    if (!parsed.ok) {
      this.problems.push(...parsed.problems);
      return null;
    }
    return Object.fromEntries(Object.entries(parsed.value).filter(([, v]) => v !== undefined)) as TaskOptions;
  }

  private task(
    value: Record<string, unknown>,
    kwargs: Record<string, unknown>,
    options: Record<string, unknown>,
    path: string,
  ): TaskNode | null {
    const id = typeof options.task_id === 'string' ? options.task_id : undefined;
    const taskOptions = this.options(options, path, id);
    if (taskOptions === null) return null;
    if (value.args !== undefined && !Array.isArray(value.args)) {
      this.problems.push(error(`${path}.args`, `"args" must be a list, not ${kindOf(value.args)}.`, id));
      return null;
    }
    const node: TaskNode = {
      type: 'task',
      task: value.task as string,
      args: (value.args as Json[] | undefined) ?? [],
      kwargs: kwargs as JsonObject,
      immutable: value.immutable === true,
      options: taskOptions,
      ...this.links(options, path),
    };
    if (id !== undefined) node.id = id;
    if (options.chordflow_sim !== undefined) {
      const sim = parseLeaf(simSchema, options.chordflow_sim, `${path}.options.chordflow_sim`, 'sim', id);
      if (sim.ok) node.sim = sim.value as TaskNode['sim'] & object;
      else this.problems.push(...sim.problems);
    }
    return node;
  }
}

/** Reads a parsed Celery signature JSON value into a canvas file (default invoke and config). */
export function canvasFileFromCeleryJson(value: unknown): ParseResult<CanvasFile> {
  const reader = new SignatureReader();
  const canvas = reader.node(value, 'canvas');
  const errors = reader.problems.filter((p) => p.severity === 'error');
  if (!canvas || errors.length > 0) return fail(reader.problems);
  return ok(
    { canvas, invoke: { args: [], kwargs: {} }, config: { ...DEFAULT_CONFIG } },
    reader.problems.filter((p) => p.severity === 'warning'),
  );
}

/** Reads Celery signature JSON text. */
export function parseCeleryJson(text: string): ParseResult<CanvasFile> {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return parsed;
  return canvasFileFromCeleryJson(parsed.value);
}
