import { describe, expect, it } from 'vitest';
import { lostJob, lostJobSentence, workerErrorReporter } from './workerErrors';

describe('worker errors in words', () => {
  it("finds the job in BullMQ's lost-job errors, and whether its key is missing", () => {
    expect(lostJob('Missing key for job 42. moveToFinished')).toEqual({ jobId: '42', keyMissing: true });
    expect(lostJob('could not renew lock for job r1.t.a')).toEqual({ jobId: 'r1.t.a', keyMissing: false });
    expect(lostJob('Missing lock for job run-7:barrier:0. moveToFinished')?.jobId).toBe('run-7:barrier:0');
    expect(lostJob('Lock mismatch for job r1.t.b. Cmd moveToFinished from active')).toEqual({
      jobId: 'r1.t.b',
      keyMissing: false,
    });
    expect(lostJob('Connection is closed.')).toBeUndefined();
  });

  it('says a gone job cannot finish, and a lost lock that the run goes on', () => {
    expect(lostJobSentence('42', true)).toMatch(/^Redis no longer has job 42 \(restarted without its data/);
    const lock = lostJobSentence('r1.t.a', false, 4000);
    expect(lock).toMatch(/^Job r1\.t\.a lost its lock: it was not renewed within the 4000 ms job lock/);
    expect(lock).not.toMatch(/no longer has|cannot finish/);
  });

  it('says each lost job once, asks Redis whether a lost lock lost the job too, and passes other errors through', async () => {
    const lines: Array<[Record<string, unknown>, string]> = [];
    const report = workerErrorReporter((f, m) => lines.push([f, m]), {
      exists: async (id) => id === '7',
    });
    report(new Error('could not renew lock for job 7'));
    report(new Error('Missing key for job 7. moveToFinished'));
    report(new Error('could not renew lock for job 7'));
    report(new Error('Missing key for job 8. moveToFinished'));
    report(new Error('could not renew lock for job 9'));
    report(new Error('something else'));
    await new Promise((r) => setTimeout(r, 0));
    const byJob = new Map(lines.map(([f, m]) => [String(f.job ?? f.err), m]));
    expect([...byJob.keys()].sort()).toEqual(['7', '8', '9', 'something else']);
    expect(byJob.get('7')).toMatch(/^Job 7 lost its lock/);
    expect(byJob.get('8')).toMatch(/^Redis no longer has job 8/);
    expect(byJob.get('9')).toMatch(/^Redis no longer has job 9/);
    expect(byJob.get('something else')).toBe('worker error');
  });
});
