/**
 * Does every task of a canvas receive an argument list its function accepts? Celery checks this when a
 * signature is *applied* (`Task.typing`, on by default): a mismatch raises TypeError in the applier
 * (the caller, or the worker sending a chain step / callback / chord body), not in the task. The random
 * conformance canvases keep to arity-safe ones; the hand-picked cases show the apply-time check.
 */
import type { TaskCatalogue } from '@/lib/canvas/catalogue';
import { toCeleryTree } from '@/lib/canvas/celeryJson';
import type { CanvasFile, CanvasNode } from '@/lib/canvas/model';

function taskFits(node: CanvasNode & { type: 'task' }, incoming: number, catalogue: TaskCatalogue): boolean {
  const entry = catalogue.get(node.task);
  if (entry === undefined) return false;
  const positional = entry.params.filter((p) => p.kind === 'positional');
  const varargs = entry.params.some((p) => p.kind === 'varargs');
  const given = (node.immutable ? 0 : incoming) + node.args.length;
  if (!varargs && given > positional.length) return false;
  const names = new Set(entry.params.map((p) => p.name));
  for (const key of Object.keys(node.kwargs)) if (!names.has(key)) return false;
  return positional.every((p, i) => {
    const byPosition = i < given;
    const byKeyword = p.name in node.kwargs;
    if (byPosition && byKeyword) return false; // "got multiple values for argument"
    return byPosition || byKeyword || p.default !== undefined;
  });
}

function fits(node: CanvasNode, incoming: number, catalogue: TaskCatalogue): boolean {
  // Callbacks get the result as their one argument (group callbacks were made immutable copies).
  if (!node.link.every((cb) => fits(cb, 1, catalogue))) return false;
  switch (node.type) {
    case 'task':
      return taskFits(node, incoming, catalogue);
    case 'chain':
      return node.tasks.every((t, i) => fits(t, i === 0 ? incoming : 1, catalogue));
    case 'group':
      return node.tasks.every((t) => fits(t, incoming, catalogue));
    case 'chord':
      return node.header.every((t) => fits(t, incoming, catalogue)) && fits(node.body, 1, catalogue);
  }
}

/** True when no task of `file` (in its Celery form) gets an argument list its function rejects. */
export function aritySafe(file: CanvasFile, catalogue: TaskCatalogue): boolean {
  return fits(toCeleryTree(file), file.invoke.args.length, catalogue);
}
