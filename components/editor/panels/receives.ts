import type { Drawing, DrawNode } from '@/lib/canvas/drawing';
import type { TaskNode } from '@/lib/canvas/model';

function name(d: Drawing, id: string): string {
  const n = d.nodes.find((x) => x.id === id);
  if (n === undefined) return '?';
  if (n.kind === 'task') return n.task?.id ?? n.task?.task ?? '?';
  return `the ${n.kind}`;
}

/** Where the node's first positional argument comes from, in words (Celery's partial-argument rules). */
export function incoming(d: Drawing, node: DrawNode): { source: string; prepends: boolean } {
  const byId = new Map(d.nodes.map((n) => [n.id, n]));
  let cur: DrawNode | undefined = node;
  while (cur !== undefined) {
    const here: DrawNode = cur;
    const cb = d.edges.find((e) => e.target === here.id && e.kind !== 'flow');
    if (cb !== undefined) {
      if (cb.kind === 'link')
        return { source: `the result of ${name(d, cb.source)} (callback)`, prepends: true };
      return { source: `the failure of ${name(d, cb.source)} (errback)`, prepends: true };
    }
    const preds = d.edges.filter((e) => e.target === here.id && e.kind === 'flow').map((e) => e.source);
    if (preds.length === 1) {
      const p = byId.get(preds[0]!);
      if (p?.kind === 'group') return { source: `the list of results of ${name(d, p.id)}`, prepends: true };
      if (p?.kind === 'chord') return { source: `the result of the chord's body`, prepends: true };
      return { source: `the result of ${name(d, preds[0]!)}`, prepends: true };
    }
    if (preds.length > 1)
      return { source: `the list of results of ${preds.map((p) => name(d, p)).join(', ')}`, prepends: true };
    const parent = here.parentId === undefined ? undefined : byId.get(here.parentId);
    if (parent === undefined) return { source: 'the call-time arguments (invoke args)', prepends: true };
    if (parent.kind === 'chord' && here.region === 'body') {
      const header = d.nodes
        .filter((n) => n.parentId === parent.id && n.region === 'header')
        .filter((n) => !d.edges.some((e) => e.source === n.id && e.kind === 'flow'));
      return {
        source: `the list of header results [${header.map((h) => name(d, h.id)).join(', ')}] (after the barrier)`,
        prepends: true,
      };
    }
    cur = parent;
  }
  return { source: 'the call-time arguments', prepends: true };
}

/** A sentence describing the call the task will receive. */
export function receivedCall(d: Drawing, node: DrawNode, t: TaskNode, errbackStyle: 'new' | 'old'): string {
  const stored = [
    ...t.args.map((a) => JSON.stringify(a)),
    ...Object.entries(t.kwargs).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
  ];
  const from = incoming(d, node);
  const isErrback = from.source.startsWith('the failure');
  if (t.immutable) return `${t.task}(${stored.join(', ')}) — immutable (.si): ${from.source} is ignored.`;
  if (isErrback) {
    return errbackStyle === 'new'
      ? `${t.task}(request, exc, traceback${stored.length ? `, ${stored.join(', ')}` : ''}) — called in-process with ${from.source}.`
      : `${t.task}(failed_task_id${stored.length ? `, ${stored.join(', ')}` : ''}) — sent as a new task for ${from.source}.`;
  }
  return `${t.task}(‹${from.source}›${stored.length ? `, ${stored.join(', ')}` : ''})`;
}
