/**
 * The task registry of a worker: the built-in and tutorial tasks of the catalogue (implemented by the
 * core's `executeTask`) plus user tasks loaded from a tasks directory (`CHORDFLOW_TASKS_DIR`, default
 * `./tasks`): one `.ts`/`.js` module per task exporting (default or `task`)
 * `{name, description?, params?, defaults?, run(args, kwargs, ctx)}`. See `tasks/example_upper.ts`.
 * The browser can only name registered tasks; it never sends code.
 */
import { readdirSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type CatalogueEntry,
  createCatalogue,
  type TaskCatalogue,
  type TaskParam,
} from '../../lib/canvas/catalogue';
import type { Json, JsonObject, TaskOptions } from '../../lib/canvas/model';
import type { AttemptOutcome } from '../../lib/engine/types';

export interface UserTaskContext {
  task_id: string;
  run_id: string;
  /** Celery `request.retries`. */
  retries: number;
  /** Aborted when the run is canceled or a time limit is hit. */
  signal: AbortSignal;
  /** Celery `self.retry(...)`: call it as `throw ctx.retry({countdown: 1})`. */
  retry(options?: { countdown?: number; max_retries?: number | null; exc?: Error }): Error;
}

export interface UserTaskModule {
  name: string;
  description?: string;
  /** Parameter names (positional) or full descriptions. */
  params?: Array<string | TaskParam>;
  defaults?: TaskOptions;
  run(args: Json[], kwargs: JsonObject, ctx: UserTaskContext): Json | Promise<Json>;
}

class RetryRequest extends Error {
  constructor(readonly request: { countdown?: number; max_retries?: number | null; exc?: Error }) {
    super('retry');
  }
}

export function toTaskError(err: unknown): { type: string; message: string } {
  if (err instanceof Error) {
    const type = (err as { type?: unknown }).type;
    const name = typeof type === 'string' ? type : err.name === 'Error' ? 'Exception' : err.name;
    return { type: name, message: err.message };
  }
  return { type: 'Exception', message: String(err) };
}

/** Runs a user task once and turns what happened into the core's attempt outcome. */
export async function runUserTask(
  task: UserTaskModule,
  args: Json[],
  kwargs: JsonObject,
  ctx: Omit<UserTaskContext, 'retry'>,
): Promise<AttemptOutcome> {
  try {
    const value = await task.run(args, kwargs, { ...ctx, retry: (o = {}) => new RetryRequest(o) });
    const unstorable = storeProblem(value);
    // Like Celery's EncodeError: the task ran but its result cannot be stored, so it fails (once, with a
    // sentence) instead of failing the job over and over where the result is written.
    if (unstorable)
      return {
        kind: 'error',
        error: {
          type: 'EncodeError',
          message: `The result of task ${task.name} cannot be stored as JSON: ${unstorable}`,
        },
      };
    return { kind: 'success', value: value === undefined ? null : value };
  } catch (err) {
    if (err instanceof RetryRequest) {
      const r = err.request;
      return {
        kind: 'retry',
        ...(r.exc ? { exc: toTaskError(r.exc) } : {}),
        ...(r.countdown !== undefined ? { countdown_s: r.countdown } : {}),
        ...(r.max_retries !== undefined ? { max_retries: r.max_retries } : {}),
      };
    }
    return { kind: 'error', error: toTaskError(err) };
  }
}

/** Why `value` cannot be stored as JSON (a BigInt, a cycle…), or undefined when it can. */
export function storeProblem(value: unknown): string | undefined {
  try {
    JSON.stringify(value);
    return undefined;
  } catch (err) {
    const m = err instanceof Error ? err.message : String(err);
    if (/BigInt/i.test(m)) return 'it contains a BigInt (convert it to a number or a string).';
    if (/circular/i.test(m)) return 'it contains a cycle (an object that refers to itself).';
    return `${m}.`;
  }
}

function isTaskModule(value: unknown): value is UserTaskModule {
  const v = value as Partial<UserTaskModule> | undefined;
  return !!v && typeof v.name === 'string' && typeof v.run === 'function';
}

function entryOf(task: UserTaskModule): CatalogueEntry {
  const params: TaskParam[] = (task.params ?? []).map((p) =>
    typeof p === 'string' ? { name: p, kind: 'positional' } : p,
  );
  return {
    name: task.name,
    description: task.description ?? `user task ${task.name}`,
    params,
    defaults: task.defaults ?? {},
    duration_ms: { dist: 'fixed', ms: 5 },
    errback_style: params.filter((p) => p.kind === 'positional').length > 1 ? 'new' : 'old',
    category: 'user',
  };
}

export interface TaskRegistry {
  catalogue: TaskCatalogue;
  userTasks: ReadonlyMap<string, UserTaskModule>;
  /** Problems met while loading the tasks directory (sentences). */
  problems: string[];
}

/** Loads user tasks from `dir` (missing directory = none) and builds the catalogue. */
export async function loadTaskRegistry(dir: string | undefined): Promise<TaskRegistry> {
  const userTasks = new Map<string, UserTaskModule>();
  const problems: string[] = [];
  if (dir) {
    const abs = resolve(dir);
    let files: string[] = [];
    try {
      files = readdirSync(abs).filter(
        (f) => ['.ts', '.js', '.mjs'].includes(extname(f)) && !f.endsWith('.d.ts') && !f.includes('.test.'),
      );
    } catch {
      files = [];
    }
    for (const file of files.sort()) {
      try {
        const mod = (await import(pathToFileURL(join(abs, file)).href)) as Record<string, unknown>;
        const task = [mod.default, mod.task].find(isTaskModule);
        if (!task) {
          problems.push(`${file} exports no task: export default {name, run(args, kwargs, ctx)}.`);
          continue;
        }
        userTasks.set(task.name, task);
      } catch (err) {
        problems.push(`${file} could not be loaded: ${err instanceof Error ? err.message : String(err)}.`);
      }
    }
  }
  const catalogue = createCatalogue([...userTasks.values()].map(entryOf));
  return { catalogue, userTasks, problems };
}
