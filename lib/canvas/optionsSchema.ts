/**
 * zod schemas for the leaf records of a canvas (task options, simulation models) and the translation of
 * zod issues into sentences. Structure (nodes) is walked by hand so messages name the node.
 */
import { z } from 'zod';
import { error, type Problem } from './problems';
import { SEND_OPTION_KEYS } from './sendOptions';

const nonNegative = z.number();
export const TASK_OPTION_KEYS = [
  'max_retries',
  'countdown',
  'default_retry_delay',
  'autoretry_for',
  'retry_backoff',
  'retry_backoff_max',
  'retry_jitter',
  'soft_time_limit',
  'time_limit',
  'queue',
  'apply_countdown',
  ...SEND_OPTION_KEYS,
] as const;

export const taskOptionsSchema = z.strictObject({
  max_retries: z.number().nullable().optional(),
  countdown: nonNegative.optional(),
  default_retry_delay: nonNegative.optional(),
  autoretry_for: z.array(z.string()).optional(),
  retry_backoff: z.union([z.boolean(), z.number()]).optional(),
  retry_backoff_max: nonNegative.optional(),
  retry_jitter: z.boolean().optional(),
  soft_time_limit: nonNegative.optional(),
  time_limit: nonNegative.optional(),
  queue: z.string().optional(),
  apply_countdown: nonNegative.optional(),
  eta: z.string().optional(),
  expires: z.union([z.number(), z.string()]).optional(),
  priority: z.number().optional(),
  routing_key: z.string().optional(),
  ignore_result: z.boolean().optional(),
  shadow: z.string().optional(),
});

export const durationSchema = z.union([
  z.number(),
  z.strictObject({ dist: z.literal('fixed'), ms: z.number() }),
  z.strictObject({ dist: z.literal('uniform'), min_ms: z.number(), max_ms: z.number() }),
  z.strictObject({ dist: z.literal('normal'), mean_ms: z.number(), sd_ms: z.number() }),
  z.strictObject({ dist: z.literal('exponential'), mean_ms: z.number() }),
]);

export const simSchema = z.strictObject({
  duration_ms: durationSchema.optional(),
  fail_first: z.number().optional(),
  fail_probability: z.number().optional(),
  extra_delay_ms: z.number().optional(),
  down: z.boolean().optional(),
  error: z.strictObject({ type: z.string(), message: z.string().optional() }).optional(),
});

/** Python-ish name of a JSON value's kind, for messages. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function joinPath(base: string, parts: ReadonlyArray<PropertyKey>): string {
  let out = base;
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

function valueAt(value: unknown, parts: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = value;
  for (const p of parts)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/**
 * Parses `value` with `schema`; on failure returns sentences (one per issue) instead of zod's text.
 * `what` names the record in messages, e.g. `options` or `sim`.
 */
export function parseLeaf<T>(
  schema: z.ZodType<T>,
  value: unknown,
  path: string,
  what: string,
  nodeId?: string,
): { ok: true; value: T } | { ok: false; problems: Problem[] } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const problems: Problem[] = [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      problems: [error(path, `"${what}" must be an object, not ${kindOf(value)}.`, nodeId)],
    };
  }
  for (const issue of result.error.issues) {
    const where = joinPath(path, issue.path);
    const key = String(issue.path[issue.path.length - 1] ?? what);
    if (issue.code === 'unrecognized_keys') {
      const known = what === 'options' ? ` Known options: ${TASK_OPTION_KEYS.join(', ')}.` : '';
      for (const k of issue.keys) {
        problems.push(error(joinPath(where, [k]), `Unknown ${what} field "${k}".${known}`, nodeId));
      }
    } else if (issue.code === 'invalid_type') {
      const got = valueAt(value, issue.path);
      problems.push(
        error(where, `"${key}" must be ${article(String(issue.expected))}, not ${kindOf(got)}.`, nodeId),
      );
    } else {
      const got = valueAt(value, issue.path);
      problems.push(
        error(where, `"${key}" has an invalid value (${kindOf(got)}): ${issue.message}.`, nodeId),
      );
    }
  }
  return { ok: false, problems };
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'an object';
  return `a ${expected}`;
}
