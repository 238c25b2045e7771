/**
 * The loop's timed actions as numbers: a binary min-heap over parallel typed arrays, ordered by time
 * then insertion order (equal-time actions run in the order they were scheduled: deterministic traces).
 * An action is a message handle and a slot (`-1`: the message enters its broker queue; a slot: the
 * attempt running there finishes). No object per action: a 100,000-task run schedules 200,000.
 */
export class ActionHeap {
  private t = new Float64Array(64);
  private seq = new Float64Array(64);
  private msg = new Int32Array(64);
  private slot = new Int32Array(64);
  private n = 0;
  private next = 0;
  /** The action `pop` took. */
  topT = 0;
  topMsg = 0;
  topSlot = 0;

  get size(): number {
    return this.n;
  }

  /** Empties the heap for another run (keeping its arrays). */
  clear(): void {
    this.n = 0;
    this.next = 0;
  }

  private grow(): void {
    const size = this.t.length * 2;
    const t = new Float64Array(size);
    t.set(this.t);
    this.t = t;
    const seq = new Float64Array(size);
    seq.set(this.seq);
    this.seq = seq;
    const msg = new Int32Array(size);
    msg.set(this.msg);
    this.msg = msg;
    const slot = new Int32Array(size);
    slot.set(this.slot);
    this.slot = slot;
  }

  push(at: number, message: number, slotOf: number): void {
    if (this.n === this.t.length) this.grow();
    const ts = this.t;
    const seqs = this.seq;
    const msgs = this.msg;
    const slots = this.slot;
    const s = this.next++;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = ts[parent] as number;
      if (pt < at || (pt === at && (seqs[parent] as number) < s)) break;
      ts[i] = pt;
      seqs[i] = seqs[parent] as number;
      msgs[i] = msgs[parent] as number;
      slots[i] = slots[parent] as number;
      i = parent;
    }
    ts[i] = at;
    seqs[i] = s;
    msgs[i] = message;
    slots[i] = slotOf;
  }

  /** Takes the earliest action into `topT`/`topMsg`/`topSlot`; false when none is left. */
  pop(): boolean {
    if (this.n === 0) return false;
    const ts = this.t;
    const seqs = this.seq;
    const msgs = this.msg;
    const slots = this.slot;
    this.topT = ts[0] as number;
    this.topMsg = msgs[0] as number;
    this.topSlot = slots[0] as number;
    const n = --this.n;
    if (n === 0) return true;
    const lt = ts[n] as number;
    const ls = seqs[n] as number;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n) {
        const rt = ts[r] as number;
        const ltc = ts[l] as number;
        if (rt < ltc || (rt === ltc && (seqs[r] as number) < (seqs[l] as number))) c = r;
      }
      const ct = ts[c] as number;
      if (lt < ct || (lt === ct && ls < (seqs[c] as number))) break;
      ts[i] = ct;
      seqs[i] = seqs[c] as number;
      msgs[i] = msgs[c] as number;
      slots[i] = slots[c] as number;
      i = c;
    }
    ts[i] = lt;
    seqs[i] = ls;
    msgs[i] = msgs[n] as number;
    slots[i] = slots[n] as number;
    return true;
  }
}
