import { describe, expect, it } from 'vitest';
import { toCanvasJson } from './canvasJson';
import { createCatalogue } from './catalogue';
import { parsePeriodic } from './directorPeriodic';
import { directorQueueOf, directorRunFile, isHookId } from './directorRun';
import { readDirectorWorkflows } from './directorWorkflows';
import { parseDirectorYaml, parseYamlText } from './directorYaml';

const YAML = `
example.ROUTED:
  tasks:
    - A
    - G:
        type: group
        tasks: [B, C]
  queue:
    default: q1
    customs:
      B: q2
  hooks:
    success: OK
    failure: KO
`;

describe('director workflows as director runs them', () => {
  it('gives every task {workflow_id, payload}, its queue, and the hooks as chain link/errback', () => {
    const read = parseDirectorYaml(YAML);
    if (!read.ok) throw new Error('not read');
    const file = directorRunFile(read.value.file, read.value.director, {
      workflowId: 'w1',
      payload: { p: 1 },
    });
    expect(toCanvasJson(file)).toEqual({
      chain: [
        {
          task: 'A',
          args: [null],
          kwargs: { workflow_id: 'w1', payload: { p: 1 } },
          options: { queue: 'q1' },
        },
        {
          group: [
            { task: 'B', kwargs: { workflow_id: 'w1', payload: { p: 1 } }, options: { queue: 'q2' } },
            { task: 'C', kwargs: { workflow_id: 'w1', payload: { p: 1 } }, options: { queue: 'q1' } },
          ],
        },
      ],
      link: [
        {
          task: 'OK',
          args: [null],
          kwargs: { workflow_id: 'w1', payload: { p: 1 } },
          immutable: true,
          id: 'hook.success',
          options: { queue: 'q1' },
        },
      ],
      link_error: [
        {
          task: 'KO',
          kwargs: { workflow_id: 'w1', payload: { p: 1 } },
          immutable: true,
          id: 'hook.failure',
          options: { queue: 'q1' },
        },
      ],
    });
    expect(['hook.success', 'hook.failure', 'hook.failure-3'].every(isHookId)).toBe(true);
    expect(isHookId('hook.other')).toBe(false);
  });

  it('routes like director: one queue for all, or default + customs', () => {
    expect(directorQueueOf('q1', 'X')).toBe('q1');
    expect(directorQueueOf({ default: 'q1', customs: { X: 'q2' } }, 'X')).toBe('q2');
    expect(directorQueueOf({ customs: { X: 'q2' } }, 'Y')).toBeUndefined();
    expect(directorQueueOf(undefined, 'Y')).toBeUndefined();
  });

  it('reads every workflow of a file and reports unknown tasks and hooks per workflow', () => {
    const parsed = parseYamlText(`${YAML}\nexample.OTHER:\n  tasks: [A]\n  periodic: {crontab: "bad"}\n`);
    if (!parsed.ok) throw new Error('not read');
    const { workflows, problems } = readDirectorWorkflows(parsed.value, createCatalogue());
    expect(workflows).toEqual([]);
    const text = problems.map((p) => `${p.path} ${p.message}`).join('\n');
    for (const name of ['"A"', '"B"', '"C"', '"OK"', '"KO"']) expect(text).toContain(`Unknown task ${name}`);
    expect(text).toMatch(
      /example\.OTHER\.periodic The periodic crontab of "example\.OTHER" must be a crontab/,
    );
  });
});

describe("director's periodic forms", () => {
  it('interval, crontab, and the legacy schedule (seconds, or "m h dow dom mon")', () => {
    expect(parsePeriodic('w', { interval: 60 })).toEqual({
      schedule: { every_ms: 60_000 },
      payload: {},
      label: 'interval: 60',
    });
    expect(parsePeriodic('w', { crontab: '0 */3 * * *', payload: { user: false } })).toMatchObject({
      schedule: { pattern: '0 */3 * * *' },
      payload: { user: false },
    });
    expect(parsePeriodic('w', { schedule: 30 })).toMatchObject({ schedule: { every_ms: 30_000 } });
    // Director's documented quirk: `schedule: "0 12 1 * *"` means Mondays at 12:00.
    expect(parsePeriodic('w', { schedule: '0 12 1 * *' })).toMatchObject({
      schedule: { pattern: '0 12 * * 1' },
    });
    expect(parsePeriodic('w', { interval: 60, crontab: '* * * * *' })).toMatch(/exactly one of/);
    expect(parsePeriodic('w', { interval: -1 })).toMatch(/positive number of seconds/);
  });
});
