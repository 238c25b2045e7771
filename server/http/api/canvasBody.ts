/**
 * The `{canvas, payload?, name?, project?, comment?, target?}` body of POST /api/workflows, checked field
 * by field with a sentence for each mistake. Shared by the web process and serve's run thread, which
 * takes such bodies whole (parse, check, plan, store) so a 20,000-task canvas never lands on the web loop.
 */
import type { Json } from '../../../lib/canvas/model';
import { isValidNamePart } from '../../runs/definitions';
import { HttpError } from '../respond';

export const NOT_AN_OBJECT =
  'The request body must be a JSON object: {project, name, payload} or {canvas, payload?}.';

export interface CanvasBody {
  canvas: unknown;
  name: string;
  project: string;
  payload: Json;
  comment?: string;
}

/** 400 naming every field of `body` that is not in `allowed`. */
export function refuseUnknownFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length > 0)
    throw new HttpError(
      400,
      `Unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}.`,
    );
}

/** The checked fields of a body with a `canvas` (400 for an unknown field, a bad name or comment). */
export function canvasBodyOf(body: Record<string, unknown>): CanvasBody {
  if (body.comment !== undefined && typeof body.comment !== 'string') {
    throw new HttpError(400, '"comment" must be a string.');
  }
  refuseUnknownFields(body, ['canvas', 'payload', 'name', 'project', 'comment', 'target']);
  if (body.name !== undefined && !isValidNamePart(body.name))
    throw new HttpError(400, '"name" must be 1–64 letters, digits, "_" or "-".');
  if (body.project !== undefined && !isValidNamePart(body.project))
    throw new HttpError(400, '"project" must be 1–64 letters, digits, "_" or "-".');
  return {
    canvas: body.canvas,
    name: (body.name as string | undefined) ?? 'adhoc',
    project: (body.project as string | undefined) ?? 'canvas',
    payload: (body.payload ?? null) as Json,
    ...(body.comment !== undefined ? { comment: body.comment as string } : {}),
  };
}
