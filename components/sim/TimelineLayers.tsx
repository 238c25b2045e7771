'use client';
/**
 * The timeline's playhead-independent SVG layers: the attempt bars (merged into strips when thousands
 * are in view) and the dotted retry connectors. Memoized, so playback never re-renders them.
 */
import { memo } from 'react';
import { mergeBars } from './model/mergeBars';
import type { AttemptBar, Timeline as TimelineData } from './model/timeline';
import { OUTCOME_FILL } from './statusStyle';
import { AXIS, BAR, PAD, ROW } from './timelineGeometry';

interface BarsLayerProps {
  bars: readonly AttemptBar[];
  scale: number;
  selectedTaskId: string | null;
  criticalTasks?: ReadonlySet<string> | undefined;
  labels: boolean;
}

/** Above this many bars in view, touching bars of one outcome on a lane are drawn as one strip. */
const MERGE_ABOVE = 2000;

/** The bars; independent of the playhead (the future is veiled by one rect), so playback never re-renders them. */
export const BarsLayer = memo(function BarsLayer({
  bars,
  scale,
  selectedTaskId,
  criticalTasks,
  labels,
}: BarsLayerProps) {
  const x = (t: number) => PAD + t * scale;
  if (bars.length > MERGE_ABOVE) {
    // The selected task's and critical-path bars stay individual (outlined) on top of the strips.
    const marked = bars.filter(
      (b) => b.task_id === selectedTaskId || (criticalTasks?.has(b.task_id) ?? false),
    );
    return (
      <g style={{ cursor: 'pointer' }} data-testid="attempt-strips">
        {mergeBars(bars, scale).map((m) => (
          <rect
            key={m.first.index}
            data-index={m.first.index}
            data-testid="attempt-strip"
            data-count={m.count}
            data-outcome={m.first.outcome}
            x={x(m.start)}
            y={AXIS + m.first.lane * ROW + (ROW - BAR) / 2}
            width={Math.max(2, (m.end - m.start) * scale)}
            height={BAR}
            rx={2}
            fill={OUTCOME_FILL[m.first.outcome]}
          >
            <title>{`${m.count} attempt${m.count === 1 ? '' : 's'} (${m.first.outcome}) — zoom in to see each`}</title>
          </rect>
        ))}
        {marked.map((bar) => (
          <rect
            key={`m${bar.index}`}
            data-index={bar.index}
            data-testid="attempt-bar"
            data-task-id={bar.task_id}
            x={x(bar.start)}
            y={AXIS + bar.lane * ROW + (ROW - BAR) / 2}
            width={Math.max(2, (bar.end - bar.start) * scale)}
            height={BAR}
            rx={3}
            fill={OUTCOME_FILL[bar.outcome]}
            stroke={bar.task_id === selectedTaskId ? 'var(--sim-fg)' : 'var(--st-critical)'}
            strokeWidth={2}
          />
        ))}
      </g>
    );
  }
  return (
    <g style={{ cursor: 'pointer' }}>
      {bars.map((bar) => {
        const bx = x(bar.start);
        const w = Math.max(2, x(bar.end) - bx);
        const y = AXIS + bar.lane * ROW + (ROW - BAR) / 2;
        const selected = bar.task_id === selectedTaskId;
        const critical = criticalTasks?.has(bar.task_id) ?? false;
        const label = `${bar.name} #${bar.attempt}`;
        const rect = (
          <rect
            key={bar.index}
            data-index={bar.index}
            data-testid="attempt-bar"
            data-task-id={bar.task_id}
            data-attempt={bar.attempt}
            data-start={bar.start}
            data-end={bar.end}
            data-outcome={bar.outcome}
            data-worker={bar.worker}
            x={bx}
            y={y}
            width={w}
            height={BAR}
            rx={3}
            fill={OUTCOME_FILL[bar.outcome]}
            stroke={selected ? 'var(--sim-fg)' : critical ? 'var(--st-critical)' : 'none'}
            strokeWidth={selected || critical ? 2 : 0}
          />
        );
        // One element per bar unless a label fits (thousands of bars stay one cheap layer).
        if (!labels || w <= label.length * 6.2 + 8) return rect;
        return (
          <g key={bar.index}>
            {rect}
            <text x={bx + 4} y={y + BAR - 4} fontSize={11} fill="#fff" pointerEvents="none">
              {label}
            </text>
          </g>
        );
      })}
    </g>
  );
});

/** Dotted retry connectors (failed attempt → its retry), independent of the playhead. */
export const ConnectorsLayer = memo(function ConnectorsLayer({
  timeline,
  scale,
  fromT,
  toT,
}: {
  timeline: TimelineData;
  scale: number;
  fromT: number;
  toT: number;
}) {
  const x = (t: number) => PAD + t * scale;
  return (
    <g fill="none" stroke="var(--sim-muted)" strokeDasharray="2 3" pointerEvents="none">
      {timeline.connectors.map((c) => {
        const from = timeline.bars[c.from];
        const to = timeline.bars[c.to];
        if (!from || !to || to.start < fromT || from.end > toT) return null;
        const y1 = AXIS + from.lane * ROW + ROW / 2;
        const y2 = AXIS + to.lane * ROW + ROW / 2;
        return (
          <path
            key={`${c.from}-${c.to}`}
            d={`M${x(from.end)},${y1} L${x(to.start)},${y2}`}
            data-testid="retry-connector"
          />
        );
      })}
    </g>
  );
});
