/** The `"target"` field of POST /api/workflows: `cluster` (default) or `celery` (the user's Celery app). */
import type { CeleryRecordFields } from '../../celery/run';
import type { CeleryService } from '../../celery/service';
import type { RunRecord } from '../../runs/runStore';
import { HttpError } from '../respond';

/** The Celery service when the body asks for it; a 400 sentence for a bad or unavailable target. */
export function celeryTarget(
  body: Record<string, unknown>,
  celery: CeleryService | undefined,
): CeleryService | undefined {
  const target = body.target;
  if (target === undefined || target === 'cluster') return undefined;
  if (target !== 'celery') throw new HttpError(400, '"target" must be "cluster" or "celery".');
  if (!celery)
    throw new HttpError(
      400,
      'This server has no Celery target: start it with CHORDFLOW_CELERY_BROKER=redis://… (and CHORDFLOW_CELERY_BACKEND) to run on your Celery cluster.',
    );
  return celery;
}

/** A run that was sent to a Celery cluster. */
export function isCeleryRecord(run: RunRecord): run is RunRecord & CeleryRecordFields {
  return (run as Partial<CeleryRecordFields>).target === 'celery';
}
