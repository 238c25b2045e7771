import { describe, expect, it } from 'vitest';
import { eventAt } from './opsView';

describe('eventAt (the watchdog reads each open run’s last event)', () => {
  const tasks = Array.from({ length: 5000 }, (_, i) => ({ id: `task.tasks.${i}`, name: 'add', at: 99 }));

  it('reads `at` of a small event by parsing it', () => {
    expect(eventAt(JSON.stringify({ type: 'task.succeeded', at: 42, task_id: 't' }))).toBe(42);
    expect(eventAt('not json')).toBe(0);
    expect(eventAt('{}')).toBe(0);
  });

  it('reads `at` from the head of a big event, in either field order', () => {
    const engine = JSON.stringify({ at: 12, type: 'run.started', tasks });
    const tracker = JSON.stringify({ type: 'run.started', at: 3.5, tasks, name: 'x' });
    expect(engine.length).toBeGreaterThan(4096);
    expect(eventAt(engine)).toBe(12);
    expect(eventAt(tracker)).toBe(3.5);
    expect(eventAt(JSON.stringify({ type: 'run.finished', status: 'success', result: tasks }))).toBe(0);
  });
});
