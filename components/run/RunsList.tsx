'use client';
/**
 * The runs list: newest first, filters by status, name and time, paging, live updates (a run created or
 * finished anywhere in the cluster refreshes the page; no polling).
 */
import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ConnectionBanner } from '../ops/ConnectionBanner';
import { formatMs } from '../sim/model/runState';
import { ApiError, apiToken, listWorkflows, setApiToken, type WorkflowSummary } from './api';
import { RunStatusBadge } from './RunStatusBadge';
import styles from './run.module.css';
import { refreshLiveAuth, useRunsChanges } from './useLiveRun';
import { useStoredTheme } from './useStoredTheme';

const STATUSES = ['', 'pending', 'progress', 'success', 'error', 'canceled'] as const;
const SINCE: Array<{ label: string; ms: number }> = [
  { label: 'any time', ms: 0 },
  { label: 'last hour', ms: 3_600_000 },
  { label: 'last 24 hours', ms: 86_400_000 },
  { label: 'last 7 days', ms: 7 * 86_400_000 },
];
const PER_PAGE = 20;
const FINISHED = new Set(['success', 'error', 'canceled']);

export function RunsList() {
  useStoredTheme();
  const [status, setStatus] = useState('');
  const [name, setName] = useState('');
  const [since, setSince] = useState(0);
  const [page, setPage] = useState(1);
  const [runs, setRuns] = useState<WorkflowSummary[]>([]);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);
  const [token, setToken] = useState('');
  const [updates, setUpdates] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => setToken(apiToken() ?? ''), []);

  const load = useCallback(async () => {
    try {
      const list = await listWorkflows({
        ...(status ? { status } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
        page,
        per_page: PER_PAGE,
      });
      setRuns(list);
      setError('');
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  }, [status, name, page]);

  useEffect(() => {
    void load();
  }, [load]);

  // While the list could not be loaded (server or Redis away), retry: the page recovers by itself.
  useEffect(() => {
    if (!error) return;
    const t = setInterval(() => void load(), 3000);
    return () => clearInterval(t);
  }, [error, load]);

  const live = useRunsChanges(() => {
    setUpdates((n) => n + 1);
    // Coalesce bursts (many runs finishing together) into one refresh.
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      void load();
    }, 250);
  });

  // Ages and running durations tick.
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNowMs(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const shown = since > 0 ? runs.filter((r) => nowMs - Date.parse(r.created) <= since) : runs;

  return (
    <main className={styles.page} data-testid="runs-page">
      <div className={styles.header}>
        <div>
          <div className={styles.muted}>
            <Link href="/">Editor</Link> / Runs · <Link href="/workers">Workers</Link>
          </div>
          <h1>Runs</h1>
        </div>
        <div className={styles.muted} data-testid="runs-live" data-live={live}>
          {live === 'live'
            ? '● live updates'
            : live === 'connecting'
              ? 'connecting…'
              : 'offline: updates paused'}
          {updates > 0 ? ` · ${updates} change${updates === 1 ? '' : 's'} seen` : ''}
        </div>
      </div>
      <ConnectionBanner socket={live} />
      <section className={`${styles.card} ${styles.row}`}>
        <label className={styles.row}>
          Status
          <select
            className={styles.input}
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              setPage(1);
            }}
            aria-label="Filter by status"
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'all'}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.row}>
          Name
          <input
            className={styles.input}
            value={name}
            placeholder="e.g. demo.PIPELINE"
            aria-label="Filter by name"
            onChange={(e) => {
              setName(e.target.value);
              setPage(1);
            }}
          />
        </label>
        <label className={styles.row}>
          Created
          <select
            className={styles.input}
            value={since}
            onChange={(e) => setSince(Number(e.target.value))}
            aria-label="Filter by time"
          >
            {SINCE.map((s) => (
              <option key={s.ms} value={s.ms}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <span style={{ flex: 1 }} />
        <label className={styles.row} title="Needed when the server sets CHORDFLOW_API_TOKEN">
          API token
          <input
            className={styles.input}
            type="password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            onBlur={() => {
              setApiToken(token);
              refreshLiveAuth();
              void load();
            }}
            aria-label="API token"
            style={{ width: 120 }}
          />
        </label>
      </section>
      {error ? (
        <p className={styles.error} data-testid="runs-error">
          {error}
        </p>
      ) : null}
      <section className={styles.card}>
        <table className={styles.table} data-testid="runs-table">
          <thead>
            <tr>
              <th>Status</th>
              <th>Run</th>
              <th>Id</th>
              <th>Created</th>
              <th>Age</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((run) => (
              <tr key={run.id} data-testid="runs-row" data-run-id={run.id} data-status={run.status}>
                <td>
                  <RunStatusBadge status={run.status} />
                  {run.no_progress_ms !== undefined && !FINISHED.has(run.status) ? (
                    <div className={styles.error} data-testid="run-no-progress">
                      no progress for {formatMs(run.no_progress_ms)}
                    </div>
                  ) : null}
                </td>
                <td>
                  <Link href={`/runs/${encodeURIComponent(run.id)}`}>
                    {run.fullname ?? `${run.project ?? ''}.${run.name}`}
                  </Link>
                  {run.comment ? <div className={styles.muted}>{run.comment}</div> : null}
                </td>
                <td className={styles.mono}>{run.id}</td>
                <td>{new Date(run.created).toLocaleString()}</td>
                <td className={styles.muted}>{formatMs(nowMs - Date.parse(run.created))} ago</td>
                <td className={styles.muted}>
                  {FINISHED.has(run.status) && run.updated
                    ? formatMs(Date.parse(run.updated) - Date.parse(run.created))
                    : `${formatMs(Math.max(0, nowMs - Date.parse(run.created)))} so far`}
                </td>
              </tr>
            ))}
            {!loading && shown.length === 0 ? (
              <tr>
                <td colSpan={6} className={styles.muted}>
                  No runs match. Start one from the editor with Run, or `npx chordflow run`.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
        <div className={styles.row} style={{ justifyContent: 'flex-end', marginTop: 8 }}>
          <button
            type="button"
            className={styles.button}
            disabled={page <= 1}
            onClick={() => setPage((p) => p - 1)}
          >
            Newer
          </button>
          <span className={styles.muted}>page {page}</span>
          <button
            type="button"
            className={styles.button}
            disabled={runs.length < PER_PAGE}
            onClick={() => setPage((p) => p + 1)}
          >
            Older
          </button>
        </div>
      </section>
    </main>
  );
}
