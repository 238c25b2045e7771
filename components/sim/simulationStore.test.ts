import { beforeEach, describe, expect, it } from 'vitest';
import { criticalPath } from './model/criticalPath';
import { flakyTrace } from './model/fixtures';
import { deriveRunViews } from './model/runViews';
import { useSimStore } from './simulationStore';

describe('sim store: showing a run, time travel and stepping', () => {
  beforeEach(() => useSimStore.getState().clearRun());

  it('shows the final state, travels to any instant and steps event by event', () => {
    const store = useSimStore.getState();
    store.showRun({ source: 'simulation', events: flakyTrace });
    let s = useSimStore.getState();
    expect(s.playhead).toBe(6235);
    expect(s.stateAt?.tasks.get('D')?.status).toBe('success');
    expect(s.run?.timeline.bars).toHaveLength(6);
    expect([...(s.run?.criticalPaths ?? [])]).toEqual(['tasks.0', 'tasks.1.header.1', 'tasks.1.body']);

    s.setPlayhead(1000);
    s = useSimStore.getState();
    expect(s.stateAt?.tasks.get('A')?.status).toBe('retry_wait');
    const bBefore = s.stateAt?.tasks.get('B');

    s.step(1);
    s = useSimStore.getState();
    expect(s.playhead).toBe(2050);
    expect(s.stateAt?.tasks.get('A')?.status).toBe('running');
    // Unchanged tasks keep their object (nodes that did not change do not re-render).
    expect(s.stateAt?.tasks.get('B')).toBe(bBefore);

    s.step(-1);
    expect(useSimStore.getState().playhead).toBe(50);
    s.setPlayhead(99_999);
    expect(useSimStore.getState().playhead).toBe(6235);
  });

  it('shows the same run from views the worker derived as from the events alone', () => {
    const store = useSimStore.getState();
    const criticalTasks = criticalPath(flakyTrace).tasks;
    store.showRun({ source: 'simulation', events: flakyTrace, criticalTasks });
    const own = useSimStore.getState();
    const ownRun = own.run;
    const ownFinal = own.stateAt;
    own.setPlayhead(1000);
    const ownMid = useSimStore.getState().stateAt;

    const views = structuredClone(deriveRunViews(flakyTrace, criticalTasks));
    store.showRun({ source: 'simulation', events: flakyTrace, criticalTasks, views });
    const s = useSimStore.getState();
    expect(s.playhead).toBe(own.playhead);
    expect(s.run?.timeline).toEqual(ownRun?.timeline);
    expect([...(s.run?.criticalPaths ?? [])]).toEqual([...(ownRun?.criticalPaths ?? [])]);
    expect(s.stateAt).toEqual(ownFinal);
    // The seeded cursor travels back and forth like one that folded from the start.
    s.setPlayhead(1000);
    expect(useSimStore.getState().stateAt).toEqual(ownMid);
    s.setPlayhead(99_999);
    expect(useSimStore.getState().stateAt).toEqual(ownFinal);
  });

  it('applies a fault and removes it', () => {
    const store = useSimStore.getState();
    store.setFault('tasks.0', { fail_first: 2 });
    expect(useSimStore.getState().faults).toEqual({ 'tasks.0': { fail_first: 2 } });
    store.setFault('tasks.0', null);
    expect(useSimStore.getState().faults).toEqual({});
  });

  it('saves the scenario, seed, workers and faults as a preset and applies it back', () => {
    const store = useSimStore.getState();
    store.setSettings({ scenario: 'flaky', seed: 42, workers: 3, concurrency: 2 });
    store.setFault('tasks.1', { down: true });
    store.savePreset('three workers');
    store.setSettings({ scenario: 'happy', seed: 1 });
    store.setFaults({});
    useSimStore.getState().applyPreset('three workers');
    const s = useSimStore.getState();
    expect(s.settings).toEqual({ scenario: 'flaky', seed: 42, workers: 3, concurrency: 2 });
    expect(s.faults).toEqual({ 'tasks.1': { down: true } });
    expect(s.presets.map((p) => p.name)).toEqual(['three workers']);
  });

  it('accumulates Monte Carlo samples per variant as chunks arrive', () => {
    const store = useSimStore.getState();
    store.setWhatIf({ status: 'running', samples: [[], []], done: 0 });
    store.addSamples(
      [
        [{ seed: 1, status: 'success', makespan_ms: 10, retries: 0 }],
        [{ seed: 1, status: 'failure', makespan_ms: 20, retries: 3 }],
      ],
      1,
    );
    store.addSamples(
      [
        [{ seed: 2, status: 'success', makespan_ms: 12, retries: 1 }],
        [{ seed: 2, status: 'success', makespan_ms: 22, retries: 1 }],
      ],
      2,
    );
    const w = useSimStore.getState().whatIf;
    expect(w.done).toBe(2);
    expect(w.samples.map((l) => l.map((x) => x.seed))).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });
});
