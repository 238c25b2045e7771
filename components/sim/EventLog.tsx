'use client';
/**
 * The run's event log: every event in order, filterable by kind and text, virtualized (fixed row
 * height) so a 100,000-event trace scrolls as smoothly as a short one. Events after the playhead are
 * dimmed; clicking a row moves the playhead there and selects its task.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunEvent } from '../../lib/protocol/events';
import { formatMs } from './model/runState';
import styles from './sim.module.css';

export type LogKind =
  | 'run'
  | 'queued'
  | 'started'
  | 'retried'
  | 'succeeded'
  | 'failed'
  | 'chord'
  | 'errback'
  | 'observation';

const KINDS: readonly LogKind[] = [
  'run',
  'queued',
  'started',
  'retried',
  'succeeded',
  'failed',
  'chord',
  'errback',
  'observation',
];

/** The filter kind of an event. */
export function logKind(event: RunEvent): LogKind {
  switch (event.type) {
    case 'run.started':
    case 'run.finished':
    case 'task.added':
      return 'run';
    case 'task.queued':
    case 'task.replaced':
      return 'queued';
    case 'task.started':
      return 'started';
    case 'task.retried':
      return 'retried';
    case 'task.succeeded':
      return 'succeeded';
    case 'task.failed':
    case 'task.revoked':
      return 'failed';
    case 'chord.progress':
      return 'chord';
    case 'errback.called':
      return 'errback';
    case 'observation':
      return 'observation';
  }
  return 'run';
}

function short(value: unknown, max = 140): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Task id and a one-line detail for an event. */
export function describeEvent(event: RunEvent): { task: string; detail: string } {
  switch (event.type) {
    case 'run.started':
      return { task: '', detail: `run started with ${event.tasks.length} tasks` };
    case 'task.added':
      return { task: event.task.task_id, detail: `${event.task.name} added (${event.task.origin})` };
    case 'task.queued':
      return {
        task: event.task_id,
        detail: `${event.name}, attempt ${event.attempt}${event.eta_ms !== undefined ? `, due at ${formatMs(event.eta_ms)}` : ''}`,
      };
    case 'task.started':
      return { task: event.task_id, detail: `attempt ${event.attempt} on ${event.worker}` };
    case 'task.retried':
      return {
        task: event.task_id,
        detail: `attempt ${event.attempt} raised ${event.error.type}: ${event.error.message}; retry in ${formatMs(event.countdown_ms)}`,
      };
    case 'task.succeeded':
      return { task: event.task_id, detail: `attempt ${event.attempt} returned ${short(event.result)}` };
    case 'task.failed':
      return {
        task: event.task_id,
        detail: event.marked
          ? `marked FAILURE without running: ${event.error.type}: ${event.error.message}`
          : `attempt ${event.attempt} failed for good: ${event.error.type}: ${event.error.message}`,
      };
    case 'task.revoked':
      return { task: event.task_id, detail: `revoked${event.reason ? `: ${event.reason}` : ''}` };
    case 'task.replaced':
      return { task: event.task_id, detail: `attempt ${event.attempt} replaced itself with ${event.name}` };
    case 'chord.progress':
      return { task: event.chord_id, detail: `chord header ${event.done} of ${event.total} done` };
    case 'errback.called':
      return {
        task: event.failed_task_id,
        detail: `errback ${event.errback} (${event.style} style) called for ${event.failed_task_id}`,
      };
    case 'observation':
      return { task: '', detail: short(event.observation) };
    case 'run.finished':
      return {
        task: '',
        detail: `run finished: ${event.status}${event.error ? ` (${event.error.type}: ${event.error.message})` : ''}`,
      };
  }
  return { task: '', detail: '' };
}

export interface EventLogProps {
  events: readonly RunEvent[];
  playhead: number;
  onPick(event: RunEvent): void;
}

const ROW = 24;

/** The filterable, virtualized event list. */
export function EventLog({ events, playhead, onPick }: EventLogProps) {
  const [on, setOn] = useState<ReadonlySet<LogKind>>(new Set(KINDS));
  const [text, setText] = useState('');
  const list = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ top: 0, height: 300 });

  useEffect(() => {
    const el = list.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setScroll((s) => ({ ...s, height: el.clientHeight })));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return events
      .map((event) => ({ event, kind: logKind(event), ...describeEvent(event) }))
      .filter(
        (row) =>
          on.has(row.kind) &&
          (!needle || `${row.task} ${row.detail} ${row.event.type}`.toLowerCase().includes(needle)),
      );
  }, [events, on, text]);

  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const e of events) {
      if (e.type === 'run.started') for (const d of e.tasks) map.set(d.task_id, d.name);
      else if (e.type === 'task.added') map.set(e.task.task_id, e.task.name);
    }
    return map;
  }, [events]);

  const counts = useMemo(() => {
    const c = new Map<LogKind, number>();
    for (const e of events) c.set(logKind(e), (c.get(logKind(e)) ?? 0) + 1);
    return c;
  }, [events]);

  const first = Math.max(0, Math.floor(scroll.top / ROW) - 5);
  const last = Math.min(rows.length, Math.ceil((scroll.top + scroll.height) / ROW) + 5);

  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100%' }}>
      <div className={styles.logFilters}>
        {KINDS.map((kind) => (
          <button
            type="button"
            key={kind}
            className={`${styles.chip} ${on.has(kind) ? styles.chipOn : ''}`}
            aria-pressed={on.has(kind)}
            onClick={() => {
              const next = new Set(on);
              if (next.has(kind)) next.delete(kind);
              else next.add(kind);
              setOn(next);
            }}
          >
            {kind} {counts.get(kind) ?? 0}
          </button>
        ))}
        <input
          className={styles.input}
          style={{ width: 180 }}
          placeholder="Filter by task or text"
          aria-label="Filter events"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <span className={styles.hint}>
          {rows.length} of {events.length} events
        </span>
      </div>
      <div
        ref={list}
        className={styles.logList}
        style={{ flex: 1 }}
        data-testid="event-log"
        onScroll={(e) => setScroll({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}
      >
        <div style={{ height: rows.length * ROW, position: 'relative' }}>
          {rows.slice(first, last).map((row, i) => (
            <div
              key={row.event.seq}
              className={`${styles.logRow} ${row.event.at > playhead ? styles.logFuture : ''}`}
              style={{ top: (first + i) * ROW }}
              data-testid="event-row"
              data-type={row.event.type}
              onClick={() => onPick(row.event)}
              title={row.detail}
            >
              <span className={styles.mono}>{formatMs(row.event.at)}</span>
              <span className={styles.mono} style={{ color: 'var(--sim-muted)' }}>
                #{row.event.seq}
              </span>
              <span>{row.event.type}</span>
              <span className={styles.ellipsis} title={row.task}>
                {names.get(row.task) ?? row.task}
                {names.has(row.task) ? (
                  <span className={`${styles.mono} ${styles.hint}`}> {row.task}</span>
                ) : null}
              </span>
              <span className={styles.ellipsis}>{row.detail}</span>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
