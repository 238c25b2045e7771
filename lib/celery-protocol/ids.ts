/**
 * Celery task and group ids for a run: the plan's message keys (`<run>.t.<task id>`), unique per run
 * because Celery's result records are write-once (celery-wire.md 8.7), and deterministic so every node
 * maps to its Celery task. `toPlanId` maps them back for reports and error texts.
 */
import type { RunPlan } from '../engine/types';
import type { CeleryIds } from './apply';

/** The id scheme of a plan and its inverse. */
export interface CeleryIdMap extends CeleryIds {
  /** Plan task id of a Celery task id (undefined when it is not one of this run's). */
  toPlanId(celeryId: string): string | undefined;
  /** Celery ids of every plan task, in plan order. */
  all(): string[];
  /** Replaces every Celery id of this run in `text` by its plan id (ChordError texts, observations). */
  translate(text: string): string;
}

/** The id map of `plan`. */
export function celeryIdMap(plan: RunPlan): CeleryIdMap {
  const back = new Map<string, string>();
  for (const t of plan.tasks) back.set(t.key, t.id);
  // Longest first, so an id that is a prefix of another is not replaced inside it.
  const keys = [...back.keys()].sort((a, b) => b.length - a.length);
  const runKey = plan.barriers[0]?.key.replace(/\.root$/, '') ?? plan.run_id;
  return {
    taskId: (t) => t.key,
    groupId: (node) => {
      const b = plan.barriers.find((x) => x.node === node);
      return b ? b.key : `${runKey}.g.${node}`;
    },
    toPlanId: (id) => back.get(id),
    all: () => plan.tasks.map((t) => t.key),
    translate(text) {
      let out = text;
      for (const k of keys) if (out.includes(k)) out = out.split(k).join(back.get(k) as string);
      return out;
    },
  };
}
