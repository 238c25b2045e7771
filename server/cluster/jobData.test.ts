import { describe, expect, it } from 'vitest';
import { canvasFileFromJson } from '../../lib/canvas/canvasJson';
import { createCatalogue } from '../../lib/canvas/catalogue';
import type { Json } from '../../lib/canvas/model';
import { planRun, startRun } from '../../lib/engine';
import type { Dispatch, Message, TaskMessage } from '../../lib/engine/types';
import {
  bundleRuns,
  decodeBundleData,
  decodeJobData,
  encodeBundleData,
  encodeJobData,
  isBundleData,
  jobRunId,
} from './jobData';

const canvas: Json = {
  group: [
    { task: 'add', args: [1, 2], options: { expires: 60, priority: 3 } },
    {
      chord: {
        header: [{ task: 'identity', args: [1] }, { group: [{ task: 'mul', args: [2], kwargs: { y: 3 } }] }],
        body: { task: 'tsum', link: [{ task: 'record', kwargs: { tag: 'after' } }] },
      },
    },
  ],
};
const parsed = canvasFileFromJson(canvas);
if (!parsed.ok) throw new Error('bad canvas');
const plan = planRun(parsed.value, createCatalogue(), 'run.with~odd-id', { epoch_ms: 0 });

function all(dispatches: readonly Dispatch[], out: Message[] = []): Message[] {
  for (const d of dispatches) {
    out.push(d.message);
    all(d.children ?? [], out);
  }
  return out;
}

describe('job data', () => {
  const sent = all(startRun(plan).dispatch);
  const task = sent.find((m): m is TaskMessage => m.kind === 'task');
  if (!task) throw new Error('no task message');
  // What the core sends later: a chain step with the previous result, a retry, a replacement, an addition.
  const later: TaskMessage[] = [
    { ...task, args: [3, 'x'], kwargs: { k: [1] }, retries: 2 },
    { ...task, key: `${task.key}~r1`, task_id: `${task.task_id}-r`, attempt_offset: 1, barrier: 'other' },
    {
      ...task,
      key: `${task.key}~a0`,
      task_id: 'added-0',
      name: 'add',
      task: -1,
      dynamic: { options: plan.tasks[0]!.options, origin: 'dynamic', path: 'p', errback_style: 'old' },
    },
  ];

  it('gives back every message exactly, with the job id as key', () => {
    expect(sent.length).toBeGreaterThan(3);
    for (const m of [...sent, ...later]) {
      const data = JSON.parse(JSON.stringify(encodeJobData(plan, m)));
      expect(jobRunId(data, m.key)).toBe(m.run_id);
      expect(decodeJobData(plan, m.key, data)).toEqual(m);
    }
  });

  it('stores what the plan already says once per run, not per job', () => {
    const data = encodeJobData(plan, task);
    const text = JSON.stringify(data);
    expect(text).not.toContain(task.key);
    expect(text).not.toContain(task.task_id);
    expect(text).not.toContain(task.barrier);
    expect(text.length).toBeLessThan(JSON.stringify(task).length / 2);
  });

  it("leaves out the run id the job id says and args that are the plan task's own", () => {
    // A submit's run id (a UUID: no `.`) is the job id's first part; 'run.with~odd-id' is not.
    const uuidPlan = planRun(parsed.value, createCatalogue(), '0b6c0d7e-1f0a-4c1e-9a51-2f3d5b6a7c8d', {
      epoch_ms: 0,
    });
    const messages = all(startRun(uuidPlan).dispatch);
    const member = messages.find((m): m is TaskMessage => m.kind === 'task' && m.name === 'identity');
    if (!member) throw new Error('no task message');
    expect(encodeJobData(uuidPlan, member)).toEqual({ t: member.task });
    for (const m of [...messages, { ...member, args: [...member.args] }, { ...member, args: [7] }]) {
      const data = JSON.parse(JSON.stringify(encodeJobData(uuidPlan, m)));
      expect(jobRunId(data, m.key)).toBe(m.run_id);
      expect(decodeJobData(uuidPlan, m.key, data)).toEqual(m);
    }
    expect(encodeJobData(plan, task)).toHaveProperty('r', task.run_id);
  });

  it('reads jobs stored whole by an earlier version', () => {
    const old = JSON.parse(JSON.stringify(task)) as TaskMessage;
    expect(jobRunId(old, task.key)).toBe(task.run_id);
    expect(decodeJobData(plan, task.key, old)).toEqual(task);
    // And jobs of the previous encoding (run id and args always stored).
    const prev = { ...encodeJobData(plan, task), r: task.run_id, a: [5] };
    expect(jobRunId(prev, task.key)).toBe(task.run_id);
    expect(decodeJobData(plan, task.key, prev)).toEqual({ ...task, args: [5] });
  });

  it("gives back a bundle's members exactly, each with its own key, whatever the run id", () => {
    const tasks = [...sent, ...later].filter((m): m is TaskMessage => m.kind === 'task');
    expect(tasks.length).toBeGreaterThan(3);
    const data = JSON.parse(JSON.stringify(encodeBundleData(plan, tasks)));
    expect(isBundleData(data)).toBe(true);
    // The job id is the first member's key; 'run.with~odd-id' has a dot, so the data says the run.
    expect(jobRunId(data, tasks[0]!.key)).toBe(plan.run_id);
    expect(decodeBundleData(plan, data)).toEqual(tasks);
    expect(isBundleData(encodeJobData(plan, task))).toBe(false);
  });

  it("splits a packed bundle into its runs' members, in order, each run's decoding exactly", () => {
    const tasks = sent.filter((m): m is TaskMessage => m.kind === 'task');
    const other = planRun(parsed.value, createCatalogue(), 'b2c4e6f8-0000-4000-8000-000000000000', {
      epoch_ms: 0,
    });
    const otherTasks = all(startRun(other).dispatch).filter((m): m is TaskMessage => m.kind === 'task');
    const packed = {
      u: [...encodeBundleData(plan, tasks).u, ...encodeBundleData(other, otherTasks).u],
    };
    const runs = bundleRuns(JSON.parse(JSON.stringify(packed)));
    expect(runs.map((r) => r.runId)).toEqual([plan.run_id, other.run_id]);
    expect(decodeBundleData(plan, runs[0]!.data)).toEqual(tasks);
    expect(decodeBundleData(other, runs[1]!.data)).toEqual(otherTasks);
    // An unpacked bundle is one run.
    expect(bundleRuns(encodeBundleData(plan, tasks))).toHaveLength(1);
  });
});
