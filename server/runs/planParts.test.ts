import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createCatalogue } from '../../lib/canvas/catalogue';
import { arbPlannableCanvasFile } from '../../lib/engine/arbPlannable';
import { planRun } from '../../lib/engine/plan';
import { assemblePlan, PART_ITEMS, planFields } from './planParts';

const catalogue = createCatalogue();

/** A Redis that answers HGET from the stored fields (what assemblePlan reads of slices). */
function stored(fields: Record<string, string>): Redis {
  return { hget: async (_key: string, field: string) => fields[field] ?? null } as unknown as Redis;
}

async function roundTrip(plan: object | null): Promise<{ json: string; bytes: number }> {
  const fields = planFields(plan);
  const head = fields.plan ?? '';
  const { plan: back } = await assemblePlan<object>(stored(fields), 'k', head, fields.plan_parts);
  return { json: JSON.stringify(back), bytes: Object.values(fields).reduce((n, v) => n + v.length, 0) };
}

describe('stored plans', () => {
  it('read back as the same JSON, key for key, for random canvases and run ids', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbPlannableCanvasFile({}, catalogue),
        fc.constantFrom('r', 'run-1', '8c1e.t.x', 'a_b-c'),
        async (file, runId) => {
          const plan = planRun(file, catalogue, runId);
          expect((await roundTrip(plan)).json).toBe(JSON.stringify(plan));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stores a task as a row: a fraction of its JSON, and sliced rows of a big plan read back whole', async () => {
    const chord = (n: number) => ({
      type: 'chord' as const,
      header: Array.from({ length: n }, (_, i) => ({
        type: 'task' as const,
        task: 'identity',
        args: [i],
        kwargs: {},
        immutable: false,
        options: {},
        link: [],
        link_error: [],
        // Labels that need escaping in keys, and one that looks like another task's derived id.
        ...(i % 3 === 0 ? { id: i === 0 ? 'task.header.1x' : `lab el ${i} ü` } : {}),
      })),
      body: {
        type: 'task' as const,
        task: 'tsum',
        args: [],
        kwargs: {},
        immutable: false,
        options: { max_retries: 1 },
        link: [],
        link_error: [],
      },
      link: [],
      link_error: [],
    });
    const file = (n: number) => ({
      canvas: chord(n),
      invoke: { args: [], kwargs: {} },
      config: { task_allow_error_cb_on_chord_header: false },
    });
    const small = planRun(file(2), catalogue, '83c5d7ee-6077-4d42-9aac-9f8addb35115');
    const r = await roundTrip(small);
    expect(r.json).toBe(JSON.stringify(small));
    expect(r.bytes).toBeLessThan(JSON.stringify(small).length * 0.7);
    const big = planRun(file(2 * PART_ITEMS + 5), catalogue, 'big');
    const fields = planFields(big);
    expect(Object.keys(fields).filter((f) => f.startsWith('plan:tasks:'))).toHaveLength(3);
    const b = await roundTrip(big);
    expect(b.json).toBe(JSON.stringify(big));
    // Rows, nodes and barriers together: about a third of the plan's JSON.
    expect(b.bytes).toBeLessThan(JSON.stringify(big).length / 2.5);
  });

  it('stores anything else as it is', async () => {
    // No plan at all (records made by hand) reads back as an empty one, as it always did.
    expect((await roundTrip(null)).json).toBe('{}');
    for (const plan of [{}, { plan: true }, { run_id: 'x', tasks: [1, 2] }, { run_id: 'x', tasks: [] }]) {
      expect((await roundTrip(plan)).json).toBe(JSON.stringify(plan));
    }
  });
});
