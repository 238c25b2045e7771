'use client';
/**
 * The face of a stacked node, shared by the editor canvas and the run page: "add ×1,000", a progress
 * bar split by state, per-state counts, a mini-histogram of finished members' durations, the failed
 * members first (each one click away), and the expand / range / collapse controls.
 */
import { type ReactNode, useState } from 'react';
import { formatMs } from '../../sim/model/runState';
import {
  histogram,
  MEMBER_ICON,
  MEMBER_LABEL,
  MEMBER_STATUSES,
  type MemberStatus,
  type StackSummary,
} from './stackSummary';
import styles from './stacks.module.css';

export interface StackCardProps {
  label: string;
  /** The first and last member's arguments (shown until a run gives counts). */
  preview?: string;
  count: number;
  /** `chord header` or `group`: where the members sit. */
  ownerLabel: string;
  summary: StackSummary | null;
  /** The expanded range, when some members are drawn as nodes. */
  range?: { from: number; to: number };
  /** Largest range the view draws at once. */
  maxRange?: number;
  onRange?(range: { from: number; to: number } | null): void;
  /** Opens one member (the failed chips). */
  onMember?(index: number): void;
  /** An extra button in the actions row (e.g. the run page's member list toggle). */
  extraAction?: ReactNode;
}

const fmt = new Intl.NumberFormat('en-US');
const FAILED_CHIPS = 3;

function Histogram({ durations }: { durations: readonly number[] }) {
  const h = histogram(durations);
  if (h.bins.length === 0) return null;
  const peak = Math.max(...h.bins);
  const w = 84;
  const bw = w / h.bins.length;
  return (
    <span
      className={styles.histogram}
      data-testid="stack-histogram"
      title={`Durations of ${fmt.format(durations.length)} finished members: ${formatMs(h.min)} – ${formatMs(h.max)}`}
    >
      <svg width={w} height={18} viewBox={`0 0 ${w} 18`} aria-hidden="true">
        {h.bins.map((n, i) => {
          const bh = n === 0 ? 0 : Math.max(1.5, (n / peak) * 17);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: bins are positional
            <rect key={i} x={i * bw + 0.5} y={18 - bh} width={Math.max(1, bw - 1)} height={bh} rx={0.5} />
          );
        })}
      </svg>
      <span className={styles.histLabel}>
        {formatMs(h.min)}–{formatMs(h.max)}
      </span>
    </span>
  );
}

function Progress({ summary }: { summary: StackSummary }) {
  return (
    <div
      className={styles.progress}
      role="progressbar"
      aria-label="Members finished"
      aria-valuemin={0}
      aria-valuemax={summary.total}
      aria-valuenow={summary.done}
    >
      {MEMBER_STATUSES.map((s) =>
        summary.counts[s] > 0 ? (
          <span
            key={s}
            className={`${styles.seg} ${styles[`m_${s}`] ?? ''}`}
            style={{ width: `${(summary.counts[s] / summary.total) * 100}%` }}
          />
        ) : null,
      )}
    </div>
  );
}

function RangeForm({
  count,
  max,
  onRange,
  onClose,
}: {
  count: number;
  max: number;
  onRange(range: { from: number; to: number }): void;
  onClose(): void;
}) {
  const [from, setFrom] = useState('1');
  const [to, setTo] = useState(String(Math.min(count, 20)));
  const submit = () => {
    const a = Math.max(1, Math.min(count, Number.parseInt(from, 10) || 1));
    const b = Math.max(a, Math.min(count, Number.parseInt(to, 10) || a, a + max - 1));
    onRange({ from: a - 1, to: b });
    onClose();
  };
  return (
    <form
      className={`${styles.rangeForm} nodrag nopan`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label>
        members
        <input
          aria-label="First member"
          data-testid="stack-range-from"
          inputMode="numeric"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
        />
      </label>
      <label>
        to
        <input
          aria-label="Last member"
          data-testid="stack-range-to"
          inputMode="numeric"
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
      </label>
      <button type="submit" className={styles.btn} data-testid="stack-range-show">
        Show
      </button>
    </form>
  );
}

export function StackCard(props: StackCardProps) {
  const { label, count, summary, range, onRange, onMember } = props;
  const max = props.maxRange ?? count;
  const [picking, setPicking] = useState(false);
  const expanded = range !== undefined && range.to > range.from;
  const shownCounts: MemberStatus[] = summary ? MEMBER_STATUSES.filter((s) => summary.counts[s] > 0) : [];
  return (
    <div
      className={styles.card}
      data-testid="stack-node"
      data-count={count}
      data-done={summary?.done}
      data-failed={summary?.counts.failure}
      data-succeeded={summary?.counts.success}
    >
      <div className={styles.head}>
        <svg className={styles.icon} width="14" height="12" viewBox="0 0 14 12" aria-hidden="true">
          <rect x="4" y="0.5" width="9.5" height="7" rx="1.5" />
          <rect x="2.2" y="2.3" width="9.5" height="7" rx="1.5" />
          <rect x="0.5" y="4.5" width="9.5" height="7" rx="1.5" />
        </svg>
        <span className={styles.name} title={label}>
          {label}
        </span>
        <span className={styles.times} data-testid="stack-count">
          ×{fmt.format(count)}
        </span>
      </div>
      <div className={styles.sub}>
        {props.ownerLabel} · {fmt.format(count)} members
        {expanded ? (
          <span data-testid="stack-range">
            {' '}
            · showing {fmt.format(range.from + 1)}–{fmt.format(range.to)}
          </span>
        ) : null}
      </div>
      {summary ? (
        <Progress summary={summary} />
      ) : (
        <div className={styles.preview} title="Arguments of the first and the last member">
          {props.preview}
        </div>
      )}
      {summary ? (
        <div className={styles.counts} data-testid="stack-counts">
          {shownCounts.map((s) => (
            <span
              key={s}
              className={`${styles.count} ${styles[`c_${s}`] ?? ''}`}
              data-state={s}
              title={`${fmt.format(summary.counts[s])} ${MEMBER_LABEL[s]}`}
            >
              {MEMBER_ICON[s]} {fmt.format(summary.counts[s])}
            </span>
          ))}
        </div>
      ) : null}
      {summary && summary.durations.length > 0 ? <Histogram durations={summary.durations} /> : null}
      {summary && summary.failed.length > 0 ? (
        <div className={styles.failed} data-testid="stack-failed">
          <span className={styles.failedLabel}>failed:</span>
          {summary.failed.slice(0, FAILED_CHIPS).map((i) => (
            <button
              key={i}
              type="button"
              className={`${styles.chip} nodrag nopan`}
              data-testid="stack-failed-member"
              title={`Show member ${i + 1}`}
              onClick={() => onMember?.(i)}
            >
              #{i + 1}
            </button>
          ))}
          {summary.failed.length > FAILED_CHIPS ? (
            <span className={styles.more}>+{fmt.format(summary.failed.length - FAILED_CHIPS)}</span>
          ) : null}
        </div>
      ) : null}
      {onRange ? (
        <div className={`${styles.actions} nodrag nopan`}>
          {picking ? (
            <RangeForm count={count} max={max} onRange={onRange} onClose={() => setPicking(false)} />
          ) : (
            <>
              {!expanded || range.to - range.from < Math.min(count, max) ? (
                <button
                  type="button"
                  className={styles.btn}
                  data-testid="stack-expand"
                  title={count > max ? `Draws the first ${fmt.format(max)} members` : 'Draw every member'}
                  onClick={() => onRange({ from: 0, to: Math.min(count, max) })}
                >
                  {count > max ? `Expand ${fmt.format(max)}` : 'Expand'}
                </button>
              ) : null}
              <button
                type="button"
                className={styles.btn}
                data-testid="stack-range-open"
                onClick={() => setPicking(true)}
              >
                Range…
              </button>
              {expanded ? (
                <button
                  type="button"
                  className={styles.btn}
                  data-testid="stack-collapse"
                  onClick={() => onRange(null)}
                >
                  Collapse
                </button>
              ) : null}
              {props.extraAction}
            </>
          )}
        </div>
      ) : null}
    </div>
  );
}
