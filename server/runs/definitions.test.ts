import { describe, expect, it } from 'vitest';
import { createCatalogue } from '../../lib/canvas/catalogue';
import type { Json } from '../../lib/canvas/model';
import { type Definition, definitionRunFile, injectPayload, PayloadCopiesError } from './definitions';

const catalogue = createCatalogue();
const manyTakers: Json = { group: Array.from({ length: 100 }, () => ({ task: 'TASK_B' })) };
const huge: Json = { raw: 'x'.repeat(1_000_000) };

describe('payload injection into definitions and stored canvases', () => {
  it('injects into the tasks that take a payload, and refuses huge copies before copying', () => {
    const out = injectPayload(
      { chain: [{ task: 'TASK_A', args: [null] }, { task: 'identity' }] },
      { raw: 'r' },
      catalogue,
      'run-1',
    );
    expect(out).toEqual({
      chain: [
        { task: 'TASK_A', args: [null], kwargs: { payload: { raw: 'r' }, workflow_id: 'run-1' } },
        { task: 'identity' },
      ],
    });
    expect(() => injectPayload(manyTakers, huge, catalogue)).toThrow(PayloadCopiesError);
    expect(() => injectPayload(manyTakers, huge, catalogue)).toThrow(/copied into 100 tasks/);
  });

  it("a definition's run gives the sentence as its problem, drawn or director's", () => {
    const drawn: Definition = { project: 'p', name: 'drawn', fullname: 'p.drawn', canvas: manyTakers };
    expect(definitionRunFile(drawn, 'r1', huge, catalogue)).toEqual({
      problems: [expect.stringMatching(/copied into 100 tasks/)],
    });
    // Director gives every task the payload, identity included, and its two hooks.
    const director: Definition = {
      project: 'p',
      name: 'dir',
      fullname: 'p.dir',
      canvas: { group: Array.from({ length: 100 }, () => ({ task: 'identity', args: [1] })) },
      director: { tasks: [] },
    };
    expect(definitionRunFile(director, 'r2', huge, catalogue)).toEqual({
      problems: [expect.stringMatching(/copied into 102 tasks/)],
    });
    expect('file' in definitionRunFile(director, 'r3', { raw: 'small' }, catalogue)).toBe(true);
  });
});
