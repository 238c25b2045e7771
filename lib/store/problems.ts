/**
 * Live validation for the editor: the canvas library's `validateCanvas` on the document (uids
 * stripped), and the drawn node each problem belongs to.
 */
import type { TaskCatalogue } from '../canvas/catalogue';
import type { Drawing } from '../canvas/drawing';
import { parsePath } from '../canvas/paths';
import type { Problem } from '../canvas/problems';
import { validateCanvas } from '../canvas/validate';
import type { DocSlice, ProblemSummary } from './types';
import { stripUids } from './uids';

/** Problems of the document's canvas (none for an empty canvas). */
export function validateDoc(doc: DocSlice, catalogue: TaskCatalogue): Problem[] {
  if (doc.canvas === null) return [];
  return validateCanvas({ canvas: stripUids(doc.canvas), invoke: doc.invoke, config: doc.config }, catalogue);
}

/** The drawn node a problem belongs to: the deepest drawn node whose path is a prefix of the problem's. */
export function problemNodeId(problem: Problem, byPath: ReadonlyMap<string, string>): string | undefined {
  const path = parsePath(problem.path);
  if (path === null) return undefined;
  for (let i = path.length; i >= 0; i--) {
    const id = byPath.get(path.slice(0, i).join('.'));
    if (id !== undefined) return id;
  }
  return undefined;
}

/** Drawn id by path key, for `problemNodeId`. */
export function idsByPath(drawing: Drawing): Map<string, string> {
  return new Map(drawing.nodes.map((n) => [n.path.join('.'), n.id]));
}

/** Problem counts per drawn node (what node badges show). */
export function problemIndex(
  problems: readonly Problem[],
  byPath: ReadonlyMap<string, string>,
): Record<string, ProblemSummary> {
  const out: Record<string, ProblemSummary> = {};
  for (const p of problems) {
    const id = problemNodeId(p, byPath);
    if (id === undefined) continue;
    const s = out[id] ?? { errors: 0, warnings: 0, first: p.message };
    if (p.severity === 'error') s.errors++;
    else s.warnings++;
    out[id] = s;
  }
  return out;
}
