import { describe, expect, it } from 'vitest';
import { lostJobSentence, workerErrorReporter } from './workerErrors';

describe('worker errors in words', () => {
  it("turns BullMQ's lost-job errors into one sentence naming the job", () => {
    for (const text of [
      'could not renew lock for job r1.t.a',
      'Missing key for job 42. moveToFinished',
      'Missing lock for job run-7:barrier:0. moveToFinished',
    ]) {
      const s = lostJobSentence(text);
      expect(s?.sentence).toMatch(/^Redis no longer has job \S+ \(restarted without its data/);
      expect(s?.sentence).not.toMatch(/moveToFinished|renew/);
    }
    expect(lostJobSentence('Missing key for job 42. moveToFinished')?.jobId).toBe('42');
    expect(lostJobSentence('could not renew lock for job r1.t.a')?.jobId).toBe('r1.t.a');
    expect(lostJobSentence('Connection is closed.')).toBeUndefined();
  });

  it('says each lost job once and passes other errors through', () => {
    const lines: Array<[Record<string, unknown>, string]> = [];
    const report = workerErrorReporter((f, m) => lines.push([f, m]));
    report(new Error('could not renew lock for job 7'));
    report(new Error('Missing key for job 7. moveToFinished'));
    report(new Error('could not renew lock for job 7'));
    report(new Error('Missing key for job 8. moveToFinished'));
    report(new Error('something else'));
    expect(lines.map(([f]) => f.job ?? f.err)).toEqual(['7', '8', 'something else']);
    expect(lines[2]?.[1]).toBe('worker error');
  });
});
