/**
 * Starter documents: the tutorial pipeline exactly as SPEC 2.2, a nested chord, and an errback example.
 */
import type { CanvasNode, InvokeArgs, JsonObject, TaskNode } from '../canvas/model';

export interface Template {
  id: string;
  title: string;
  description: string;
  canvas: CanvasNode;
  invoke: InvokeArgs;
}

function t(
  task: string,
  args: TaskNode['args'] = [],
  kwargs: JsonObject = {},
  extra: Partial<TaskNode> = {},
): TaskNode {
  return {
    type: 'task',
    task,
    args,
    kwargs,
    immutable: false,
    options: {},
    link: [],
    link_error: [],
    ...extra,
  };
}

/** The tutorial's payload (SPEC 2.2). */
export const TUTORIAL_PAYLOAD: JsonObject = { raw: 'hello world', scenario: 'happy' };

/** The tutorial pipeline A -> (B | C) -> D of SPEC 2.2. */
export function tutorialCanvas(payload: JsonObject = TUTORIAL_PAYLOAD): CanvasNode {
  return {
    type: 'chain',
    tasks: [
      t('TASK_A', [null], { payload }),
      {
        type: 'group',
        tasks: [t('TASK_B', [], { payload }), t('TASK_C', [], { payload })],
        link: [],
        link_error: [],
      },
      t('TASK_D', [], { payload }),
    ],
    link: [],
    link_error: [],
  };
}

export const TEMPLATES: readonly Template[] = [
  {
    id: 'tutorial',
    title: 'Tutorial pipeline',
    description: 'TASK_A → (TASK_B | TASK_C) → TASK_D with the seed payload.',
    canvas: tutorialCanvas(),
    invoke: { args: [], kwargs: {} },
  },
  {
    id: 'nested-chord',
    title: 'Nested chord',
    description: 'A chord whose header holds a chord: tsum of (add, xsum of a group).',
    canvas: {
      type: 'chord',
      header: [
        t('add', [1, 2]),
        {
          type: 'chord',
          header: [t('add', [3, 4]), t('mul', [2, 5])],
          body: t('tsum'),
          link: [],
          link_error: [],
        },
        t('identity', [10]),
      ],
      body: t('xsum'),
      link: [],
      link_error: [],
    },
    invoke: { args: [], kwargs: {} },
  },
  {
    id: 'errback',
    title: 'Errback',
    description: 'A failing step with an on_error errback and a success callback on the chain.',
    canvas: {
      type: 'chain',
      tasks: [
        t('add', [2, 2]),
        t('fail', [], {}, { link_error: [t('on_error', [], { tag: 'fail-handled' })] }),
        t('record', [], { tag: 'never' }),
      ],
      link: [],
      link_error: [],
    },
    invoke: { args: [], kwargs: {} },
  },
];
