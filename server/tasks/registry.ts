/**
 * The task registry of a process: the catalogue (built-ins, tutorial tasks, the user's task modules)
 * plus the user tasks' code. User tasks come from a tasks directory (`CHORDFLOW_TASKS_DIR`, default
 * `./tasks`, or `--tasks DIR`): every `.ts`/`.js`/`.mjs` module under it (subfolders too) exports one
 * task or several — `export default task`, `export default [taskA, taskB]`, `export const task` or
 * `export const tasks`. See docs/writing-tasks.md and `tasks/example_upper.ts`.
 * The browser can only name registered tasks; it never sends code.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import {
  type CatalogueEntry,
  CatalogueError,
  createCatalogue,
  mergeCatalogue,
  type TaskCatalogue,
  type TaskParam,
} from '../../lib/canvas/catalogue';
import type { DurationModel, Json, JsonObject, TaskOptions } from '../../lib/canvas/model';
import type { AttemptOutcome } from '../../lib/engine/types';
import { importTaskModule } from './compiledImport';

export interface UserTaskContext {
  task_id: string;
  run_id: string;
  /** Celery `request.retries`. */
  retries: number;
  /** Aborted when the run is canceled or a time limit is hit: pass it to `fetch`, check it in loops. */
  signal: AbortSignal;
  /** Celery `self.retry(...)`: call it as `throw ctx.retry({countdown: 1})`. */
  retry(options?: { countdown?: number; max_retries?: number | null; exc?: Error }): Error;
}

export interface UserTaskModule {
  name: string;
  description?: string;
  /**
   * Parameter names (positional) or full descriptions. Leave it out for a director-style task that takes
   * anything, `(*args, **kwargs)`.
   */
  params?: Array<string | TaskParam>;
  /** Default options: retry policy, time limits, `queue` (Celery task options, seconds). */
  defaults?: TaskOptions;
  /** Simulation model: how long one attempt takes in the simulator (ms, or a distribution). */
  sim?: { duration_ms?: number | DurationModel };
  /** Replace a task of the same name (a built-in, or one from another module) on purpose. */
  override?: boolean;
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

/** The tasks a module exports (default or named `task`/`tasks`, one task or a list). */
function exportedTasks(mod: Record<string, unknown>): UserTaskModule[] {
  const out: UserTaskModule[] = [];
  for (const value of [mod.default, mod.task, mod.tasks]) {
    const list = Array.isArray(value) ? value : [value];
    for (const t of list) if (isTaskModule(t) && !out.includes(t)) out.push(t);
  }
  return out;
}

/** The catalogue entry of a user task defined in `module`. */
export function userEntry(task: UserTaskModule, module: string): CatalogueEntry {
  const params: TaskParam[] =
    task.params === undefined
      ? [{ name: 'args', kind: 'varargs' }]
      : task.params.map((p) => (typeof p === 'string' ? { name: p, kind: 'positional' } : p));
  const d = task.sim?.duration_ms;
  const duration: DurationModel =
    d === undefined ? { dist: 'fixed', ms: 5 } : typeof d === 'number' ? { dist: 'fixed', ms: d } : d;
  const positional = params.filter((p) => p.kind === 'positional').length;
  return {
    name: task.name,
    description: task.description ?? `user task ${task.name}`,
    params,
    defaults: task.defaults ?? {},
    duration_ms: duration,
    errback_style: positional > 1 || params.some((p) => p.kind === 'varargs') ? 'new' : 'old',
    source: 'user',
    module,
    ...(task.params === undefined ? { any_kwargs: true } : {}),
    ...(task.override ? { override: true } : {}),
  };
}

export interface TaskRegistry {
  catalogue: TaskCatalogue;
  userTasks: ReadonlyMap<string, UserTaskModule>;
  /** Modules that could not be loaded or export no task (sentences; the rest still loads). */
  problems: string[];
  /** The directory read (absolute), when there was one. */
  dir?: string;
  /** Source file of each user task (absolute): tasks with time limits run from it on a worker thread. */
  taskFiles?: ReadonlyMap<string, string>;
}

const MODULE_EXT = ['.ts', '.js', '.mjs', '.mts'];

/** Module files under `dir` (sorted, relative paths), skipping tests, declarations and node_modules. */
function moduleFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const full = join(d, name);
      let isDir = false;
      try {
        isDir = statSync(full).isDirectory();
      } catch {
        continue;
      }
      if (isDir) {
        if (depth < 8) walk(full, depth + 1);
      } else if (
        MODULE_EXT.includes(extname(name)) &&
        !name.endsWith('.d.ts') &&
        !name.includes('.test.') &&
        !name.includes('.spec.')
      ) {
        out.push(relative(dir, full));
      }
    }
  };
  walk(dir, 0);
  return out;
}

/**
 * Loads the user's task modules from `dir` (a missing directory means none) and builds the catalogue.
 * A module that fails to load is reported in `problems`; a task whose name is already taken (a built-in,
 * a tutorial task, another module's) throws a `CatalogueError` unless the task says `override: true`.
 */
export async function loadTaskRegistry(dir: string | undefined): Promise<TaskRegistry> {
  const userTasks = new Map<string, UserTaskModule>();
  const taskFiles = new Map<string, string>();
  const entries: CatalogueEntry[] = [];
  const problems: string[] = [];
  const abs = dir ? resolve(dir) : undefined;
  if (abs) {
    for (const file of moduleFiles(abs)) {
      const module = file.slice(0, -extname(file).length).split(sep).join('/');
      try {
        const mod = await importTaskModule(join(abs, file));
        const tasks = exportedTasks(mod);
        if (tasks.length === 0) {
          problems.push(`${file} exports no task: export default {name, run(args, kwargs, ctx)}.`);
          continue;
        }
        for (const task of tasks) {
          entries.push(userEntry(task, module));
          userTasks.set(task.name, task);
          taskFiles.set(task.name, join(abs, file));
        }
      } catch (err) {
        problems.push(`${file} could not be loaded: ${err instanceof Error ? err.message : String(err)}.`);
      }
    }
  }
  const { catalogue, clashes } = mergeCatalogue(createCatalogue(), entries);
  if (clashes.length > 0) throw new CatalogueError(clashes);
  return { catalogue, userTasks, problems, taskFiles, ...(abs ? { dir: abs } : {}) };
}

/** The tasks directory a command uses: `--tasks DIR`, else `CHORDFLOW_TASKS_DIR`, else `./tasks`. */
export function tasksDirOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.CHORDFLOW_TASKS_DIR || './tasks';
}
