/**
 * celery-director `workflows.yml` (seed-tutorial-and-director.md 2.1/2.2), read and written.
 *
 * A workflow's `tasks` list is a chain; an item is a task name or `{GROUP_NAME: {type: group, tasks:
 * [names]}}` (flat groups only). Director gives every task `kwargs = {workflow_id, payload}` and prepends
 * its `start` task's result (None) to the first step, so an imported first step gets `args: [null]`, and
 * every task gets `kwargs.payload` when the document carries one (the Chordflow extension key
 * `payload`, which Director ignores). `hooks`, `queue`, `periodic`, `schema` and `retention` are kept as
 * metadata (`DirectorMeta`) and written back.
 *
 * Export handles what YAML can express: a chain of plain tasks and flat groups (a chord whose header is
 * plain tasks and whose body is a task or a chain of tasks is written as a group followed by the body).
 */
import { parseDocument, stringify } from 'yaml';
import { deepEqual } from './build';
import { DEFAULT_CONFIG } from './canvasJson';
import type { CanvasFile, CanvasNode, Json, JsonObject, TaskNode } from './model';
import type { DirectorMeta } from './nativeDocument';
import { normalizeCanvas } from './normalize';
import { error, fail, ok, type ParseResult, type Problem, warning } from './problems';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const WORKFLOW_KEYS = new Set(['tasks', 'hooks', 'periodic', 'schema', 'queue', 'retention', 'payload']);

export interface DirectorImport {
  file: CanvasFile;
  director: DirectorMeta;
}

/** Reads YAML text into plain data, reporting syntax errors with line and column. */
export function parseYamlText(text: string): ParseResult<unknown> {
  // The YAML library recurses and expands aliases: a hostile file is a sentence, never a crash.
  try {
    return parseYamlDocument(text);
  } catch (err) {
    const why =
      err instanceof RangeError
        ? 'it nests too deeply'
        : err instanceof Error && /alias/i.test(err.message)
          ? 'it expands too many aliases'
          : 'it cannot be read';
    return fail([error('', `The file is not usable YAML: ${why}.`)]);
  }
}

function parseYamlDocument(text: string): ParseResult<unknown> {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const where = at ? ` at line ${at.line}, column ${at.col}` : '';
        return error(
          '',
          `The file is not valid YAML${where}: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}.`,
        );
      }),
    );
  }
  return ok(doc.toJS() as unknown);
}

/** True when a parsed YAML value looks like a workflows.yml (a `project.NAME` key with a `tasks` list). */
export function looksLikeDirectorWorkflows(value: unknown): boolean {
  return (
    isObject(value) &&
    Object.entries(value).some(([k, v]) => k.includes('.') && isObject(v) && Array.isArray(v.tasks))
  );
}

function taskNode(name: string, first: boolean, payload: Json | undefined): TaskNode {
  return {
    type: 'task',
    task: name,
    args: first ? [null] : [],
    kwargs: payload === undefined ? {} : { payload },
    immutable: false,
    options: {},
    link: [],
    link_error: [],
  };
}

/**
 * Reads a parsed workflows.yml. With several workflows, `workflow` picks one (default: the first, with a
 * warning naming the others).
 */
export function canvasFileFromDirector(value: unknown, workflow?: string): ParseResult<DirectorImport> {
  if (!isObject(value))
    return fail([error('', 'A workflows.yml must be a mapping of "project.NAME" to workflows.')]);
  const names = Object.keys(value);
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  if (names.length === 0) return fail([error('', 'This workflows.yml declares no workflow.')]);
  const name = workflow ?? (names[0] as string);
  if (!(name in value)) {
    return fail([error(name, `No workflow "${name}" in this file; it has ${names.join(', ')}.`)]);
  }
  if (workflow === undefined && names.length > 1) {
    warnings.push(
      warning(
        name,
        `The file has ${names.length} workflows; read "${name}" (others: ${names.slice(1).join(', ')}).`,
      ),
    );
  }
  if (!name.includes('.')) {
    problems.push(
      error(name, `The workflow name "${name}" must be "project.NAME" (Director splits it on the dot).`),
    );
  }
  const wf = value[name];
  if (!isObject(wf))
    return fail([error(name, `The workflow "${name}" must be a mapping with a "tasks" list.`)]);
  for (const key of Object.keys(wf)) {
    if (!WORKFLOW_KEYS.has(key))
      warnings.push(warning(`${name}.${key}`, `Unknown workflow key "${key}" is ignored.`));
  }
  if (!Array.isArray(wf.tasks) || wf.tasks.length === 0) {
    return fail([
      error(`${name}.tasks`, 'A workflow needs a non-empty "tasks" list (task names and groups).'),
    ]);
  }
  const payload = wf.payload as Json | undefined;
  const groups: string[] = [];
  const steps: CanvasNode[] = [];
  wf.tasks.forEach((item: unknown, i: number) => {
    const path = `${name}.tasks[${i}]`;
    const first = i === 0;
    if (typeof item === 'string') {
      steps.push(taskNode(item, first, payload));
      return;
    }
    if (!isObject(item) || Object.keys(item).length !== 1) {
      problems.push(
        error(
          path,
          'A task item is a task name or a one-key mapping GROUP_NAME: {type: group, tasks: [...]}.',
        ),
      );
      return;
    }
    const [groupName, spec] = Object.entries(item)[0] as [string, unknown];
    if (!isObject(spec)) {
      problems.push(
        error(
          `${path}.${groupName}`,
          `The group "${groupName}" must be a mapping {type: group, tasks: [...]}.`,
        ),
      );
      return;
    }
    if (spec.type !== 'group') {
      problems.push(
        error(
          `${path}.${groupName}.type`,
          `The group "${groupName}" needs "type: group" (Director supports no other type).`,
        ),
      );
    }
    if (!Array.isArray(spec.tasks) || spec.tasks.some((t) => typeof t !== 'string')) {
      problems.push(
        error(
          `${path}.${groupName}.tasks`,
          `The group "${groupName}" needs "tasks" as a list of task names (Director cannot nest groups or chains).`,
        ),
      );
      return;
    }
    groups.push(groupName);
    steps.push({
      type: 'group',
      tasks: (spec.tasks as string[]).map((t) => taskNode(t, first, payload)),
      link: [],
      link_error: [],
    });
  });
  if (problems.length > 0) return fail(problems);
  const director: DirectorMeta = { workflow: name };
  if (groups.length > 0) director.groups = groups;
  if (isObject(wf.hooks)) {
    const hooks: DirectorMeta['hooks'] = {};
    if (typeof wf.hooks.success === 'string') hooks.success = wf.hooks.success;
    if (typeof wf.hooks.failure === 'string') hooks.failure = wf.hooks.failure;
    director.hooks = hooks;
  }
  if (wf.queue !== undefined) director.queue = wf.queue as Json;
  if (wf.periodic !== undefined) director.periodic = wf.periodic as Json;
  if (typeof wf.schema === 'string') director.schema = wf.schema;
  if (wf.retention !== undefined) director.retention = wf.retention as Json;
  const file: CanvasFile = {
    canvas: { type: 'chain', tasks: steps, link: [], link_error: [] },
    invoke: { args: [], kwargs: {} },
    config: { ...DEFAULT_CONFIG },
  };
  return ok({ file, director }, warnings);
}

/** Reads workflows.yml text. */
export function parseDirectorYaml(text: string, workflow?: string): ParseResult<DirectorImport> {
  const parsed = parseYamlText(text);
  if (!parsed.ok) return parsed;
  return canvasFileFromDirector(parsed.value, workflow);
}

type Item =
  | { kind: 'task'; node: TaskNode; path: string }
  | { kind: 'group'; nodes: TaskNode[]; path: string };

/** Flattens the normalized canvas into Director's item list, or explains why it cannot. */
function toItems(root: CanvasNode, problems: Problem[]): Item[] {
  const items: Item[] = [];
  const plainTasks = (list: CanvasNode[], path: string, what: string): TaskNode[] | null => {
    const out: TaskNode[] = [];
    list.forEach((n, i) => {
      if (n.type === 'task') out.push(n);
      else {
        problems.push(
          error(
            `${path}[${i}]`,
            `Director ${what} can only hold plain task names, but this is a ${n.type} (Director cannot nest).`,
          ),
        );
      }
    });
    return out.length === list.length ? out : null;
  };
  const step = (n: CanvasNode, path: string): void => {
    // A task's own callbacks are reported with its other fields below.
    if (n.type !== 'task' && (n.link.length > 0 || n.link_error.length > 0)) {
      problems.push(
        error(
          path,
          `Director cannot attach callbacks or errbacks to a ${n.type} (only workflow-level hooks).`,
        ),
      );
    }
    if (n.type === 'task') items.push({ kind: 'task', node: n, path });
    else if (n.type === 'group') {
      const nodes = plainTasks(n.tasks, `${path}.tasks`, 'groups');
      if (nodes) items.push({ kind: 'group', nodes, path });
    } else if (n.type === 'chord') {
      const nodes = plainTasks(n.header, `${path}.header`, 'groups');
      if (nodes) items.push({ kind: 'group', nodes, path });
      const body = n.body;
      if (body.type === 'chain') {
        for (const [i, b] of body.tasks.entries()) step(b, `${path}.body.tasks[${i}]`);
      } else step(body, `${path}.body`);
    } else {
      for (const [i, b] of n.tasks.entries()) step(b, `${path}.tasks[${i}]`);
    }
  };
  step(root, 'canvas');
  return items;
}

/**
 * Writes `file` as a workflows.yml (one workflow), or returns the problems saying why YAML cannot express
 * it. `director` carries the workflow name, group names, hooks, queue, periodic … to write back.
 */
export function toDirectorYaml(file: CanvasFile, director?: DirectorMeta): ParseResult<string> {
  const problems: Problem[] = [];
  const normalized = normalizeCanvas(file.canvas);
  const items = toItems(normalized, problems);
  if (file.invoke.args.length > 0 || Object.keys(file.invoke.kwargs).length > 0) {
    problems.push(error('invoke', 'Director workflows take no call-time arguments besides the payload.'));
  }
  if (!deepEqual(file.config, DEFAULT_CONFIG)) {
    problems.push(error('config', 'Director workflows cannot set task_allow_error_cb_on_chord_header.'));
  }
  // Every task must look like a Director task: no own args (the first step's [null] is Director's
  // start result), the same kwargs {payload} everywhere, no options, ids, links or immutability.
  let payload: Json | undefined;
  let payloadSeen = false;
  items.forEach((item, index) => {
    const nodes = item.kind === 'task' ? [item.node] : item.nodes;
    nodes.forEach((n, j) => {
      const path = item.kind === 'task' ? item.path : `${item.path}[${j}]`;
      const expectedArgs: Json[] = index === 0 ? [null] : [];
      if (!deepEqual(n.args, expectedArgs)) {
        problems.push(
          error(
            path,
            `Director cannot give task "${n.task}" its own arguments (${JSON.stringify(n.args)}): a task only receives the previous result${index === 0 ? ' (None for the first step)' : ''}.`,
          ),
        );
      }
      const keys = Object.keys(n.kwargs);
      if (keys.some((k) => k !== 'payload')) {
        problems.push(
          error(
            path,
            `Director passes only "payload" (and workflow_id) as kwargs; task "${n.task}" has ${keys.join(', ')}.`,
          ),
        );
      }
      const p = n.kwargs.payload;
      if (!payloadSeen) {
        payload = p;
        payloadSeen = true;
      } else if (!deepEqual(p, payload)) {
        problems.push(
          error(path, `Director gives every task the same payload; task "${n.task}" has a different one.`),
        );
      }
      if (n.immutable)
        problems.push(error(path, `Director cannot express an immutable signature (task "${n.task}").`));
      if (n.id !== undefined)
        problems.push(error(path, `Director generates task ids; the label "${n.id}" cannot be kept.`));
      if (Object.keys(n.options).length > 0) {
        problems.push(
          error(
            path,
            `Director cannot set per-task options (${Object.keys(n.options).join(', ')}) on "${n.task}"; set them on the Celery task.`,
          ),
        );
      }
      if (n.link.length > 0 || n.link_error.length > 0) {
        problems.push(
          error(path, `Director cannot attach callbacks or errbacks to "${n.task}" (only workflow hooks).`),
        );
      }
      if (n.sim !== undefined)
        problems.push(warning(path, `The simulation model of "${n.task}" is not kept in YAML.`));
    });
  });
  if (items.length === 0) problems.push(error('canvas', 'A Director workflow needs at least one task.'));
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) return fail(problems);

  const groupNames = [...(director?.groups ?? [])];
  let groupIndex = 0;
  const tasks: Json[] = items.map((item) => {
    if (item.kind === 'task') return item.node.task;
    const name = groupNames[groupIndex] ?? `GROUP_${groupIndex + 1}`;
    groupIndex += 1;
    return { [name]: { type: 'group', tasks: item.nodes.map((n) => n.task) } };
  });
  const wf: JsonObject = { tasks };
  if (payload !== undefined) wf.payload = payload;
  if (director?.hooks) wf.hooks = director.hooks as JsonObject;
  if (director?.queue !== undefined) wf.queue = director.queue;
  if (director?.periodic !== undefined) wf.periodic = director.periodic;
  if (director?.schema !== undefined) wf.schema = director.schema;
  if (director?.retention !== undefined) wf.retention = director.retention;
  const workflow = director?.workflow ?? 'chordflow.WORKFLOW';
  return ok(stringify({ [workflow]: wf }), problems);
}
