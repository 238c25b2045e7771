import { describe, expect, it } from 'vitest';
import { error, firstProblems, formatProblemsCapped, SHOWN_PROBLEMS, warning } from './problems';

describe('a long problem list is shown bounded', () => {
  const warnings = Array.from({ length: 100_000 }, (_, i) => warning(`canvas.tasks[${i}].args`, `w${i}`));
  const errors = [error('canvas.tasks[99999].task', 'e1'), error('', 'e2')];

  it('shows errors first, then warnings, at most SHOWN_PROBLEMS, and counts the rest by kind', () => {
    const problems = [...warnings, ...errors];
    const shown = firstProblems(problems);
    expect(shown).toHaveLength(SHOWN_PROBLEMS);
    expect(shown.slice(0, 2).map((p) => p.message)).toEqual(['e1', 'e2']);
    const text = formatProblemsCapped(problems, SHOWN_PROBLEMS, '; --all lists them all');
    const lines = text.split('\n');
    expect(lines).toHaveLength(SHOWN_PROBLEMS + 1);
    expect(lines[0]).toBe('canvas.tasks[99999].task: e1');
    expect(lines[1]).toBe('(file): e2');
    expect(lines[2]).toBe('canvas.tasks[0].args: w0 (warning)');
    expect(lines[SHOWN_PROBLEMS]).toBe('… and 99,982 more problems (99,982 warnings); --all lists them all');
  });

  it('lists every problem when there are few, or when the limit is infinite', () => {
    expect(formatProblemsCapped(errors)).toBe('canvas.tasks[99999].task: e1\n(file): e2');
    expect(formatProblemsCapped(warnings, Number.POSITIVE_INFINITY).split('\n')).toHaveLength(100_000);
  });
});
