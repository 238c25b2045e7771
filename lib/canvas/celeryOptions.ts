/**
 * How Chordflow's node options are spelt in Celery (signature JSON, Python `.set()`), and back.
 *
 * Two names differ: Chordflow's `countdown` is the retry delay (SPEC 2.1), written
 * `chordflow_retry_countdown` so Celery does not delay the first run; Chordflow's `apply_countdown` is
 * Celery's `countdown` (start the task that many seconds after sending). Every other option has Celery's
 * own name.
 */

/** Celery option name of a Chordflow option. */
export function toCeleryOptionKey(key: string): string {
  if (key === 'countdown') return 'chordflow_retry_countdown';
  if (key === 'apply_countdown') return 'countdown';
  return key;
}

/** Chordflow option name of a Celery option. */
export function fromCeleryOptionKey(key: string): string {
  if (key === 'countdown') return 'apply_countdown';
  if (key === 'chordflow_retry_countdown') return 'countdown';
  return key;
}

/**
 * Retry options that a Celery worker ignores when they come through `.set()` (they are `Task`
 * attributes): Chordflow enforces them per node, so importing them changes behaviour — say so.
 */
export const PER_NODE_RETRY_KEYS = new Set([
  'max_retries',
  'default_retry_delay',
  'autoretry_for',
  'retry_backoff',
  'retry_backoff_max',
  'retry_jitter',
]);
