/** A FIFO of integers (message handles) in one typed array: no object per queued message. */
export class IntQueue {
  private buf = new Int32Array(64);
  private head = 0;
  private tail = 0;

  get size(): number {
    return this.tail - this.head;
  }

  clear(): void {
    this.head = 0;
    this.tail = 0;
  }

  push(value: number): void {
    if (this.tail === this.buf.length) {
      const used = this.tail - this.head;
      if (used * 2 <= this.buf.length) {
        this.buf.copyWithin(0, this.head, this.tail);
      } else {
        const bigger = new Int32Array(this.buf.length * 2);
        bigger.set(this.buf.subarray(this.head, this.tail));
        this.buf = bigger;
      }
      this.head = 0;
      this.tail = used;
    }
    this.buf[this.tail++] = value;
  }

  /** The oldest value (call only when `size > 0`). */
  shift(): number {
    return this.buf[this.head++] as number;
  }
}
