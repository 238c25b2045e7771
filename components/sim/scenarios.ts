/**
 * The scenarios a person can pick: the tutorial's five (seed-tutorial-and-director.md 1.3/1.6) and
 * "custom", which runs the nodes' own `sim` models plus the faults injected from the panel.
 */
export type TutorialScenario = 'happy' | 'flaky' | 'slow' | 'down' | 'partial_fail';
export type ScenarioId = TutorialScenario | 'custom';

export interface ScenarioInfo {
  id: ScenarioId;
  label: string;
  /** What happens, in one sentence (shown under the picker). */
  summary: string;
}

export const SCENARIOS: readonly ScenarioInfo[] = [
  {
    id: 'custom',
    label: 'Node models',
    summary: "Each task's own simulation model plus the faults you inject below.",
  },
  {
    id: 'happy',
    label: 'happy',
    summary: 'Nothing fails (injected faults removed). Tutorial: A, B and C succeed first time, D merges.',
  },
  {
    id: 'flaky',
    label: 'flaky',
    summary:
      'The first task fails its first 2 attempts. Tutorial: A gets two HTTP 500s, succeeds on attempt 3 (2 s, 4 s backoff).',
  },
  {
    id: 'slow',
    label: 'slow',
    summary:
      'The first task is 8 s slower per attempt. Tutorial: the 5 s read timeout fires every time, A fails after 4 attempts.',
  },
  {
    id: 'down',
    label: 'down',
    summary:
      'Every attempt of the first task fails. Tutorial: A fails 4 times (0, 2, 6, 14 s), B, C and D never run.',
  },
  {
    id: 'partial_fail',
    label: 'partial_fail',
    summary:
      'The first group/chord member always fails. Tutorial: B fails 4 times, C succeeds, the chord body D never runs.',
  },
];

export const TUTORIAL_SCENARIOS: readonly TutorialScenario[] = [
  'happy',
  'flaky',
  'slow',
  'down',
  'partial_fail',
];

/** True for the five tutorial scenario names. */
export function isTutorialScenario(id: string): id is TutorialScenario {
  return (TUTORIAL_SCENARIOS as readonly string[]).includes(id);
}
