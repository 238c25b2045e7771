/** The validation gate: hostile inputs are problems with paths and sentences, never exceptions. */
import { describe, expect, it } from 'vitest';
import { readAnyFormat } from './detect';
import {
  API_LIMITS,
  CLI_LIMITS,
  checkRawValue,
  limitsFrom,
  MAX_DEPTH_CEILING,
  readCanvasValue,
} from './gate';

const nested = (levels: number): string =>
  `${'{"chain":['.repeat(levels)}{"task":"identity","args":[1]}${']}'.repeat(levels)}`;

function problemsOf(text: string, limits = API_LIMITS): string[] {
  const r = readAnyFormat(text, { limits });
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
}

describe('canvas gate', () => {
  it('refuses a 5,000-level nested canvas with a sentence (no stack overflow)', () => {
    const problems = problemsOf(nested(5000));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/nests more than \d+ levels deep here.*CHORDFLOW_MAX_DEPTH/);
    expect(problems[0]?.length).toBeLessThan(400);
    expect(checkRawValue(JSON.parse(nested(5000)), API_LIMITS)).toHaveLength(1);
  });

  it('caps node depth at the limit and accepts what is within it', () => {
    expect(problemsOf(nested(99))).toEqual([]);
    expect(problemsOf(nested(100))[0]).toMatch(/more than 100 levels deep/);
    expect(problemsOf(nested(300), CLI_LIMITS)).toEqual([]);
  });

  it('reads a pipe of numbers as problems, not a TypeError', () => {
    expect(problemsOf('{"canvas":{"pipe":[1,2]}}')).toEqual([
      expect.stringMatching(/^canvas\.pipe\[0\]: Expected a node/),
      expect.stringMatching(/^canvas\.pipe\[1\]: Expected a node/),
    ]);
  });

  it('refuses numbers JSON and Python cannot carry, in any format', () => {
    expect(problemsOf('{"task":"identity","args":[1e999]}')[0]).toMatch(/args\[0\]: .*Infinity/);
    expect(problemsOf('{"canvas":{"task":"identity"},"invoke":{"args":[-1e999]}}')[0]).toMatch(
      /invoke\.args\[0\]: .*-Infinity/,
    );
    const yaml = 'demo.X:\n  payload: {x: .nan}\n  tasks: [identity]\n';
    expect(problemsOf(yaml)[0]).toMatch(/NaN/);
  });

  it('checks exception names as Python class names, with the path', () => {
    const exc = (name: string) =>
      problemsOf(JSON.stringify({ task: 'identity', args: [1], options: { autoretry_for: [name] } }));
    expect(exc('ValueError')).toEqual([]);
    expect(exc('MyCustomError')).toEqual([]);
    expect(exc('Boom(Exception):\n    pass')[0]).toMatch(
      /^canvas\.options\.autoretry_for\[0\]: .* is not usable as an exception name: a Python class name/,
    );
    expect(exc('__proto__')[0]).toMatch(/Python reserves names starting with "__"/);
    expect(exc('class')[0]).toMatch(/keyword/);
    expect(exc('os')[0]).toMatch(/would shadow/);
    expect(exc('print')[0]).toMatch(/would shadow/);
    const sim = problemsOf(
      JSON.stringify({ task: 'identity', args: [1], sim: { down: true, error: { type: 'a b' } } }),
    );
    expect(sim[0]).toMatch(/^canvas\.sim\.error\.type: /);
  });

  it('refuses labels, task names and queues that are not printable text', () => {
    expect(problemsOf('{"task":"identity","args":[1],"id":"a\\u0000b"}')[0]).toMatch(
      /^canvas\.id: .*control character/,
    );
    expect(problemsOf('{"task":"identity\\n","args":[1]}')[0]).toMatch(/^canvas\.task: /);
    expect(problemsOf('{"task":"identity","args":[1],"options":{"queue":"q\\u2028"}}')[0]).toMatch(/queue/);
    // Prototype member names are ordinary labels.
    expect(problemsOf('{"task":"identity","args":[1],"id":"__proto__"}')).toEqual([]);
  });

  it('caps the task count', () => {
    const group = JSON.stringify({
      group: Array.from({ length: 5 }, () => ({ task: 'identity', args: [1] })),
    });
    expect(problemsOf(group, { maxDepth: 10, maxTasks: 4 })[0]).toMatch(
      /more than 4 tasks \(CHORDFLOW_MAX_TASKS\)/,
    );
    expect(problemsOf(group, { maxDepth: 10, maxTasks: 5 })).toEqual([]);
  });

  it('reads hostile YAML (deep nesting, alias bombs) as a sentence', () => {
    const deep = `demo.X:\n  tasks: ${'['.repeat(3000)}${']'.repeat(3000)}\n`;
    expect(problemsOf(deep)[0]).toMatch(/YAML|nests/);
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      ),
      'demo.X: {tasks: [identity]}',
    ].join('\n');
    expect(problemsOf(bomb).length).toBeGreaterThan(0);
  });

  it('reads values (API bodies) through the same gate', () => {
    expect(readCanvasValue(JSON.parse(nested(5000)), API_LIMITS).ok).toBe(false);
    expect(readCanvasValue({ task: 'identity', args: [1] }, API_LIMITS).ok).toBe(true);
  });

  it('reads its limits from the environment, within the ceiling', () => {
    expect(limitsFrom({ CHORDFLOW_MAX_DEPTH: '7', CHORDFLOW_MAX_TASKS: '9' }, API_LIMITS)).toEqual({
      maxDepth: 7,
      maxTasks: 9,
    });
    expect(limitsFrom({}, CLI_LIMITS)).toEqual(CLI_LIMITS);
    expect(() => limitsFrom({ CHORDFLOW_MAX_DEPTH: 'x' }, API_LIMITS)).toThrow(/positive integer/);
    expect(() => limitsFrom({ CHORDFLOW_MAX_DEPTH: String(MAX_DEPTH_CEILING + 1) }, API_LIMITS)).toThrow(
      /at most/,
    );
  });
});
