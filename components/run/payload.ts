/**
 * The run payload, as celery-director gives it to every task (`lib/canvas/payload.ts` injects it), and
 * the payload editor's parsing. Pure.
 */
import type { Json } from '@/lib/canvas/model';

/** The tutorial's payload (seed-tutorial-and-director.md 1.5) with a scenario. */
export function tutorialPayload(scenario = 'happy'): Json {
  return { raw: 'hello world', scenario };
}

export { payloadIn, withPayload } from '@/lib/canvas/payload';

/** Parses the payload editor's text: a sentence when it is not a JSON object. */
export function parsePayloadText(text: string): { ok: true; payload: Json } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, payload: {} };
  try {
    const value = JSON.parse(text) as Json;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return {
        ok: false,
        message: 'The payload must be a JSON object, e.g. {"raw": "hello world", "scenario": "flaky"}.',
      };
    return { ok: true, payload: value };
  } catch (err) {
    return {
      ok: false,
      message: `The payload is not valid JSON (${err instanceof Error ? err.message : 'parse error'}). Fix it and press Run again.`,
    };
  }
}
