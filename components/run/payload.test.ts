import { describe, expect, it } from 'vitest';
import { canvasFile, chain, group, task } from '@/lib/canvas/build';
import { createCatalogue } from '@/lib/canvas/catalogue';
import type { ChainNode, TaskNode } from '@/lib/canvas/model';
import { parsePayloadText, payloadIn, tutorialPayload, withPayload } from './payload';

describe('run payload', () => {
  it('puts the payload into the kwargs of the tutorial tasks only', () => {
    const file = canvasFile(
      chain(task('TASK_A', [null]), group(task('TASK_B'), task('add', [1, 2])), task('TASK_D')),
    );
    const out = withPayload(file, tutorialPayload('flaky'), createCatalogue());
    const root = out.canvas as ChainNode;
    expect((root.tasks[0] as TaskNode).kwargs).toEqual({
      payload: { raw: 'hello world', scenario: 'flaky' },
    });
    const g = root.tasks[1] as ChainNode;
    expect((g.tasks[0] as TaskNode).kwargs.payload).toEqual({ raw: 'hello world', scenario: 'flaky' });
    expect((g.tasks[1] as TaskNode).kwargs).toEqual({});
    expect(payloadIn(out)).toEqual({ raw: 'hello world', scenario: 'flaky' });
    expect(payloadIn(file)).toBeUndefined();
  });

  it('explains a payload that is not a JSON object', () => {
    expect(parsePayloadText('{"scenario": "down"}')).toEqual({ ok: true, payload: { scenario: 'down' } });
    const bad = parsePayloadText('{"scenario": ');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/^The payload is not valid JSON/);
    const list = parsePayloadText('[1]');
    expect(list.ok).toBe(false);
  });
});
