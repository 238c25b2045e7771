/**
 * Task ids, labels and option names are user text: a canvas whose ids are `__proto__`, `constructor`,
 * `toString` or `hasOwnProperty` must run exactly like one with ordinary ids, in the simulator and on the
 * cluster (issue #10: plain objects keyed by task id lost `__proto__`'s result; cancel skipped `constructor`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCanvasJson } from '../../lib/canvas/canvasJson';
import type { CanvasFile, Json } from '../../lib/canvas/model';
import type { RunReport } from '../../lib/protocol/report';
import { simulate } from '../../lib/sim';
import { runReport } from '../../server/runs/report';
import { startTestCluster, type TestCluster } from '../support/cluster';

const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ workers: 1, concurrency: 4 });
});
afterAll(() => cluster.close());

function comparable(report: RunReport) {
  return {
    status: report.status,
    result: report.result,
    error: report.error,
    observations: [...report.observations].map((o) => JSON.stringify(o)).sort(),
    tasks: [...report.tasks]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((t) => ({
        id: t.id,
        name: t.name,
        state: t.state,
        result: t.result,
        error: t.error,
        attempts: t.attempts,
      })),
  };
}

const parse = (v: Json): CanvasFile => cluster.stack.client!.parseCanvas(v);

async function both(canvas: Json): Promise<{ simulated: RunReport; live: RunReport }> {
  const file = parse(canvas);
  const simulated = simulate(file, { catalogue: cluster.stack.registry.catalogue, seed: 7 }).report;
  const live = await cluster.run(toCanvasJson(file) as Json, { timeoutMs: 30_000 });
  return { simulated, live };
}

describe('ids that are Object.prototype names', () => {
  it('a chord whose members and body carry them: same report, every id present', async () => {
    const canvas: Json = {
      chain: [
        {
          chord: {
            header: HOSTILE.map((id, i) => ({ task: 'add', args: [i, 1], id })),
            body: { task: 'tsum', id: 'valueOf' },
          },
        },
        { task: 'record', kwargs: { tag: '__proto__' }, id: 'propertyIsEnumerable' },
      ],
    };
    const { simulated, live } = await both(canvas);
    expect(comparable(live)).toEqual(comparable(simulated));
    expect(simulated.status).toBe('success');
    expect(simulated.result).toBe(10);
    const ids = live.tasks.map((t) => t.id);
    for (const id of [...HOSTILE, 'valueOf']) expect(ids).toContain(id);
    for (const t of live.tasks) expect(t.state).toBe('SUCCESS');
  });

  it('a failing chord member named __proto__ gives ChordError naming it, errbacks see it', async () => {
    const canvas: Json = {
      chord: {
        header: [
          { task: 'fail', args: [1], id: '__proto__' },
          { task: 'identity', args: [2], id: 'constructor' },
        ],
        body: { task: 'tsum', id: 'toString', link_error: [{ task: 'on_error_id', id: 'hasOwnProperty' }] },
      },
    };
    const { simulated, live } = await both(canvas);
    expect(comparable(live)).toEqual(comparable(simulated));
    expect(live.status).toBe('failure');
    expect(live.error?.message).toContain('Dependency __proto__ raised');
  });

  it('retries and kwargs named after prototype members', async () => {
    const canvas: Json = {
      group: [
        { task: 'flaky', args: [1, 'a'], id: '__proto__' },
        { task: 'record', kwargs: { value: 1, tag: 'constructor' }, id: 'constructor' },
        { task: 'identity', args: [JSON.parse('{"__proto__": 1, "constructor": 2}')], id: 'toString' },
      ],
    };
    const { simulated, live } = await both(canvas);
    expect(comparable(live)).toEqual(comparable(simulated));
    expect(live.status).toBe('success');
    expect(JSON.stringify(live.result)).toBe('["a",1,{"__proto__":1,"constructor":2}]');
  });

  it('cancel revokes a waiting task labelled constructor', async () => {
    const client = cluster.stack.client!;
    const rec = await client.submit({
      file: parse({
        chain: [
          { task: 'delayed', args: [1], kwargs: { ms: 20_000 }, id: 'hasOwnProperty' },
          { task: 'identity', id: 'constructor' },
        ],
      }),
    });
    await client.cancel(rec.id);
    const report = runReport(rec.id, await client.store.readEvents(rec.id));
    expect(report.status).toBe('canceled');
    const states = new Map(report.tasks.map((t) => [t.id, t.state]));
    expect(states.get('constructor')).toBe('REVOKED');
    expect(states.get('hasOwnProperty')).toBe('REVOKED');
  });
});
