import { describe, expect, it } from 'vitest';
import { describeInvalid, runRoom, subscribeRequestSchema, unsubscribeRequestSchema } from './socketEvents';

describe('socket protocol payloads', () => {
  it('accepts a subscribe with or without a resume point', () => {
    expect(subscribeRequestSchema.parse({ run_id: 'abc-1.2', after_seq: 5 })).toEqual({
      run_id: 'abc-1.2',
      after_seq: 5,
    });
    expect(subscribeRequestSchema.parse({ run_id: '7d1c3f0e-aa' })).toEqual({ run_id: '7d1c3f0e-aa' });
  });

  it('rejects malformed subscribes with a sentence naming the field', () => {
    for (const bad of [
      {},
      { run_id: '' },
      { run_id: 'a b' },
      { run_id: 'x', after_seq: -1 },
      { run_id: 'x', after_seq: 1.5 },
      { run_id: 'x'.repeat(201) },
      'run',
      null,
    ]) {
      const r = subscribeRequestSchema.safeParse(bad);
      expect(r.success).toBe(false);
      if (!r.success)
        expect(describeInvalid('subscribe request', r.error)).toMatch(/^Invalid subscribe request.*\.$/);
    }
    const r = subscribeRequestSchema.safeParse({ run_id: 'x', after_seq: -1 });
    if (!r.success) expect(describeInvalid('subscribe request', r.error)).toContain('(field after_seq)');
  });

  it('validates unsubscribes and names rooms per run', () => {
    expect(unsubscribeRequestSchema.safeParse({ run_id: 'r1' }).success).toBe(true);
    expect(unsubscribeRequestSchema.safeParse({ run_id: 3 }).success).toBe(false);
    expect(runRoom('r1')).toBe('run:r1');
  });
});
