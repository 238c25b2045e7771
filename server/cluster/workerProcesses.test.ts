import { describe, expect, it } from 'vitest';
import { WORKER_V8_OPTIONS, workerV8Options } from './workerProcesses';

describe('worker processes V8 options', () => {
  it('adds the worker young-generation size when the operator set none', () => {
    expect(WORKER_V8_OPTIONS).toContain('--max-semi-space-size=64');
    expect(workerV8Options([], '')).toEqual([...WORKER_V8_OPTIONS]);
    expect(workerV8Options(['--max-old-space-size=4096'], '--enable-source-maps')).toEqual([
      ...WORKER_V8_OPTIONS,
    ]);
  });

  it("leaves the operator's own setting alone, from the command line or NODE_OPTIONS", () => {
    expect(workerV8Options(['--max-semi-space-size=8'], '')).toEqual([]);
    expect(workerV8Options([], '--max-semi-space-size=128')).toEqual([]);
  });
});
