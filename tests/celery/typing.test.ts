import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskParam } from '@/lib/canvas/catalogue';
import { BUILTIN_TASKS } from '@/lib/canvas/catalogue';
import type { Json } from '@/lib/canvas/model';
import { checkArguments } from '@/lib/engine/typing';

const params = (name: string): TaskParam[] => {
  const entry = BUILTIN_TASKS.find((t) => t.name === name);
  if (!entry) throw new Error(name);
  return entry.params;
};

describe('checkArguments (Celery Task.typing, Python messages)', () => {
  it('accepts calls that bind', () => {
    expect(checkArguments('add', params('add'), [1, 2], {})).toBeNull();
    expect(checkArguments('add', params('add'), [1], { y: 2 })).toBeNull();
    expect(checkArguments('delayed', params('delayed'), [1], { ms: 5 })).toBeNull();
    expect(checkArguments('fail', params('fail'), [1, 2, 3], { ms: 1 })).toBeNull();
    expect(checkArguments('record', params('record'), [], {})).toBeNull();
  });

  it('words each mismatch like CPython', () => {
    expect(checkArguments('add', params('add'), [3], {})?.message).toBe(
      "add() missing 1 required positional argument: 'y'",
    );
    expect(checkArguments('identity', params('identity'), [1, 2], {})?.message).toBe(
      'identity() takes 1 positional argument but 2 were given',
    );
    expect(checkArguments('delayed', params('delayed'), [1, 2, 3], {})?.message).toBe(
      'delayed() takes from 1 to 2 positional arguments but 3 were given',
    );
    expect(checkArguments('add', params('add'), [1, 2], { x: 1 })?.message).toBe(
      "add() got multiple values for argument 'x'",
    );
    expect(checkArguments('add', params('add'), [1, 2], { z: 1 })?.message).toBe(
      "add() got an unexpected keyword argument 'z'",
    );
  });

  // Real CPython is the oracle: random argument lists against every built-in task's signature.
  it('agrees with CPython on random calls to the built-in signatures', () => {
    // Celery's own map tasks (`celery.map` …) are not Python identifiers; their functions are checked alike.
    const builtins = BUILTIN_TASKS.filter((t) => !t.name.includes('.'));
    const names = builtins.map((t) => t.name);
    const kwNames = ['x', 'y', 'ms', 'tag', 'value', 'nums', 'val', 'n', 'payload', 'z', 'task_id'];
    const calls = fc.sample(
      fc.record({
        name: fc.constantFrom(...names),
        args: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 5 }),
        kwargs: fc.dictionary(fc.constantFrom(...kwNames), fc.integer({ min: 0, max: 9 }), { maxKeys: 3 }),
      }),
      { numRuns: 300, seed: 42 },
    );
    const pyParam = (p: TaskParam): string =>
      p.kind === 'varargs' ? `*${p.name}` : 'default' in p ? `${p.name}=None` : p.name;
    const defs = builtins.map((t) => {
      const ps = t.params.map(pyParam);
      // Keyword-only parameters follow *args, or a bare * when there is none.
      const firstKw = t.params.findIndex((p) => p.kind === 'keyword');
      if (firstKw >= 0 && !t.params.some((p) => p.kind === 'varargs')) ps.splice(firstKw, 0, '*');
      return `def ${t.name}(${ps.join(', ')}): pass`;
    });
    const script = `import json, sys\n${defs.join('\n')}\nout = []\nfor c in json.load(sys.stdin):\n    try:\n        globals()[c['name']](*c['args'], **c['kwargs']); out.append(None)\n    except TypeError as e:\n        out.append(str(e))\nprint(json.dumps(out))\n`;
    const py = spawnSync('/usr/bin/python3', ['-c', script], {
      input: JSON.stringify(calls),
      encoding: 'utf8',
    });
    expect(py.status, py.stderr).toBe(0);
    const expected = JSON.parse(py.stdout) as Array<string | null>;
    const ours = calls.map(
      (c) =>
        checkArguments(c.name, params(c.name), c.args, c.kwargs as Record<string, Json>)?.message ?? null,
    );
    expect(ours).toEqual(expected);
  });
});
