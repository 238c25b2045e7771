/**
 * Puts a run's first wave on a Celery app's Redis broker exactly as kombu's Redis transport does
 * (celery-wire.md 1, 2.3): `SADD _kombu.binding.<queue>` once per queue, `LPUSH` each envelope onto the
 * queue's priority list, and the chord size (`SETEX … 86400` + `PUBLISH`) on the result backend just
 * before a top-level chord's last header message.
 */
import type { Redis } from 'ioredis';
import type { CelerySend } from '../../lib/celery-protocol/apply';
import { encodeEnvelope, queueKey } from '../../lib/celery-protocol/envelope';

const SEP = '\x06\x16';
/** Celery's `result_expires` default (1 day), the TTL the Redis backend gives chord keys. */
const RESULT_TTL_S = 86400;

export async function sendToCelery(broker: Redis, backend: Redis, sends: CelerySend[]): Promise<void> {
  const bound = new Set<string>();
  for (const s of sends) {
    if (s.kind === 'chord_size') {
      const key = `celery-taskset-meta-${s.group_id}.s`;
      await backend.multi().setex(key, RESULT_TTL_S, String(s.size)).publish(key, String(s.size)).exec();
      continue;
    }
    if (!bound.has(s.queue)) {
      bound.add(s.queue);
      await broker.sadd(`_kombu.binding.${s.queue}`, `${s.queue}${SEP}${SEP}${s.queue}`);
    }
    await broker.lpush(queueKey(s.queue, s.priority), encodeEnvelope(s.message));
  }
}
