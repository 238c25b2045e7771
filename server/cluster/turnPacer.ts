/**
 * Admits at most `perTurn` callers per event-loop turn and the rest in later turns, first come first
 * served. A burst of submits (1,000 runs posted at once, a script looping over `submit`) would otherwise
 * plan every run in one synchronous stretch before the first run's record reaches Redis: Redis and the
 * workers wait ~150 ms for 1,000 small runs, then the Node process waits for them. Paced, the first
 * runs are stored and their jobs run while the next ones are planned (run set-up streamed).
 */
export class TurnPacer {
  private admitted = 0;
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;

  constructor(private readonly perTurn: number) {}

  /** `undefined` when the caller may go on now (this turn has room), else a promise of its turn. */
  admit(): Promise<void> | undefined {
    this.scheduleTurn();
    if (this.waiting.length === 0 && this.admitted < this.perTurn) {
      this.admitted++;
      return undefined;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private scheduleTurn(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate, not a microtask: the loop polls sockets between two turns, so the replies to the
    // admitted callers' writes (and the workers' jobs) are handled before the next callers are let in.
    setImmediate(() => {
      this.scheduled = false;
      const next = this.waiting.splice(0, this.perTurn);
      this.admitted = next.length;
      for (const resolve of next) resolve();
      if (this.admitted > 0) this.scheduleTurn();
    });
  }
}
