/**
 * A task's resolved options: Celery's defaults, then the catalogue entry's, then the canvas node's, with
 * every retry field filled (what the core reads when it decides a retry).
 */
import type { CatalogueEntry } from '../canvas/catalogue';
import { resolveTaskOptions } from '../canvas/catalogue';
import type { TaskOptions } from '../canvas/model';
import { SEND_OPTION_KEYS } from '../canvas/sendOptions';
import type { ResolvedOptions } from './types';

/** Sending options copied as given (lib/canvas/sendOptions.ts interprets them when a message is sent). */
const SEND_KEYS = ['apply_countdown', ...SEND_OPTION_KEYS] as const;

/** Celery defaults + catalogue defaults + node options, with every retry field filled. */
export function resolveOptions(entry: CatalogueEntry | undefined, node: TaskOptions): ResolvedOptions {
  const o = resolveTaskOptions(entry, node);
  const out: ResolvedOptions = {
    max_retries: o.max_retries === undefined ? 3 : o.max_retries,
    default_retry_delay: o.default_retry_delay ?? 180,
    autoretry_for: o.autoretry_for ?? [],
    retry_backoff: o.retry_backoff ?? false,
    retry_backoff_max: o.retry_backoff_max ?? 600,
    retry_jitter: o.retry_jitter ?? true,
  };
  if (o.countdown !== undefined) out.countdown = o.countdown;
  if (o.soft_time_limit !== undefined) out.soft_time_limit = o.soft_time_limit;
  if (o.time_limit !== undefined) out.time_limit = o.time_limit;
  if (o.queue !== undefined) out.queue = o.queue;
  for (const key of SEND_KEYS)
    if (o[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = o[key];
  return out;
}
