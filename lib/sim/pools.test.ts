import { describe, expect, it } from 'vitest';
import { canvasFileFromJson } from '../canvas/canvasJson';
import { createCatalogue } from '../canvas/catalogue';
import type { CanvasFile, Json } from '../canvas/model';
import { parsePools } from './pools';
import { simulate } from './simulate';

const catalogue = createCatalogue();
function file(value: Json): CanvasFile {
  const r = canvasFileFromJson(value);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

/** A CPU step, then four 1 s GPU steps in parallel, then their sum. */
const GPU = file({
  chain: [
    { task: 'delayed', args: [0, 100] },
    {
      group: [1, 2, 3, 4].map((i) => ({
        task: 'delayed',
        args: [i, 1000],
        immutable: true,
        options: { queue: 'gpu' },
      })),
    },
    { task: 'tsum' },
  ],
});

describe('worker pools per queue', () => {
  it('parses QUEUE=WORKERSxSLOTS lists, with sentences for mistakes', () => {
    expect(parsePools('default=2x8,gpu=1x1')).toEqual([
      { queue: 'default', workers: 2, concurrency: 8 },
      { queue: 'gpu', workers: 1, concurrency: 1 },
    ]);
    expect(parsePools('celery=1x2')).toEqual([{ queue: 'default', workers: 1, concurrency: 2 }]);
    expect(parsePools('gpu=2')).toMatch(/not QUEUE=WORKERSxSLOTS/);
    expect(parsePools('gpu=0x1')).toMatch(/at least one worker/);
    expect(parsePools('a=1x1,a=1x2')).toMatch(/given twice/);
  });

  it('answers "what if the gpu queue had two workers?"', () => {
    const one = simulate(GPU, { catalogue, pools: parsePools('default=2x8,gpu=1x1') as never }).report;
    const two = simulate(GPU, { catalogue, pools: parsePools('default=2x8,gpu=2x1') as never }).report;
    expect(one).toMatchObject({ status: 'success', result: 10 });
    expect(two).toMatchObject({ status: 'success', result: 10 });
    // One gpu slot runs the four 1 s steps one after another; two slots halve that.
    expect(one.makespan_ms).toBeGreaterThanOrEqual(4100);
    expect(two.makespan_ms).toBeGreaterThanOrEqual(2100);
    expect(two.makespan_ms).toBeLessThan(3000);
    const gpuWorkers = new Set(
      one.tasks.filter((t) => t.name === 'delayed' && t.id !== 'task.tasks.0').map((t) => t.worker),
    );
    expect(gpuWorkers).toEqual(new Set(['worker-gpu-1']));
    expect(one.tasks[0]!.worker).toMatch(/^worker-default-/);
  });

  it('refuses to simulate a run that would wait forever for a queue nobody consumes', () => {
    expect(() =>
      simulate(GPU, { catalogue, pools: [{ queue: 'default', workers: 1, concurrency: 4 }] }),
    ).toThrow(/No worker pool consumes queue "gpu" \(delayed\)/);
  });

  it('without pools every worker takes every queue (the same trace as before)', () => {
    const plain = simulate(GPU, { catalogue, workers: 1, concurrency: 4 }).report;
    expect(plain.makespan_ms).toBeLessThan(1300);
  });
});
