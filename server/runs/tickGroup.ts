/**
 * Group commit for requests made in the same event-loop turn: each caller asks for one thing and gets
 * its own answer, but everything asked for before the next `setImmediate` goes to Redis as one script
 * call (at most `max` requests each). A busy worker or a burst of submits asks for many small things at
 * once — a run's context, a barrier's header results, a run's record — and on the client each command
 * costs more (a write, a reply to wake up for, promise bookkeeping) than Redis spends on it.
 * If a grouped call fails, its requests are tried again one by one, so a bad request fails only its caller.
 */
export class TickGroup<Req, Res> {
  private pending: Array<{ req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly send: (reqs: Req[]) => Promise<Res[]>,
    private readonly max = 200,
  ) {}

  call(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.pending.push({ req, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.run());
      }
    });
  }

  private run(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = [];
    for (let i = 0; i < pending.length; i += this.max) {
      const group = pending.slice(i, i + this.max);
      this.send(group.map((p) => p.req)).then(
        (results) => {
          for (let j = 0; j < group.length; j++) group[j]?.resolve(results[j] as Res);
        },
        (err: unknown) => {
          if (group.length === 1) group[0]?.reject(err);
          else
            for (const p of group)
              this.send([p.req]).then(
                (r) => p.resolve(r[0] as Res),
                (e: unknown) => p.reject(e),
              );
        },
      );
    }
  }
}
