/**
 * What Celery 5.2's `apply_async` sends for a run plan's top-level canvas (protocol 2): the task
 * messages of the first wave, each with its continuation in `embed`, and the chord-size record the Redis
 * result backend needs before a top-level chord's last header message (celery-wire.md 1, 2, 6).
 * Celery's workers do everything after that themselves. Pure: ids and the clock come from `ApplyEnv`.
 */
import type { TaskCatalogue } from '../canvas/catalogue';
import type { Json, JsonObject } from '../canvas/model';
import type { PlanNode, PlanTask, RunPlan } from '../engine/types';
import { argsRepr, kwargsRepr } from './repr';
import { callbackSigs, nodeSig, ownOptions, type SigContext } from './signatures';

/** Protocol-2 task message: headers, properties, and the `[args, kwargs, embed]` body. */
export interface CeleryTaskMessage {
  headers: JsonObject;
  properties: JsonObject;
  body: [Json[], JsonObject, JsonObject];
}

export type CelerySend =
  | { kind: 'message'; queue: string; priority: number; task_id: string; message: CeleryTaskMessage }
  /** `SETEX celery-taskset-meta-<group_id>.s <ttl> <size>` on the result backend (RedisBackend.set_chord_size). */
  | { kind: 'chord_size'; group_id: string; size: number };

export interface ApplyEnv {
  /** Epoch ms now (for `eta` / `expires`). */
  now: number;
  /** A fresh uuid4 (delivery tags). */
  uuid(): string;
  /** The client's reply_to (uuid3 per process in Celery). */
  replyTo: string;
  /** `gen<pid>@<host>` of the sender. */
  origin: string;
  /** The Celery app's default queue (`task_default_queue`, 'celery'). */
  defaultQueue: string;
}

export interface CeleryIds {
  /** Celery task id of a plan task. */
  taskId(task: PlanTask): string;
  /** Group id of the group/chord at a plan node. */
  groupId(node: number): string;
}

/** The part of a signature's options that apply_async turns into headers/properties. */
interface Delivery {
  groupId: string | null;
  groupIndex: number | null;
  rootId: string | null;
  chord: JsonObject | null;
  chain: JsonObject[] | null;
  args: Json[];
  kwargs: JsonObject;
}

/** Raised for canvases whose first wave Celery's client cannot send as planned. */
export class CeleryApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CeleryApplyError';
  }
}

/** `.set()` options Celery's `send_task` turns into headers/routing rather than message properties. */
const CONSUMED = new Set([
  'queue',
  'routing_key',
  'priority',
  'countdown',
  'eta',
  'expires',
  'time_limit',
  'soft_time_limit',
  'shadow',
  'ignore_result',
]);

function isoUtc(ms: number): string {
  // Python's isoformat() with microseconds and an explicit +00:00.
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

class Applier {
  readonly sends: CelerySend[] = [];
  readonly ctx: SigContext;

  constructor(
    readonly plan: RunPlan,
    catalogue: TaskCatalogue,
    readonly ids: CeleryIds,
    readonly env: ApplyEnv,
  ) {
    this.ctx = {
      plan,
      catalogue,
      replyTo: env.replyTo,
      celeryId: ids.taskId,
      groupId: ids.groupId,
    };
  }

  node(index: number): PlanNode {
    const n = this.plan.nodes[index];
    if (n === undefined) throw new CeleryApplyError(`The plan has no node ${index}.`);
    return n;
  }

  apply(index: number, d: Delivery): void {
    const node = this.node(index);
    switch (node.kind) {
      case 'task':
        this.task(this.plan.tasks[node.task] as PlanTask, d);
        return;
      case 'chain': {
        // Celery's chain.run: ids frozen up front; the first step carries the rest, reversed. In a chord
        // header the chain's last step is the member that reports to the chord (celery-wire.md 6).
        const [first, ...rest] = node.steps;
        if (first === undefined) throw new CeleryApplyError('An empty chain cannot be sent to Celery.');
        const report: JsonObject | null =
          d.chord && rest.length > 0
            ? { chord: d.chord, group_id: d.groupId, group_index: d.groupIndex }
            : null;
        const tail = rest
          .map((s, k) => nodeSig(this.ctx, s, report && k === rest.length - 1 ? report : {}))
          .reverse();
        const member = report ? { groupId: null, groupIndex: null, chord: null } : {};
        this.apply(first, { ...d, ...member, chain: [...tail, ...(d.chain ?? [])] });
        return;
      }
      case 'group': {
        if (d.chain && d.chain.length > 0)
          throw new CeleryApplyError(
            'A group followed by more steps must be a chord (normalize the canvas).',
          );
        const gid = this.ids.groupId(index);
        // A top-level group's members are their own roots and carry no group_index (celery-wire.md 2.2).
        for (const m of node.members)
          this.apply(m, { ...d, groupId: gid, groupIndex: d.groupIndex, rootId: d.rootId });
        return;
      }
      case 'chord': {
        if (d.chain && d.chain.length > 0)
          throw new CeleryApplyError('A chord followed by more steps must have them in its body.');
        const gid = this.ids.groupId(index);
        const body = nodeSig(this.ctx, node.body, {});
        for (const h of node.header) {
          const kind = this.node(h).kind;
          // Celery 5.2 flattens these with its own (reversed) indices and nested chord-size rules, which
          // Chordflow does not reproduce yet: refuse rather than send something Celery would not.
          if (kind === 'group' || kind === 'chord')
            throw new CeleryApplyError(
              `A chord header holding a ${kind} is not sent to Celery yet; put its tasks in the header directly, or run it on Chordflow's cluster.`,
            );
        }
        node.header.forEach((h, i) => {
          // RedisBackend.set_chord_size runs just before the last header message (celery-wire.md 2.3).
          if (i === node.header.length - 1)
            this.sends.push({ kind: 'chord_size', group_id: gid, size: node.header.length });
          this.apply(h, { ...d, groupId: gid, groupIndex: i, chord: body });
        });
        if (node.header.length === 0)
          throw new CeleryApplyError('A chord with an empty header cannot be sent.');
        return;
      }
    }
  }

  task(t: PlanTask, d: Delivery): void {
    const id = this.ids.taskId(t);
    const own = ownOptions(this.ctx, t);
    const args = t.immutable ? t.args : [...d.args, ...t.args];
    const kwargs = t.immutable ? t.kwargs : { ...d.kwargs, ...t.kwargs };
    const str = (k: string) => (typeof own[k] === 'string' ? (own[k] as string) : undefined);
    const num = (k: string) => (typeof own[k] === 'number' ? (own[k] as number) : undefined);
    const queue = str('queue') ?? this.env.defaultQueue;
    const routingKey = str('routing_key') ?? queue;
    const priority = num('priority') ?? 0;
    // Celery: countdown (Chordflow's apply_countdown) wins over eta; expires in seconds or an ISO time.
    const countdown = num('countdown');
    const eta = countdown !== undefined ? isoUtc(this.env.now + countdown * 1000) : (str('eta') ?? null);
    const expiresS = num('expires');
    const expires =
      expiresS !== undefined ? isoUtc(this.env.now + expiresS * 1000) : (str('expires') ?? null);
    const headers: JsonObject = {
      lang: 'py',
      task: t.name,
      id,
      shadow: str('shadow') ?? null,
      eta,
      expires,
      group: d.groupId,
      group_index: d.groupIndex,
      retries: 0,
      timelimit: [num('time_limit') ?? null, num('soft_time_limit') ?? null],
      root_id: d.rootId ?? id,
      parent_id: null,
      argsrepr: argsRepr(args),
      kwargsrepr: kwargsRepr(kwargs),
      origin: this.env.origin,
      ignore_result: own.ignore_result === true,
    };
    const properties: JsonObject = {
      correlation_id: id,
      reply_to: this.env.replyTo,
      delivery_mode: 2,
      delivery_info: { exchange: '', routing_key: routingKey },
      priority,
      body_encoding: 'base64',
      delivery_tag: this.env.uuid(),
    };
    if (expiresS !== undefined) properties.expiration = String(Math.round(expiresS * 1000));
    // Options Celery does not consume itself travel as message properties (kombu publish **properties).
    for (const [k, v] of Object.entries(own)) if (!CONSUMED.has(k)) properties[k] = v;
    const embed: JsonObject = {
      callbacks: callbackSigs(this.ctx, t.links),
      errbacks: callbackSigs(this.ctx, t.errbacks),
      chain: d.chain,
      chord: d.chord,
    };
    this.sends.push({
      kind: 'message',
      queue: routingKey,
      priority,
      task_id: id,
      message: { headers, properties, body: [args, kwargs, embed] },
    });
  }
}

/**
 * The sends of `plan`'s top-level canvas applied with its `invoke` arguments, in Celery's order.
 * Throws CeleryApplyError for a first wave Celery could not send as planned.
 */
export function applyPlan(
  plan: RunPlan,
  catalogue: TaskCatalogue,
  ids: CeleryIds,
  env: ApplyEnv,
): CelerySend[] {
  const a = new Applier(plan, catalogue, ids, env);
  a.apply(plan.top, {
    groupId: null,
    groupIndex: null,
    rootId: null,
    chord: null,
    chain: null,
    args: plan.invoke.args,
    kwargs: plan.invoke.kwargs,
  });
  return a.sends;
}
