/**
 * Saved workflow definitions (celery-director's `project.name` workflows), stored in Redis. A definition
 * is a Canvas JSON node, drawn in the editor or imported from a `workflows.yml` (then it keeps director's
 * settings: task list, hooks, queue, periodic, the loaded JSON Schema, retention). Running a director
 * definition gives every task `{workflow_id, payload}` as director does (`directorRunFile`); running a
 * drawn one passes the payload (and the run id as `workflow_id`) to the tasks that take them.
 * `demo.PIPELINE`, the seed tutorial, is built in.
 */
import type { Redis } from 'ioredis';
import { canvasFileFromJson } from '../../lib/canvas/canvasJson';
import type { TaskCatalogue } from '../../lib/canvas/catalogue';
import { directorRunFile } from '../../lib/canvas/directorRun';
import type { CanvasFile, Json, JsonObject } from '../../lib/canvas/model';
import type { DirectorMeta } from '../../lib/canvas/nativeDocument';
import { putOwn } from '../../lib/canvas/ownKeys';
import { countPayloadTakers, payloadCopyProblem, takesPayload } from '../../lib/canvas/payload';
import type { Keys } from './keys';

/** Director's settings of a definition imported from workflows.yml. */
export interface DirectorSettings {
  /** The task list as written in YAML. */
  tasks: Json;
  hooks?: { success?: string; failure?: string };
  queue?: Json;
  periodic?: Json;
  /** The loaded JSON Schema object (director shows the object, not its file name). */
  schema?: Json;
  /** `{offset: N}`: keep the N most recent runs of this workflow. */
  retention?: Json;
  groups?: string[];
}

export interface Definition {
  project: string;
  name: string;
  fullname: string;
  description?: string;
  /** Canvas JSON (SPEC 2.1) node or file. */
  canvas: Json;
  /**
   * The pipeline input saved with the definition (the editor's Input): the default payload. A run's
   * payload is laid over it field by field, so callers send only what differs.
   */
  payload?: Json;
  builtin?: boolean;
  director?: DirectorSettings;
}

/** The director metadata `directorRunFile` needs. */
export function directorMetaOf(def: Definition): DirectorMeta | undefined {
  const d = def.director;
  if (!d) return undefined;
  return {
    workflow: def.fullname,
    ...(d.hooks ? { hooks: d.hooks } : {}),
    ...(d.queue !== undefined ? { queue: d.queue } : {}),
  };
}

/**
 * The canvas file a run of `def` executes: director definitions as director runs them, drawn ones with
 * the payload (and `workflow_id`) injected. Returns the problems when the stored canvas is broken.
 */
export function definitionRunFile(
  def: Definition,
  runId: string,
  payload: Json,
  catalogue: TaskCatalogue,
): { file: CanvasFile } | { problems: string[] } {
  const meta = directorMetaOf(def);
  let source: Json;
  try {
    source = meta ? def.canvas : injectPayload(def.canvas, payload, catalogue, runId);
  } catch (err) {
    if (err instanceof PayloadCopiesError) return { problems: [err.message] };
    throw err;
  }
  const parsed = canvasFileFromJson(source);
  if (!parsed.ok)
    return { problems: parsed.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)) };
  if (!meta) return { file: parsed.value };
  // Director gives every task the payload (its hooks too: two more).
  const problem = payloadCopyProblem(payload, countPayloadTakers(parsed.value.canvas, undefined) + 2);
  if (problem !== undefined) return { problems: [problem] };
  return { file: directorRunFile(parsed.value, meta, { workflowId: runId, payload }) };
}

/** Director's `retention: {offset: N}` of a definition: how many runs to keep, or undefined (all). */
export function retentionOffset(def: Definition): number | undefined {
  const r = def.director?.retention;
  const offset = r !== null && typeof r === 'object' && !Array.isArray(r) ? r.offset : undefined;
  return typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 ? offset : undefined;
}

const DEMO_TASKS: Record<string, Json> = {
  'demo.PIPELINE': ['TASK_A', { PARALLEL_BC: { type: 'group', tasks: ['TASK_B', 'TASK_C'] } }, 'TASK_D'],
};

/** Task names of a Canvas JSON value, in order (a drawn definition's "tasks" for director's UI). */
function taskNames(node: Json): Json[] {
  const out: Json[] = [];
  const walk = (n: Json): void => {
    if (Array.isArray(n)) for (const x of n) walk(x);
    else if (n !== null && typeof n === 'object') {
      if (typeof n.task === 'string') out.push(n.task);
      for (const [k, v] of Object.entries(n)) if (k !== 'args' && k !== 'kwargs' && k !== 'sim') walk(v);
    }
  };
  walk(node);
  return out;
}

/** A definition as `GET /api/definitions` shows it: director's keys first, then Chordflow's. */
export function definitionJson(def: Definition): JsonObject {
  const d = def.director;
  const out: JsonObject = { fullname: def.fullname, project: def.project, name: def.name };
  if (d) {
    out.tasks = d.tasks;
    if (d.hooks) out.hooks = d.hooks as JsonObject;
    if (d.queue !== undefined) out.queue = d.queue;
    if (d.periodic !== undefined) out.periodic = d.periodic;
    if (d.schema !== undefined) out.schema = d.schema;
    if (d.retention !== undefined) out.retention = d.retention;
  } else {
    out.tasks = DEMO_TASKS[def.fullname] ?? taskNames(def.canvas);
  }
  if (def.description !== undefined) out.description = def.description;
  out.canvas = def.canvas;
  if (def.payload !== undefined) out.payload = def.payload;
  if (def.builtin) out.builtin = true;
  return out;
}

export const TUTORIAL_PIPELINE: Json = {
  chain: [
    { task: 'TASK_A', args: [null] },
    { group: [{ task: 'TASK_B' }, { task: 'TASK_C' }] },
    { task: 'TASK_D' },
  ],
};

export const BUILTIN_DEFINITIONS: Definition[] = [
  {
    project: 'demo',
    name: 'PIPELINE',
    fullname: 'demo.PIPELINE',
    description: 'The seed tutorial: TASK_A → (TASK_B | TASK_C) → TASK_D; payload {raw, scenario}.',
    canvas: TUTORIAL_PIPELINE,
    builtin: true,
  },
];

const NAME_PART = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidNamePart(s: unknown): s is string {
  return typeof s === 'string' && NAME_PART.test(s);
}

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The payload's copies would make the run too big (`payloadCopyProblem`); nothing was copied. */
export class PayloadCopiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadCopiesError';
  }
}

/** Tasks of a Canvas JSON value that take `payload` (what `injectPayload` would write into). */
function countJsonTakers(node: Json, catalogue: TaskCatalogue): number {
  let n = 0;
  const stack: Json[] = [node];
  while (stack.length > 0) {
    const cur = stack.pop() as Json;
    // One push per item: a 100,000-member group spread into one call would pass V8's argument limit.
    if (Array.isArray(cur)) for (const item of cur) stack.push(item);
    else if (isObject(cur)) {
      if (typeof cur.task === 'string' && takesPayload(catalogue, cur.task)) n++;
      for (const [k, v] of Object.entries(cur)) if (k !== 'kwargs' && k !== 'args') stack.push(v);
    }
  }
  return n;
}

/**
 * Copies a Canvas JSON value, adding `payload` to the kwargs of every task whose catalogue entry takes it
 * (and, given a run id, `workflow_id` to those that take it too: director passes both). Throws
 * PayloadCopiesError, before copying, when the copies would pass MAX_PAYLOAD_COPY_BYTES.
 */
export function injectPayload(node: Json, payload: Json, catalogue: TaskCatalogue, runId?: string): Json {
  const problem = payloadCopyProblem(payload, countJsonTakers(node, catalogue));
  if (problem !== undefined) throw new PayloadCopiesError(problem);
  return copyWithPayload(node, payload, catalogue, runId);
}

function copyWithPayload(node: Json, payload: Json, catalogue: TaskCatalogue, runId?: string): Json {
  if (Array.isArray(node)) return node.map((n) => copyWithPayload(n, payload, catalogue, runId));
  if (!isObject(node)) return node;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node))
    putOwn(out, k, k === 'kwargs' || k === 'args' ? v : copyWithPayload(v, payload, catalogue, runId));
  if (typeof node.task === 'string') {
    const entry = catalogue.get(node.task);
    const takes = (name: string) => entry?.params.some((p) => p.name === name) === true;
    if (takesPayload(catalogue, node.task)) {
      const kwargs = isObject(node.kwargs) ? node.kwargs : {};
      out.kwargs = {
        ...kwargs,
        payload,
        ...(runId !== undefined && takes('workflow_id') ? { workflow_id: runId } : {}),
      };
    }
  }
  return out;
}

/** The payload a run of `def` gets: the definition's saved input with the caller's fields over it. */
export function runPayload(def: Definition, given: Json): Json {
  if (!isObject(def.payload) || !isObject(given)) return given;
  return { ...def.payload, ...given };
}

export class DefinitionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async list(): Promise<Definition[]> {
    const saved = Object.values(await this.redis.hgetall(this.keys.definitions)).map(
      (s) => JSON.parse(s) as Definition,
    );
    const names = new Set(saved.map((d) => d.fullname));
    return [...BUILTIN_DEFINITIONS.filter((d) => !names.has(d.fullname)), ...saved].sort((a, b) =>
      a.fullname.localeCompare(b.fullname),
    );
  }

  async get(fullname: string): Promise<Definition | undefined> {
    const raw = await this.redis.hget(this.keys.definitions, fullname);
    if (raw) return JSON.parse(raw) as Definition;
    return BUILTIN_DEFINITIONS.find((d) => d.fullname === fullname);
  }

  async save(def: Definition): Promise<void> {
    await this.redis.hset(this.keys.definitions, def.fullname, JSON.stringify(def));
  }

  async saveAll(defs: readonly Definition[]): Promise<void> {
    if (defs.length === 0) return;
    await this.redis.hset(this.keys.definitions, ...defs.flatMap((d) => [d.fullname, JSON.stringify(d)]));
  }
}
