import { describe, expect, it } from 'vitest';
import type { RunReport } from '@/lib/protocol/report';
import type { CliIO } from '../io';
import { main } from '../main';

function fakeIO(files: Record<string, string>): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
    async readFile(path: string) {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
  };
  return io;
}

const P = '{"raw": "hello world"}';
const TUTORIAL = `{"chain": [{"task": "TASK_A", "args": [null], "kwargs": {"payload": ${P}}},
  {"group": [{"task": "TASK_B", "kwargs": {"payload": ${P}}}, {"task": "TASK_C", "kwargs": {"payload": ${P}}}]},
  {"task": "TASK_D", "kwargs": {"payload": ${P}}}]}`;

describe('chordflow simulate', () => {
  it('prints the table of a 200,000-task group (no spread of a column: that overflowed the stack)', async () => {
    const members = Array.from({ length: 200_000 }, (_, i) => ({ task: 'identity', args: [i] }));
    const io = fakeIO({ 'g.json': JSON.stringify({ group: members }) });
    expect(await main(['simulate', 'g.json'], io)).toBe(0);
    expect(io.stderr).toBe('');
    expect(io.stdout).toContain('status: success');
    expect(io.stdout.split('\n').filter((l) => l.startsWith('task.tasks.'))).toHaveLength(200_000);
  }, 60_000);

  it('--json prints exactly one run report', async () => {
    const io = fakeIO({ 't.json': TUTORIAL });
    expect(await main(['simulate', 't.json', '--scenario', 'partial_fail', '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout) as RunReport;
    expect(report.status).toBe('failure');
    expect(report.tasks.map((t) => [t.name, t.state, t.attempts])).toEqual([
      ['TASK_A', 'SUCCESS', 1],
      ['TASK_B', 'FAILURE', 4],
      ['TASK_C', 'SUCCESS', 1],
      ['TASK_D', 'FAILURE', 0],
    ]);
  });

  it('prints a table with status and makespan; the same seed prints the same table', async () => {
    const a = fakeIO({ 't.json': TUTORIAL });
    expect(await main(['simulate', 't.json', '--scenario', 'flaky', '--seed', '3'], a)).toBe(0);
    expect(a.stdout).toMatch(/TASK_A\s+SUCCESS\s+3\s+0\.00s 2\.\d\ds 6\.\d\ds/);
    expect(a.stdout).toMatch(/status: success {3}makespan: 6\.\d\ds/);
    const b = fakeIO({ 't.json': TUTORIAL });
    await main(['simulate', 't.json', '--scenario', 'flaky', '--seed', '3'], b);
    expect(b.stdout).toBe(a.stdout);
  });

  it('--runs N prints Monte Carlo statistics (JSON with --json)', async () => {
    const io = fakeIO({ 't.json': TUTORIAL });
    expect(await main(['simulate', 't.json', '--scenario', 'down', '--runs', '20', '--json'], io)).toBe(0);
    const stats = JSON.parse(io.stdout);
    expect(stats).toMatchObject({ runs: 20, success_rate: 0, retries: { mean: 3, total: 60 } });
    expect(stats.makespan_ms.p50).toBeGreaterThan(14_000);
  });

  it('explains bad input in a sentence', async () => {
    const io = fakeIO({ 't.json': TUTORIAL, 'bad.json': '{"chain": [{"task": "nope_task"}]}' });
    expect(await main(['simulate', 't.json', '--scenario', 'nope'], io)).toBe(2);
    expect(io.stderr).toContain('unknown scenario "nope"');
    expect(await main(['simulate', 't.json', '--workers', 'x'], io)).toBe(2);
    expect(io.stderr).toContain('--workers must be a whole number');
    expect(await main(['simulate', 'missing.json'], io)).toBe(1);
    expect(await main(['simulate', 'bad.json'], io)).toBe(1);
    expect(io.stderr).not.toContain('    at ');
  });
});
