import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@/lib/protocol/events';
import { consecutiveAfter } from './runFeed';

function ev(seq: number): RunEvent {
  return { type: 'observation', run_id: 'r', seq, at: 0, observation: seq };
}

describe('feed cursor', () => {
  it('keeps only the events that continue the cursor without a hole', () => {
    expect(consecutiveAfter(2, [ev(1), ev(2), ev(3), ev(4), ev(6)]).map((e) => e.seq)).toEqual([3, 4]);
    expect(consecutiveAfter(0, [ev(2)])).toEqual([]);
    expect(consecutiveAfter(5, [])).toEqual([]);
  });
});
