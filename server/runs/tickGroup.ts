/**
 * Group commit for requests made in the same event-loop turn: each caller asks for one thing and gets
 * its own answer, but everything asked for before the next `setImmediate` goes to Redis as one script
 * call (at most `max` requests each). A busy worker or a burst of submits asks for many small things at
 * once — a run's context, a barrier's header results, a run's record — and on the client each command
 * costs more (a write, a reply to wake up for, promise bookkeeping) than Redis spends on it. A call
 * carries requests up to `max` in total `weight` (fields read, events written), so one script call never
 * holds Redis much longer than one request of the biggest kind would.
 * If a grouped call fails, its requests are tried again one by one, so a bad request fails only its caller
 * (unless `retryAlone` says the error is not about a request: Redis away fails them all at once).
 */
export class TickGroup<Req, Res> {
  private pending: Array<{ req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;

  private readonly max: number;
  private readonly weight: (req: Req) => number;
  private readonly retryAlone: (err: unknown) => boolean;

  constructor(
    private readonly send: (reqs: Req[]) => Promise<Res[]>,
    options: { max: number; weight?: (req: Req) => number; retryAlone?: (err: unknown) => boolean },
  ) {
    this.max = options.max;
    this.weight = options.weight ?? (() => 1);
    this.retryAlone = options.retryAlone ?? (() => true);
  }

  call(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.pending.push({ req, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.run());
      }
    });
  }

  /** `send`, with an error it throws as a rejection (it runs from setImmediate: nothing else would catch it). */
  private attempt(reqs: Req[]): Promise<Res[]> {
    try {
      return this.send(reqs);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private sendGroup(
    group: Array<{ req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }>,
  ): void {
    this.attempt(group.map((p) => p.req)).then(
      (results) => {
        for (let j = 0; j < group.length; j++) group[j]?.resolve(results[j] as Res);
      },
      (err: unknown) => {
        if (group.length === 1 || !this.retryAlone(err)) for (const p of group) p.reject(err);
        else
          for (const p of group)
            this.attempt([p.req]).then(
              (r) => p.resolve(r[0] as Res),
              (e: unknown) => p.reject(e),
            );
      },
    );
  }

  private run(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = [];
    let group: typeof pending = [];
    let total = 0;
    for (const p of pending) {
      const w = this.weight(p.req);
      if (group.length > 0 && total + w > this.max) {
        this.sendGroup(group);
        group = [];
        total = 0;
      }
      group.push(p);
      total += w;
    }
    if (group.length > 0) this.sendGroup(group);
  }
}
