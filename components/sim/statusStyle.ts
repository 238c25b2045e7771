/** Colours and words per node status, shared by node badges, the drawer and the legend. */
import type { NodeRunStatus } from './model/runState';
import type { BarOutcome } from './model/timeline';

/** Saturated mid-tones readable with white text on light and dark canvases. */
export const STATUS_COLOR: Record<NodeRunStatus, string> = {
  pending: '#8a93a6',
  queued: '#6b7fa3',
  running: '#3b7ddd',
  retry_wait: '#c98500',
  success: '#2f9e5c',
  failure: '#d3453c',
  upstream_failed: '#8d6cae',
  not_run: '#8a93a6',
  revoked: '#6d6d6d',
};

export const STATUS_LABEL: Record<NodeRunStatus, string> = {
  pending: 'waiting',
  queued: 'queued',
  running: 'running',
  retry_wait: 'waiting to retry',
  success: 'success',
  failure: 'failure',
  upstream_failed: 'upstream failed',
  not_run: 'never ran',
  revoked: 'revoked',
};

/** Bar fills by attempt outcome (CSS variables of the panel, with fallbacks). */
export const OUTCOME_FILL: Record<BarOutcome, string> = {
  success: 'var(--st-success, #2f9e5c)',
  retry: 'var(--st-retry, #d99100)',
  failure: 'var(--st-failure, #d3453c)',
  replaced: 'var(--st-queued, #7f8ea8)',
  running: 'var(--st-running, #3b7ddd)',
  revoked: 'var(--st-revoked, #6d6d6d)',
};

export const OUTCOME_LABEL: Record<BarOutcome, string> = {
  success: 'succeeded',
  retry: 'failed, retried',
  failure: 'failed (final)',
  replaced: 'replaced (Task.replace)',
  running: 'running',
  revoked: 'revoked (run canceled)',
};
