import { describe, expect, it } from 'vitest';
import { encodeEvent, packList } from './eventCodec';

/** What encodeEvent must give: the event without `run_id`, serialised. */
function reference(event: object): string {
  const { run_id: _r, ...rest } = event as { run_id?: unknown };
  return JSON.stringify(rest);
}

describe('event codec', () => {
  it('stores an event without its run id, wherever the run id is and whatever the values hold', () => {
    const events = [
      { run_id: 'r-1', at: 3, type: 'task.succeeded', task_id: 't', attempt: 1, result: { run_id: 'r-1' } },
      { at: 3, run_id: 'r-1', type: 'observation', observation: '{"run_id":"r-1",' },
      { type: 'observation', at: 1, observation: null },
      { run_id: 'r"x', type: 'run.finished', at: 2, status: 'success', result: 'é' },
      { run_id: 'only' },
      { run_id: undefined, type: 'observation', at: 0, observation: 1 },
    ];
    for (const e of events) expect(encodeEvent(e as never)).toBe(reference(e));
  });

  it('packs values with their UTF-8 byte lengths', () => {
    expect(packList(['a:b', 'é', 12, ''])).toBe('3:a:b2:é2:120:');
  });
});
