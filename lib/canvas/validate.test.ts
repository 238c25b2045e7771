import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { arbCanvasFile } from './arbitraries';
import { canvasFile, chain, chord, group, task, withLinkError } from './build';
import { createCatalogue } from './catalogue';
import type { CanvasNode, TaskOptions } from './model';
import { hasErrors } from './problems';
import { suggestTaskName, validateCanvas } from './validate';

const catalogue = createCatalogue();
const check = (node: CanvasNode, invokeArgs: number[] = []) =>
  validateCanvas(canvasFile(node, { args: invokeArgs }), catalogue);
const at = (problems: ReturnType<typeof check>, path: string) => problems.filter((p) => p.path === path);

describe('validateCanvas', () => {
  it('accepts the built-in examples without problems', () => {
    expect(
      check(
        chain(task('add', [2, 2]), task('add', [4]), group(task('mul', [2]), task('mul', [3])), task('tsum')),
      ),
    ).toEqual([]);
    expect(
      check(
        withLinkError(task('fail', [1]), task('on_error', [], { kwargs: { tag: 'x' } }), task('on_error_id')),
      ),
    ).toEqual([]);
  });

  it('reports an unknown task with a close suggestion', () => {
    const problems = check(chain(task('add', [1, 1]), task('ad', [1]), task('proj.tasks.tsum')));
    expect(at(problems, 'canvas.tasks[1].task')[0]?.message).toMatch(
      /^Unknown task "ad"\. Did you mean "add"\?/,
    );
    expect(at(problems, 'canvas.tasks[2].task')[0]?.message).toMatch(/Did you mean "tsum"\?/);
    expect(suggestTaskName('zzzzzzzz', catalogue)).toBeUndefined();
  });

  it('reports a chord without body and warns about empty chains', () => {
    const broken = {
      ...chord([task('add', [1, 1])], task('tsum')),
      body: undefined,
    } as unknown as CanvasNode;
    expect(at(check(broken), 'canvas.body')[0]?.message).toMatch(/no body/);
    const empty = check(chain());
    expect(empty[0]).toMatchObject({ path: 'canvas', severity: 'warning' });
    expect(hasErrors(empty)).toBe(false);
  });

  it('reports bad retry values, each with a sentence', () => {
    const options = {
      max_retries: -1,
      countdown: Number.NaN,
      default_retry_delay: 'soon',
      retry_backoff_max: -5,
      retry_jitter: 'yes',
      retry_backoff: -2,
      autoretry_for: ['NoSuchError', 'HTTPError'],
    } as unknown as TaskOptions;
    const problems = check(task('add', [1, 2], { options }));
    const paths = problems.map((p) => `${p.severity}:${p.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'error:canvas.options.max_retries',
        'error:canvas.options.countdown',
        'error:canvas.options.default_retry_delay',
        'error:canvas.options.retry_backoff_max',
        'error:canvas.options.retry_jitter',
        'error:canvas.options.retry_backoff',
        'warning:canvas.options.autoretry_for[0]',
      ]),
    );
    expect(paths).not.toContain('warning:canvas.options.autoretry_for[1]');
    expect(at(problems, 'canvas.options.countdown')[0]?.message).toBe(
      '"countdown" must be a number of seconds between 0 and 31536000 (one year), not NaN.',
    );
  });

  it('refuses absurd delays and limits (a run would wait forever)', () => {
    const problems = check(
      task('add', [1, 2], {
        options: { default_retry_delay: 1e300, countdown: 1e9, time_limit: 1e12, apply_countdown: 1e300 },
      }),
    );
    expect(problems.filter((p) => p.severity === 'error').map((p) => p.path)).toEqual(
      expect.arrayContaining([
        'canvas.options.default_retry_delay',
        'canvas.options.countdown',
        'canvas.options.time_limit',
        'canvas.options.apply_countdown',
      ]),
    );
    expect(at(problems, 'canvas.options.default_retry_delay')[0]?.message).toBe(
      '"default_retry_delay" must be a number of seconds between 0 and 31536000 (one year), not 1e+300.',
    );
    expect(check(task('add', [1, 2], { options: { default_retry_delay: 31_536_000 } }))).toEqual([]);
  });

  it('checks time_limit against the effective soft_time_limit (catalogue defaults included)', () => {
    const problems = check(task('TASK_A', [null], { options: { time_limit: 5 } }));
    expect(at(problems, 'canvas.options.time_limit')[0]?.message).toMatch(
      /shorter than "soft_time_limit" \(6 s\)/,
    );
  });

  it('reports duplicate ids and ids a cluster job cannot have', () => {
    const problems = check(
      group(
        task('add', [1, 1], { id: 'x' }),
        task('add', [1, 1], { id: 'x' }),
        task('add', [1, 1], { id: 'a:b' }),
        task('add', [1, 1], { id: '42' }),
      ),
    );
    expect(at(problems, 'canvas.tasks[1].id')[0]?.message).toMatch(/already used at canvas\.tasks\[0\]/);
    expect(at(problems, 'canvas.tasks[2].id')[0]?.message).toMatch(/contains ":"/);
    expect(at(problems, 'canvas.tasks[3].id')[0]?.message).toMatch(/all digits/);
    expect(problems.every((p) => p.node_id !== undefined)).toBe(true);
  });

  it('warns about argument counts using what Celery prepends', () => {
    // add.s(1) first in a chain gets nothing: missing y. add.s(1, 2) second gets the parent: too many.
    const problems = check(chain(task('add', [1]), task('add', [1, 2]), task('add', [3])));
    expect(at(problems, 'canvas.tasks[0].args')[0]).toMatchObject({ severity: 'warning' });
    expect(at(problems, 'canvas.tasks[0].args')[0]?.message).toMatch(/miss "y"/);
    expect(at(problems, 'canvas.tasks[1].args')[0]?.message).toMatch(/at most 2/);
    expect(at(problems, 'canvas.tasks[2].args')).toEqual([]);
    // Call-time args count for the first step; immutable signatures ignore them.
    expect(check(task('add', [1]), [5])).toEqual([]);
    expect(check(task('add', [1, 2], { immutable: true }), [5])).toEqual([]);
  });

  test.prop([arbCanvasFile()], { numRuns: 150 })('finds no error in generated canvases', (file) => {
    const errors = validateCanvas(file, catalogue).filter((p) => p.severity === 'error');
    expect(errors).toEqual([]);
  });
});

describe('validation of hostile canvases', () => {
  it('200,000 unknown tasks: every one reported, the catalogue listed once, suggestions still made', () => {
    const names = Array.from({ length: 200_000 }, (_, i) => `nope_${i}`);
    names[7] = 'ad'; // a typo of `add`
    names[8] = `${'x'.repeat(199)}y`; // 200 characters: compared with nothing
    // Not group(...tasks): a spread of 200,000 arguments overflows the stack.
    const tasks = names.map((n) => task(n));
    const problems = validateCanvas(
      canvasFile({ type: 'group', tasks, link: [], link_error: [] }),
      createCatalogue(),
    );
    expect(problems).toHaveLength(200_000);
    expect(problems.every((p) => p.severity === 'error' && p.path.endsWith('.task'))).toBe(true);
    const listing = problems.filter((p) => p.message.includes('Known tasks:'));
    expect(listing).toHaveLength(1);
    expect(listing[0]?.message).toMatch(/^Unknown task "nope_0"\. Known tasks: identity, add, /);
    expect(problems[1]?.message).toBe('Unknown task "nope_1".');
    expect(problems[7]?.message).toBe('Unknown task "ad". Did you mean "add"?');
    expect(problems[8]?.message).toBe(`Unknown task "${names[8]}".`);
  });
});

/** The suggestion as it was before pruning: full Levenshtein against every catalogue name. */
function plainSuggestion(name: string): string | undefined {
  const names = [...catalogue.keys()];
  const lower = name.toLowerCase();
  const exact = names.find((n) => n.toLowerCase() === lower);
  if (exact) return exact;
  const tail = name.split('.').pop() ?? name;
  if (tail !== name && catalogue.has(tail)) return tail;
  const lev = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0] as number;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const tmp = row[j] as number;
        row[j] = Math.min(
          (row[j] as number) + 1,
          (row[j - 1] as number) + 1,
          prev + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
        prev = tmp;
      }
    }
    return row[b.length] as number;
  };
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const n of names) {
    const d = lev(lower, n.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

describe('suggestTaskName', () => {
  const near = fc
    .tuple(
      fc.constantFrom(...catalogue.keys()),
      fc.array(fc.tuple(fc.nat(40), fc.constantFrom('', 'a', '_', 'X', 'İ')), { maxLength: 5 }),
    )
    .map(([n, edits]) =>
      edits.reduce(
        (s, [at, ch]) =>
          s.slice(0, at % (s.length + 1)) + ch + s.slice((at % (s.length + 1)) + (ch === '' ? 1 : 0)),
        n,
      ),
    );
  test.prop([fc.oneof(near, fc.string({ maxLength: 30 }))], { numRuns: 500 })(
    'prunes without changing the answer',
    (name) => {
      expect(suggestTaskName(name, catalogue)).toBe(plainSuggestion(name));
    },
  );
});
