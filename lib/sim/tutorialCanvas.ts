/**
 * The seed tutorial pipeline A → (B | C) → D as a canvas (SPEC 2.2), for tests, benchmarks and
 * templates: `chain(TASK_A(None), group(TASK_B, TASK_C), TASK_D)` with the payload in kwargs.
 */
import { chain, group, task } from '../canvas/build';
import type { CanvasNode, Json } from '../canvas/model';

/** The tutorial pipeline; `ids` optionally labels the four tasks (used verbatim as task ids). */
export function tutorialPipeline(
  payload: Json = { raw: 'hello world' },
  ids: Partial<Record<'A' | 'B' | 'C' | 'D', string>> = {},
): CanvasNode {
  const t = (name: string, args: Json[], id: string | undefined) =>
    task(name, args, id === undefined ? { kwargs: { payload } } : { id, kwargs: { payload } });
  return chain(
    t('TASK_A', [null], ids.A),
    group(t('TASK_B', [], ids.B), t('TASK_C', [], ids.C)),
    t('TASK_D', [], ids.D),
  );
}
