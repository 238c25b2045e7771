/**
 * A pool's messages that carry a Celery `priority`: lowest value first, FIFO among equals. The loop takes
 * them after its plain FIFO (messages without a priority), as BullMQ (unprioritized jobs first) and
 * kombu's Redis transport (no priority = the highest bucket) both do.
 */
import type { TaskMessage } from '../engine/types';
import { TimeHeap } from './heap';

export class PriorityMessages {
  private readonly heap = new TimeHeap<{ t: number; seq: number; msg: TaskMessage }>();
  private seq = 0;

  get size(): number {
    return this.heap.size;
  }

  push(msg: TaskMessage & { priority: number }): void {
    this.heap.push({ t: msg.priority, seq: this.seq++, msg });
  }

  /** The next message to run, or `undefined` when none is waiting. */
  take(): TaskMessage | undefined {
    return this.heap.pop()?.msg;
  }
}
