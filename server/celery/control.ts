/**
 * Celery's remote control over the Redis broker (celery-wire.md 5): broadcast commands are published on
 * `/<db>.celery.pidbox`; replies come back on `<oid>.reply.celery.pidbox` lists, and only when the reply
 * binding was added first (5.1). Used for revoke (cancel) and `inspect registered`/`stats` (palette).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { base64Utf8, pyJsonDumps } from '../../lib/celery-protocol/envelope';
import { redisDb } from './connection';

const SEP = '\x06\x16';

function controlEnvelope(body: object, timeoutS: number): string {
  return pyJsonDumps({
    body: base64Utf8(pyJsonDumps(body)),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers: { clock: 1, expires: Date.now() / 1000 + timeoutS },
    properties: {
      delivery_mode: 2,
      delivery_info: { exchange: 'celery.pidbox', routing_key: '' },
      priority: 0,
      body_encoding: 'base64',
      delivery_tag: randomUUID(),
    },
  });
}

/**
 * `app.control.revoke(ids, terminate=False)`: workers drop these tasks when they reach them. A running
 * task runs on (celery-wire.md 5.2); a worker that is offline now never hears it (plain pub/sub).
 */
export async function revoke(broker: Redis, brokerUrl: string, taskIds: string[]): Promise<number> {
  if (taskIds.length === 0) return 0;
  const body = {
    method: 'revoke',
    arguments: { task_id: taskIds, terminate: false, signal: 'SIGTERM' },
    destination: null,
    pattern: null,
    matcher: null,
  };
  return broker.publish(`/${redisDb(brokerUrl)}.celery.pidbox`, controlEnvelope(body, 1));
}

/** Replies of every worker that answered within `timeoutMs`, by node name. */
export async function broadcastWithReply(
  broker: Redis,
  brokerUrl: string,
  method: string,
  args: object,
  timeoutMs = 1000,
): Promise<Record<string, unknown>> {
  const oid = randomUUID();
  const ticket = randomUUID();
  const replyQueue = `${oid}.reply.celery.pidbox`;
  const bindingKey = '_kombu.binding.reply.celery.pidbox';
  const member = `${oid}${SEP}${SEP}${replyQueue}`;
  const lists = [replyQueue, `${replyQueue}${SEP}3`, `${replyQueue}${SEP}6`, `${replyQueue}${SEP}9`];
  const reader = broker.duplicate();
  reader.on('error', () => {});
  const out: Record<string, unknown> = {};
  try {
    await broker.sadd(bindingKey, member);
    const body = {
      method,
      arguments: args,
      destination: null,
      pattern: null,
      matcher: null,
      ticket,
      reply_to: { exchange: 'reply.celery.pidbox', routing_key: oid },
    };
    await broker.publish(`/${redisDb(brokerUrl)}.celery.pidbox`, controlEnvelope(body, timeoutMs / 1000));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const left = Math.max(0.05, (deadline - Date.now()) / 1000);
      const got = await reader.brpop(...lists, Math.min(1, left));
      if (!got) continue;
      try {
        const env = JSON.parse(got[1]) as {
          body: string;
          headers?: { ticket?: string };
          properties?: { body_encoding?: string };
        };
        if (env.headers?.ticket !== ticket) continue;
        const text =
          env.properties?.body_encoding === 'base64'
            ? Buffer.from(env.body, 'base64').toString('utf8')
            : env.body;
        Object.assign(out, JSON.parse(text) as object);
      } catch {
        // a malformed reply is skipped; the other workers still count
      }
    }
  } finally {
    await broker.srem(bindingKey, member).catch(() => 0);
    await broker.del(...lists).catch(() => 0);
    reader.disconnect();
  }
  return out;
}
