'use client';
/**
 * The Workers page (like Flower's): Redis, every live worker — heartbeat age, queues, concurrency, the
 * tasks it runs now — and runs without progress. Re-polled every 2 s; ages tick every second.
 */
import Link from 'next/link';
import { useEffect, useState } from 'react';
import styles from '../run/run.module.css';
import { useStoredTheme } from '../run/useStoredTheme';
import { formatMs } from '../sim/model/runState';
import { ConnectionBanner } from './ConnectionBanner';
import ops from './ops.module.css';
import { useClusterHealth } from './useClusterHealth';

interface ActiveTask {
  run_id: string;
  task_id: string;
  name: string;
  since: number;
}

interface WorkerRow {
  name: string;
  host?: string;
  pid?: number;
  queues?: string[];
  concurrency?: number;
  started?: number;
  beat: number;
  active?: ActiveTask[];
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

export function WorkersPage() {
  useStoredTheme();
  const { health } = useClusterHealth(2000);
  const now = useNow(1000);
  const workers = ((health?.workers as { list?: WorkerRow[] } | undefined)?.list ?? []) as WorkerRow[];
  const stuck = health?.stuck_runs ?? [];
  const runs = health?.runs as { in_flight?: number } | undefined;
  return (
    <main className={styles.page} data-testid="workers-page">
      <div className={styles.header}>
        <div>
          <div className={styles.muted}>
            <Link href="/">Editor</Link> / <Link href="/runs">Runs</Link> / Workers
          </div>
          <h1>Workers</h1>
        </div>
        <div className={styles.muted} data-testid="workers-summary">
          Redis{' '}
          <span className={health?.redis === 'ok' ? ops.ok : ops.bad}>{String(health?.redis ?? '…')}</span> ·{' '}
          {workers.length} live worker{workers.length === 1 ? '' : 's'}
          {runs?.in_flight !== undefined
            ? ` · ${runs.in_flight} run${runs.in_flight === 1 ? '' : 's'} in flight`
            : ''}
        </div>
      </div>
      <ConnectionBanner />
      <section className={styles.card}>
        <table className={styles.table} data-testid="workers-table">
          <thead>
            <tr>
              <th>Worker</th>
              <th>Host / pid</th>
              <th>Queues</th>
              <th>Concurrency</th>
              <th>Active</th>
              <th>Heartbeat</th>
              <th>Up</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((w) => (
              <tr key={w.name} data-testid="worker-row" data-worker={w.name}>
                <td className={styles.mono}>{w.name}</td>
                <td className={styles.muted}>
                  {w.host || '?'} / {w.pid || '?'}
                </td>
                <td>{(w.queues ?? []).join(', ') || '—'}</td>
                <td>{w.concurrency ?? '—'}</td>
                <td>
                  {(w.active ?? []).length} / {w.concurrency ?? '?'}
                  {(w.active ?? []).length > 0 ? (
                    <ul className={ops.tasks}>
                      {(w.active ?? []).slice(0, 8).map((t) => (
                        <li key={`${t.run_id}/${t.task_id}`}>
                          {t.name} ·{' '}
                          <Link href={`/runs/${encodeURIComponent(t.run_id)}`}>{t.run_id.slice(0, 8)}</Link> ·{' '}
                          {formatMs(Math.max(0, now - t.since))}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </td>
                <td className={styles.muted} data-testid="worker-heartbeat">
                  {formatMs(Math.max(0, now - w.beat))} ago
                </td>
                <td className={styles.muted}>{w.started ? formatMs(Math.max(0, now - w.started)) : '—'}</td>
              </tr>
            ))}
            {workers.length === 0 ? (
              <tr>
                <td colSpan={7} className={styles.muted}>
                  No live worker. Start one with `npx chordflow worker` (or `npx chordflow serve`).
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>
      <section className={styles.card} data-testid="stuck-runs">
        <h2>Runs without progress</h2>
        {stuck.length === 0 ? (
          <p className={styles.muted}>None: every unfinished run made progress recently.</p>
        ) : (
          <ul>
            {stuck.map((s) => (
              <li key={s.id}>
                <Link href={`/runs/${encodeURIComponent(s.id)}`}>{s.name || s.id}</Link> — no new event for{' '}
                {formatMs(s.idle_ms)}
              </li>
            ))}
          </ul>
        )}
      </section>
    </main>
  );
}
