/** Test helpers: a canvas labelled with ids, its Celery sends, and messages normalized for comparison. */

import { createCatalogue } from '@/lib/canvas/catalogue';
import type { CanvasFile, CanvasNode, Json } from '@/lib/canvas/model';
import { applyPlan, type CelerySend } from '@/lib/celery-protocol/apply';
import { encodeEnvelope, queueKey } from '@/lib/celery-protocol/envelope';
import { celeryIdMap } from '@/lib/celery-protocol/ids';
import { planRun } from '@/lib/engine';

export const catalogue = createCatalogue();

/** Gives every task node without a label the id `<prefix><n>` (depth first), so Python can set the same ids. */
export function labelled(node: CanvasNode, prefix: string, counter = { n: 0 }): CanvasNode {
  const sub = (n: CanvasNode) => labelled(n, prefix, counter);
  const links = { link: node.link.map(sub), link_error: node.link_error.map(sub) };
  switch (node.type) {
    case 'task':
      return { ...node, ...links, id: node.id ?? `${prefix}${++counter.n}` };
    case 'chain':
    case 'group':
      return { ...node, ...links, tasks: node.tasks.map(sub) };
    case 'chord':
      return { ...node, ...links, header: node.header.map(sub), body: sub(node.body) };
  }
}

/** Our sends for `file`, with Celery task ids = plan ids (the labels), as decoded envelopes. */
export function ourSends(
  file: CanvasFile,
  now: number,
): { messages: Json[]; chordSizes: Record<string, string> } {
  const plan = planRun(file, catalogue, 'cmp');
  const ids = celeryIdMap(plan);
  let n = 0;
  const sends: CelerySend[] = applyPlan(
    plan,
    catalogue,
    { taskId: (t) => t.id, groupId: ids.groupId },
    {
      now,
      uuid: () => `tag-${n++}`,
      replyTo: 'REPLY',
      origin: 'gen1@test',
      defaultQueue: 'celery',
    },
  );
  const messages: Json[] = [];
  const chordSizes: Record<string, string> = {};
  for (const s of sends) {
    if (s.kind === 'chord_size') {
      chordSizes[`celery-taskset-meta-${s.group_id}.s`] = String(s.size);
      continue;
    }
    const env = JSON.parse(encodeEnvelope(s.message)) as { body: string } & Record<string, Json>;
    const body = JSON.parse(Buffer.from(env.body, 'base64').toString('utf8')) as Json;
    messages.push({ ...env, body, queue_key: queueKey(s.queue, s.priority) });
  }
  return { messages, chordSizes };
}

function isObj(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Replaces what differs by nature between two senders: delivery tags, reply_to, origin, group ids (by
 * order of appearance), and eta/expires times (kept as 'TIME' when set; compared separately).
 */
export function normalize(messages: Json[], chordSizes: Record<string, string>): Json {
  const groups = new Map<string, string>();
  const gid = (id: string) => {
    if (!groups.has(id)) groups.set(id, `G${groups.size + 1}`);
    return groups.get(id) as string;
  };
  const collect = (v: Json): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (isObj(v)) {
      if ((v.task === 'celery.group' || v.task === 'celery.chord') && isObj(v.options)) {
        const t = v.options.task_id;
        if (typeof t === 'string') gid(t);
      }
      if (isObj(v.headers) && typeof v.headers.group === 'string') gid(v.headers.group);
      Object.values(v).forEach(collect);
    }
  };
  messages.forEach(collect);
  for (const k of Object.keys(chordSizes)) gid(k.replace(/^celery-taskset-meta-/, '').replace(/\.s$/, ''));
  const walk = (v: Json, key?: string): Json => {
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (isObj(v)) {
      const out: Record<string, Json> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
      return out;
    }
    if (typeof v !== 'string') return v;
    if (key === 'delivery_tag') return 'TAG';
    if (key === 'reply_to') return 'REPLY';
    if (key === 'origin') return 'ORIGIN';
    if (key === 'eta' || key === 'expires') return 'TIME';
    return groups.get(v) ?? v;
  };
  // The capture reads queue by queue (each oldest first): compare in that order.
  const key = (m: Json) => (isObj(m) && typeof m.queue_key === 'string' ? m.queue_key : '');
  messages = [...messages].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const sizes: Record<string, string> = {};
  for (const [k, v] of Object.entries(chordSizes))
    sizes[gid(k.replace(/^celery-taskset-meta-/, '').replace(/\.s$/, ''))] = v;
  return { messages: walk(messages), chord_sizes: sizes };
}
