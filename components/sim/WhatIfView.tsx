'use client';
/**
 * What if: Monte Carlo over N seeds of the current document and of a candidate retry policy, side by
 * side — success rate, makespan p50/p95/p99, retries used, and a makespan histogram on a shared axis.
 */
import { useMemo, useState } from 'react';
import type { RetryOptions } from '../../lib/canvas/model';
import { type MonteCarloSummary, type RunSample, summarizeRuns } from './model/monteCarloStats';
import { formatMs } from './model/runState';
import { whatIfVerdict } from './model/verdict';
import styles from './sim.module.css';
import { useSimStore } from './simulationStore';

function Histogram({ summary, label }: { summary: MonteCarloSummary; label: string }) {
  const width = 320;
  const height = 100;
  const maxCount = Math.max(1, ...summary.histogram.map((b) => b.success + b.failure));
  const barW = width / Math.max(1, summary.histogram.length);
  const first = summary.histogram[0];
  const last = summary.histogram[summary.histogram.length - 1];
  const lo = first?.from ?? 0;
  const hi = last?.to ?? 1;
  const px = (t: number) => (hi > lo ? ((t - lo) / (hi - lo)) * width : width / 2);
  return (
    <div>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        width="100%"
        height={84}
        role="img"
        aria-label={`Makespan histogram of ${label}: ${summary.runs} runs`}
        data-testid="mc-histogram"
        data-runs={summary.runs}
        style={{ display: 'block' }}
      >
        {summary.histogram.map((bin) => {
          const hs = (bin.success / maxCount) * height;
          const hf = (bin.failure / maxCount) * height;
          const i = summary.histogram.indexOf(bin);
          return (
            <g key={bin.from}>
              <title>{`${formatMs(bin.from)} – ${formatMs(bin.to)}: ${bin.success} succeeded, ${bin.failure} failed`}</title>
              <rect
                x={i * barW + 0.5}
                y={height - hs}
                width={Math.max(0.5, barW - 1)}
                height={hs}
                fill="var(--st-success)"
              />
              <rect
                x={i * barW + 0.5}
                y={height - hs - hf}
                width={Math.max(0.5, barW - 1)}
                height={hf}
                fill="var(--st-failure)"
              />
            </g>
          );
        })}
        <line
          x1={px(summary.p50)}
          x2={px(summary.p50)}
          y1={0}
          y2={height}
          stroke="var(--sim-fg)"
          strokeDasharray="3 3"
          vectorEffect="non-scaling-stroke"
        />
        <line
          x1={px(summary.p95)}
          x2={px(summary.p95)}
          y1={0}
          y2={height}
          stroke="var(--st-critical)"
          strokeDasharray="3 3"
          vectorEffect="non-scaling-stroke"
        />
        <line
          x1={0}
          x2={width}
          y1={height}
          y2={height}
          stroke="var(--sim-border)"
          vectorEffect="non-scaling-stroke"
        />
      </svg>
      <div className={styles.hint} style={{ display: 'flex', justifyContent: 'space-between', marginTop: 2 }}>
        <span>{formatMs(lo)}</span>
        <span>makespan</span>
        <span>{formatMs(hi)}</span>
      </div>
      <div className={styles.hint} style={{ display: 'flex', flexWrap: 'wrap', gap: '0 10px' }}>
        <span>
          <span style={{ color: 'var(--st-success)' }}>■</span> succeeded
        </span>
        <span>
          <span style={{ color: 'var(--st-failure)' }}>■</span> failed
        </span>
        <span style={{ borderBottom: '2px dashed var(--sim-fg)' }}>p50</span>
        <span style={{ borderBottom: '2px dashed var(--st-critical)' }}>p95</span>
      </div>
    </div>
  );
}

function Stat({
  name,
  value,
  compare,
  testId,
}: {
  name: string;
  value: string;
  compare?: 'better' | 'worse' | undefined;
  testId?: string;
}) {
  return (
    <div className={styles.stat} data-testid={testId} data-compare={compare ?? 'same'}>
      <span>{name}</span>
      <strong className={compare ? styles[compare] : undefined}>{value}</strong>
    </div>
  );
}

function VariantCard({
  label,
  summary,
  base,
}: {
  label: string;
  summary: MonteCarloSummary;
  base?: MonteCarloSummary | undefined;
}) {
  const verdict = base ? whatIfVerdict(base, summary) : undefined;
  const marks = verdict?.marks;
  return (
    <div
      className={styles.variant}
      data-testid="mc-variant"
      data-success-rate={summary.successRate}
      data-p50={summary.p50}
      data-p95={summary.p95}
      data-verdict={verdict?.overall}
    >
      <h4>{label}</h4>
      {verdict ? (
        <p
          className={`${styles.verdict} ${verdict.overall === 'same' ? '' : styles[verdict.overall]}`}
          data-testid="mc-verdict"
          data-verdict={verdict.overall}
        >
          {verdict.summary}
        </p>
      ) : null}
      <div className={styles.stats}>
        <Stat
          name="success"
          value={`${(summary.successRate * 100).toFixed(1)} %`}
          compare={marks?.success}
          testId="mc-stat-success"
        />
        <Stat name="p50" value={formatMs(summary.p50)} compare={marks?.p50} testId="mc-stat-p50" />
        <Stat name="p95" value={formatMs(summary.p95)} compare={marks?.p95} testId="mc-stat-p95" />
        <Stat name="p99" value={formatMs(summary.p99)} compare={marks?.p99} testId="mc-stat-p99" />
        <Stat name="mean" value={formatMs(summary.mean)} />
        <Stat name="retries / run" value={summary.retriesMean.toFixed(2)} compare={marks?.retries} />
        <Stat name="max retries" value={String(summary.retriesMax)} />
        <Stat name="runs" value={String(summary.runs)} />
      </div>
      <Histogram summary={summary} label={label} />
    </div>
  );
}

function numberOrUndefined(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

export interface WhatIfViewProps {
  tasks: Array<{ path: string; label: string }>;
  onRun(compare: boolean): void;
  onCancel(): void;
}

/** The what-if tab. */
export function WhatIfView({ tasks, onRun, onCancel }: WhatIfViewProps) {
  const whatIf = useSimStore((s) => s.whatIf);
  const policy = useSimStore((s) => s.policy);
  const setPolicy = useSimStore((s) => s.setPolicy);
  const setWhatIf = useSimStore((s) => s.setWhatIf);

  const summaries = useMemo(() => {
    const all = whatIf.samples.flat();
    if (all.length === 0) return [];
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const s of all) {
      if (s.makespan_ms < min) min = s.makespan_ms;
      if (s.makespan_ms > max) max = s.makespan_ms;
    }
    return whatIf.samples.map((list: RunSample[]) => summarizeRuns(list, 30, { min, max }));
  }, [whatIf.samples]);

  function setOption<K extends keyof RetryOptions>(key: K, value: RetryOptions[K] | undefined) {
    const options = { ...policy.options };
    if (value === undefined) delete options[key];
    else options[key] = value;
    setPolicy({ ...policy, options });
  }

  const o = policy.options;
  const [autoText, setAutoText] = useState(() => o.autoretry_for?.join(', ') ?? '');
  const running = whatIf.status === 'running';
  const target = policy.paths?.[0] ?? '';
  return (
    <div className={styles.whatif}>
      <div className={styles.policy}>
        <strong>Candidate retry policy</strong>
        <span className={styles.hint}>Blank fields keep each task's current value.</span>
        <label>
          <span className={styles.label}>applies to</span>
          <select
            className={styles.select}
            aria-label="Tasks the candidate policy applies to"
            value={target}
            onChange={(e) => {
              const { paths: _paths, ...rest } = policy;
              setPolicy(e.target.value === '' ? rest : { ...rest, paths: [e.target.value] });
            }}
          >
            <option value="">every task</option>
            {tasks.map((t) => (
              <option key={t.path} value={t.path}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className={styles.label}>max_retries</span>
          <input
            className={styles.input}
            aria-label="max_retries"
            value={o.max_retries === undefined ? '' : String(o.max_retries)}
            onChange={(e) => setOption('max_retries', numberOrUndefined(e.target.value))}
          />
        </label>
        <label>
          <span className={styles.label}>countdown (s)</span>
          <input
            className={styles.input}
            aria-label="countdown"
            value={o.countdown ?? ''}
            onChange={(e) => setOption('countdown', numberOrUndefined(e.target.value))}
          />
        </label>
        <label>
          <span className={styles.label}>retry_backoff (factor)</span>
          <input
            className={styles.input}
            aria-label="retry_backoff"
            value={
              typeof o.retry_backoff === 'number'
                ? String(o.retry_backoff)
                : o.retry_backoff === true
                  ? '1'
                  : ''
            }
            onChange={(e) => setOption('retry_backoff', numberOrUndefined(e.target.value))}
          />
        </label>
        <label>
          <span className={styles.label}>retry_backoff_max (s)</span>
          <input
            className={styles.input}
            aria-label="retry_backoff_max"
            value={o.retry_backoff_max ?? ''}
            onChange={(e) => setOption('retry_backoff_max', numberOrUndefined(e.target.value))}
          />
        </label>
        <label>
          <span className={styles.label}>retry_jitter</span>
          <select
            className={styles.select}
            aria-label="retry_jitter"
            value={o.retry_jitter === undefined ? '' : String(o.retry_jitter)}
            onChange={(e) =>
              setOption('retry_jitter', e.target.value === '' ? undefined : e.target.value === 'true')
            }
          >
            <option value="">unchanged</option>
            <option value="true">on</option>
            <option value="false">off</option>
          </select>
        </label>
        <label>
          <span className={styles.label}>autoretry_for</span>
          <input
            className={styles.input}
            style={{ width: 120 }}
            aria-label="autoretry_for"
            placeholder="e.g. RequestException"
            value={autoText}
            onChange={(e) => {
              setAutoText(e.target.value);
              const names = e.target.value
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean);
              setOption('autoretry_for', e.target.value.trim() === '' ? undefined : names);
            }}
          />
        </label>
        <label>
          <span className={styles.label}>runs (seeds)</span>
          <input
            className={styles.input}
            aria-label="Monte Carlo runs"
            value={whatIf.runs}
            onChange={(e) =>
              setWhatIf({ runs: Math.max(1, Math.min(100_000, Math.floor(Number(e.target.value) || 1))) })
            }
          />
        </label>
        <div style={{ display: 'flex', gap: 6, marginTop: 4 }}>
          <button
            type="button"
            className={`${styles.button} ${styles.primary}`}
            disabled={running}
            onClick={() => onRun(true)}
          >
            Compare
          </button>
          <button type="button" className={styles.button} disabled={running} onClick={() => onRun(false)}>
            Current only
          </button>
          {running ? (
            <button type="button" className={styles.button} onClick={onCancel}>
              Stop
            </button>
          ) : null}
        </div>
        {running || whatIf.done > 0 ? (
          <div
            className={styles.progress}
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={whatIf.runs}
            aria-valuenow={whatIf.done}
          >
            <div style={{ width: `${(whatIf.done / Math.max(1, whatIf.runs)) * 100}%` }} />
          </div>
        ) : null}
        <span
          className={styles.hint}
          data-testid="mc-status"
          data-status={whatIf.status}
          data-elapsed-ms={whatIf.elapsed_ms ?? ''}
        >
          {whatIf.status === 'running'
            ? `${whatIf.done} of ${whatIf.runs} runs…`
            : whatIf.status === 'done'
              ? `${whatIf.done} runs per variant in ${formatMs(whatIf.elapsed_ms ?? 0)} (seeds ${useSimStore.getState().settings.seed}…)`
              : whatIf.status === 'error'
                ? whatIf.error
                : 'Runs the scenario, workers and faults chosen above with consecutive seeds.'}
        </span>
      </div>
      <div className={styles.variants}>
        {summaries.length === 0 ? (
          <p className={styles.empty}>
            Press <strong>Compare</strong> to simulate the current document and the candidate policy with the
            same seeds.
          </p>
        ) : (
          summaries.map((summary, i) => (
            <VariantCard
              key={whatIf.labels[i] ?? i}
              label={whatIf.labels[i] ?? `variant ${i + 1}`}
              summary={summary}
              base={i > 0 ? summaries[0] : undefined}
            />
          ))
        )}
      </div>
    </div>
  );
}
