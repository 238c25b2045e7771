import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../io';
import { main } from '../main';

/** A CliIO over in-memory files that records what is printed. */
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

describe('chordflow validate', () => {
  it('finds no problem at all in the example files', async () => {
    for (const name of ['tutorial.json', 'nested-chord.json', 'errbacks.json']) {
      const text = readFileSync(new URL(`../../../examples/${name}`, import.meta.url), 'utf8');
      const io = fakeIO({ [name]: text });
      expect(await main(['validate', name], io)).toBe(0);
      expect(io.stderr).toBe('');
    }
  });

  it('prints a short valid line and exits 0', async () => {
    const io = fakeIO({
      'c.json': '{"chain": [{"task": "add", "args": [2, 2]}, {"task": "add", "args": [4]}]}',
    });
    expect(await main(['validate', 'c.json'], io)).toBe(0);
    expect(io.stdout).toBe('c.json: valid (canvas-json, 2 task signatures)\n');
    expect(io.stderr).toBe('');
  });

  it('prints every problem with its path and exits 1', async () => {
    const io = fakeIO({
      'bad.json': JSON.stringify({
        chain: [
          { task: 'ad', args: [1, 1] },
          { task: 'add', options: { max_retries: -1 }, id: '12' },
        ],
      }),
    });
    expect(await main(['validate', 'bad.json'], io)).toBe(1);
    expect(io.stderr).toContain('bad.json: 3 problems (canvas-json):');
    expect(io.stderr).toContain('canvas.tasks[0].task: Unknown task "ad". Did you mean "add"?');
    expect(io.stderr).toContain('canvas.tasks[1].options.max_retries: "max_retries" must be a whole number');
    expect(io.stderr).toContain('canvas.tasks[1].id: The id "12" is all digits');
  });

  it('explains malformed input, missing files and bad usage without a stack trace', async () => {
    const io = fakeIO({ 'x.json': '{"task": "add", "args": [1,]}', 'w.yml': 'demo.X:\n  tasks: [a\n' });
    expect(await main(['validate', 'x.json'], io)).toBe(1);
    expect(io.stderr).toContain('The file is not valid JSON: expected a value');
    expect(io.stderr).toContain('line 1, column 28');
    expect(await main(['validate', 'w.yml'], io)).toBe(1);
    expect(io.stderr).toMatch(/not valid YAML at line \d+, column \d+/);
    expect(await main(['validate', 'missing.json'], io)).toBe(1);
    expect(io.stderr).toContain('cannot read missing.json: no such file.');
    expect(await main(['validate'], io)).toBe(2);
    expect(await main(['validate', 'x.json', '--bogus'], io)).toBe(2);
    expect(io.stderr).not.toMatch(/\n\s+at /);
  });

  it('accepts a wrong-typed canvas only with a sentence', async () => {
    const io = fakeIO({ 't.json': '{"task": 42, "kwargs": []}' });
    expect(await main(['validate', 't.json'], io)).toBe(1);
    expect(io.stderr).toContain(
      'canvas.task: "task" must be a task name (a non-empty string), not number 42.',
    );
    expect(io.stderr).toContain('canvas.kwargs: "kwargs" must be an object, not a list.');
  });
});

describe('chordflow validate of 200,000 unknown tasks', () => {
  const text = JSON.stringify({ group: Array.from({ length: 200_000 }, (_, i) => ({ task: `nope_${i}` })) });

  it('with --max 20 prints the first 20 problems, the known tasks once and a count of the rest', async () => {
    const io = fakeIO({ 'big.json': text });
    expect(await main(['validate', 'big.json', '--max', '20'], io)).toBe(1);
    const lines = io.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('big.json: 200000 problems (canvas-json):');
    expect(lines).toHaveLength(22);
    expect(lines[1]).toMatch(
      /^ {2}canvas\.tasks\[0\]\.task: Unknown task "nope_0"\. Known tasks: identity, /,
    );
    expect(lines[2]).toBe('  canvas.tasks[1].task: Unknown task "nope_1".');
    expect(lines[21]).toBe(
      '  … and 199,980 more problems (199,980 errors); without --max every one is printed',
    );
    expect(io.stderr.match(/Known tasks/g)).toHaveLength(1);
  });

  const smaller = JSON.stringify({
    group: Array.from({ length: 30_000 }, (_, i) => ({ task: `nope_${i}` })),
  });

  it('prints every problem by default (SPEC 2.3), each a short line', async () => {
    const io = fakeIO({ 'big.json': smaller });
    expect(await main(['validate', 'big.json'], io)).toBe(1);
    const lines = io.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(30_001);
    expect(lines[30_000]).toBe('  canvas.tasks[29999].task: Unknown task "nope_29999".');
    expect(io.stderr.match(/Known tasks/g)).toHaveLength(1);
  });

  it('refuses a --max that is not a whole number of problems (usage error)', async () => {
    for (const bad of ['0', '-3', '2.5', 'ten']) {
      const io = fakeIO({ 'big.json': smaller });
      expect(await main(['validate', 'big.json', `--max=${bad}`], io)).toBe(2);
      expect(io.stderr).toContain('--max takes a whole number of problems, at least 1.');
    }
  });

  it('simulate says the same, bounded', async () => {
    const io = fakeIO({ 'big.json': smaller });
    expect(await main(['simulate', 'big.json'], io)).toBe(1);
    const lines = io.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(22);
    expect(lines[21]).toBe('  … and 29,980 more problems (29,980 errors); chordflow validate lists them all');
  });
});

describe("chordflow validate of a canvas Celery's composition nests too deep", () => {
  it('says what a submit would say (exit 1), and takes a shallower one', async () => {
    const steps = (groups: number) =>
      Array.from({ length: groups }, (_, i) => [
        {
          group: [
            { task: 'add', args: [i] },
            { task: 'add', args: [i] },
          ],
        },
        { task: 'xsum' },
      ]).flat();
    const io = fakeIO({
      'deep.json': JSON.stringify({ chain: steps(1010) }),
      'ok.json': JSON.stringify({ chain: steps(400) }),
    });
    expect(await main(['validate', 'deep.json'], io)).toBe(1);
    expect(io.stderr).toContain('deep.json: 1 problem (canvas-json):');
    expect(io.stderr).toContain("canvas: Celery's composition nests this canvas more than 1000 levels deep");
    expect(await main(['validate', 'ok.json'], io)).toBe(0);
    expect(io.stdout).toContain('ok.json: valid (canvas-json, 1200 task signatures)');
  });
});
