import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@/lib/protocol/events';
import { beginSync, initialSequencer, onLiveEvent, onSnapshot, type SequencerState } from './liveSequencer';

function ev(seq: number): RunEvent {
  return { type: 'observation', run_id: 'r', seq, at: seq, observation: seq };
}

describe('live sequencer', () => {
  it('applies consecutive events and drops duplicates', () => {
    let s = initialSequencer();
    const applied: number[] = [];
    for (const seq of [1, 2, 2, 1, 3]) {
      const step = onLiveEvent(s, ev(seq));
      s = step.state;
      applied.push(...step.apply.map((e) => e.seq));
      expect(step.resync).toBe(false);
    }
    expect(applied).toEqual([1, 2, 3]);
  });

  it('asks for a resync on a gap and fills it from the snapshot', () => {
    let s: SequencerState = { lastSeq: 3, syncing: false, buffer: [] };
    const gap = onLiveEvent(s, ev(6));
    expect(gap.resync).toBe(true);
    expect(gap.apply).toEqual([]);
    s = onLiveEvent(gap.state, ev(7)).state;
    const snap = onSnapshot(s, [ev(4), ev(5), ev(6)]);
    expect(snap.apply.map((e) => e.seq)).toEqual([4, 5, 6, 7]);
    expect(snap.resync).toBe(false);
    expect(snap.state).toEqual({ lastSeq: 7, syncing: false, buffer: [] });
  });

  it('buffers room events that overtake the snapshot ack', () => {
    const s = beginSync(initialSequencer());
    const early = onLiveEvent(s, ev(3));
    expect(early.apply).toEqual([]);
    const snap = onSnapshot(early.state, [ev(1), ev(2), ev(3)]);
    expect(snap.apply.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  // Any interleaving of overlapping snapshots, duplicated and reordered room events, and reconnects
  // (which resubscribe from lastSeq) applies exactly 1..n in order once the full log has been served.
  test.prop([
    fc.integer({ min: 1, max: 60 }),
    fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('room' as const), seq: fc.integer({ min: 1, max: 60 }) }),
        fc.record({ kind: fc.constant('reconnect' as const), upTo: fc.integer({ min: 0, max: 60 }) }),
      ),
      { maxLength: 80 },
    ),
  ])('never applies a seq twice or out of order', (n, script) => {
    let s = beginSync(initialSequencer());
    const applied: number[] = [];
    const take = (step: { state: SequencerState; apply: RunEvent[] }) => {
      s = step.state;
      applied.push(...step.apply.map((e) => e.seq));
    };
    const snapshot = (upTo: number) =>
      Array.from({ length: Math.max(0, Math.min(n, upTo) - s.lastSeq) }, (_, i) => ev(s.lastSeq + 1 + i));
    take(onSnapshot(s, snapshot(0)));
    for (const step of script) {
      if (step.kind === 'room' && step.seq <= n) take(onLiveEvent(s, ev(step.seq)));
      if (step.kind === 'reconnect') {
        s = beginSync(s);
        take(onSnapshot(s, snapshot(step.upTo)));
      }
    }
    s = beginSync(s);
    take(onSnapshot(s, snapshot(n)));
    expect(applied).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(s.syncing).toBe(false);
  });
});
