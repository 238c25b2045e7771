/**
 * `GET /api/tasks` — the task catalogue as JSON (SPEC 2.4): every task a canvas may name, with its
 * source, module, signature, description, default options (Celery's defaults filled in, queue included)
 * and simulation model. The editor's palette reads it to show the user's tasks.
 */
import {
  type CatalogueEntry,
  resolveTaskOptions,
  signatureOf,
  type TaskCatalogue,
  type TaskParam,
} from '../../../lib/canvas/catalogue';
import type { DurationModel, TaskOptions } from '../../../lib/canvas/model';

export interface TaskJson {
  name: string;
  source: CatalogueEntry['source'];
  module: string;
  signature: string;
  description: string;
  params: TaskParam[];
  /** The options a node gets when it sets none (Celery's defaults, then the task's). */
  defaults: TaskOptions & { queue: string };
  /** Only what the task itself sets (what a catalogue built from this JSON needs). */
  options: TaskOptions;
  sim: { duration_ms: DurationModel };
  errback_style: 'new' | 'old';
  override?: boolean;
  any_kwargs?: boolean;
}

/** One task of the catalogue as the API shows it. */
export function taskJson(entry: CatalogueEntry): TaskJson {
  const defaults = resolveTaskOptions(entry, {});
  return {
    name: entry.name,
    source: entry.source,
    module: entry.module ?? entry.source,
    signature: signatureOf(entry),
    description: entry.description,
    params: entry.params,
    defaults: { ...defaults, queue: defaults.queue ?? 'default' },
    options: entry.defaults,
    sim: { duration_ms: entry.duration_ms },
    errback_style: entry.errback_style,
    ...(entry.override ? { override: true } : {}),
    ...(entry.any_kwargs ? { any_kwargs: true } : {}),
  };
}

/** The whole catalogue by source (built-in, tutorial, user, celery) and module, in catalogue order. */
export function catalogueJson(catalogue: TaskCatalogue): TaskJson[] {
  const order = ['builtin', 'tutorial', 'user', 'celery'];
  return [...catalogue.values()]
    .map(taskJson)
    .sort((a, b) => order.indexOf(a.source) - order.indexOf(b.source) || a.module.localeCompare(b.module));
}
