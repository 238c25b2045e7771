import { describe, expect, it } from 'vitest';
import { chain, chord, group, task } from './build';
import { createCatalogue } from './catalogue';
import { countPayloadTakers, MAX_PAYLOAD_COPY_BYTES, payloadCopyProblem, withPayload } from './payload';

const catalogue = createCatalogue();

describe('payload copies', () => {
  it('counts every task node that takes a payload, callbacks and chord bodies included', () => {
    const errback = task('TASK_D');
    const canvas = chain(
      { ...task('TASK_A', [null]), link_error: [errback] },
      chord([task('TASK_B'), task('TASK_C'), task('identity', [1])], task('TASK_D')),
      group(task('identity', [2])),
    );
    expect(countPayloadTakers(canvas, catalogue)).toBe(5);
    // Director's runs give it to every task.
    expect(countPayloadTakers(canvas, undefined)).toBe(7);
  });

  it('refuses copies past the limit, with the figures in the sentence', () => {
    expect(payloadCopyProblem({ raw: 'x'.repeat(100) }, 10_000)).toBeUndefined();
    expect(payloadCopyProblem('x'.repeat(10_000_000), 1)).toBeUndefined();
    const problem = payloadCopyProblem({ raw: 'x'.repeat(1_000_000) }, 100);
    expect(problem).toMatch(/copied into 100 tasks that take one \(95\.4 MB in all, over the 64\.0 MB/);
    expect(payloadCopyProblem('x'.repeat(1000), 11, 10_000)).toMatch(/copied into 11 tasks/);
    expect(payloadCopyProblem('x'.repeat(1000), 9, 10_000)).toBeUndefined();
    expect(MAX_PAYLOAD_COPY_BYTES).toBe(64 * 1024 * 1024);
  });

  it('writes the payload into the tasks that take one, over their own', () => {
    const file = {
      canvas: chain(task('TASK_A', [null], { kwargs: { payload: { raw: 'own' } } }), task('identity', [1])),
      invoke: { args: [], kwargs: {} },
      config: { task_allow_error_cb_on_chord_header: false },
    };
    const out = withPayload(file, { raw: 'given' }, catalogue);
    const [a, b] = out.canvas.type === 'chain' ? out.canvas.tasks : [];
    expect(a?.type === 'task' && a.kwargs.payload).toEqual({ raw: 'given' });
    expect(b?.type === 'task' && b.kwargs.payload).toBeUndefined();
  });
});
