'use client';
/**
 * The run's Gantt: one row per worker slot, one bar per attempt (colour = outcome), the countdown
 * before a retry drawn as a dotted connector across the gap. Hover a bar for details, click it to
 * select its task, click or drag on the time axis to move the playhead. Prop-driven (an event list's
 * `Timeline`), so live runs use it too. SVG with viewport culling: only bars in view are drawn.
 */
import { memo, type PointerEvent as ReactPointerEvent, useEffect, useMemo, useRef, useState } from 'react';
import { mergeBars } from './model/mergeBars';
import { formatMs } from './model/runState';
import type { AttemptBar, Timeline as TimelineData } from './model/timeline';
import styles from './sim.module.css';
import { OUTCOME_FILL, OUTCOME_LABEL } from './statusStyle';

export interface TimelineProps {
  timeline: TimelineData;
  playhead: number;
  selectedTaskId: string | null;
  criticalTasks?: ReadonlySet<string>;
  onSelect(taskId: string | null): void;
  onSeek(t: number): void;
}

const ROW = 24;
const BAR = 16;
const AXIS = 26;
const GUTTER = 172;
const PAD = 12;

function niceStep(span: number, targetTicks: number): number {
  const raw = span / Math.max(1, targetTicks);
  const pow = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

function describeBar(bar: AttemptBar): string {
  const lines = [
    `${bar.name} (${bar.task_id})`,
    `attempt ${bar.attempt} · ${OUTCOME_LABEL[bar.outcome]}`,
    `${bar.worker} · ${formatMs(bar.start)} → ${formatMs(bar.end)} (${formatMs(bar.end - bar.start)})`,
  ];
  if (bar.error) lines.push(`${bar.error.type}: ${bar.error.message}`);
  if (bar.countdown_ms !== undefined)
    lines.push(`next attempt after a ${formatMs(bar.countdown_ms)} countdown`);
  return lines.join('\n');
}

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
const BarsLayer = memo(function BarsLayer({
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
const ConnectorsLayer = memo(function ConnectorsLayer({
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

/** The Gantt view. */
export function Timeline({
  timeline,
  playhead,
  selectedTaskId,
  criticalTasks,
  onSelect,
  onSeek,
}: TimelineProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 800, height: 240 });
  const [view, setView] = useState({ left: 0, top: 0 });
  const [zoom, setZoom] = useState(1);
  const [hover, setHover] = useState<{ bar: AttemptBar; x: number; y: number } | null>(null);
  const dragging = useRef(false);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setSize({ width: el.clientWidth, height: el.clientHeight }));
    observer.observe(el);
    setSize({ width: el.clientWidth, height: el.clientHeight });
    return () => observer.disconnect();
  }, []);

  const span = Math.max(timeline.endMs, 1);
  const plotWidth = Math.max(200, (size.width - GUTTER) * zoom);
  const scale = (plotWidth - 2 * PAD) / span;
  const x = (t: number) => PAD + t * scale;
  const height = AXIS + Math.max(1, timeline.lanes.length) * ROW + 8;

  // Visible window (culling), in time and lanes.
  const fromT = (view.left - PAD) / scale;
  const toT = (view.left + size.width - GUTTER + PAD) / scale;
  const firstLane = Math.floor((view.top - AXIS) / ROW) - 1;
  const lastLane = Math.ceil((view.top + size.height) / ROW) + 1;
  const visible = useMemo(
    () =>
      timeline.bars.filter(
        (b) => b.end >= fromT && b.start <= toT && b.lane >= firstLane && b.lane <= lastLane,
      ),
    [timeline.bars, fromT, toT, firstLane, lastLane],
  );
  const many = visible.length > 1500;
  const step = niceStep(span, Math.max(2, Math.floor(plotWidth / 90)));
  const ticks: number[] = [];
  for (let t = 0; t <= span + 1e-9; t += step) ticks.push(t);
  const byIndex = timeline.bars;

  function seekFromPointer(event: ReactPointerEvent<SVGElement>) {
    const rect = (event.currentTarget.ownerSVGElement ?? event.currentTarget).getBoundingClientRect();
    const t = (event.clientX - rect.left - PAD) / scale;
    onSeek(Math.max(0, Math.min(timeline.endMs, t)));
  }

  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100%' }}>
      <div className={styles.legend}>
        {(['success', 'retry', 'failure', 'running'] as const).map((o) => (
          <span key={o}>
            <span className={styles.swatch} style={{ background: OUTCOME_FILL[o] }} />
            {OUTCOME_LABEL[o]}
          </span>
        ))}
        <span>
          <svg width="22" height="8" aria-hidden="true">
            <line x1="0" y1="4" x2="22" y2="4" stroke="currentColor" strokeDasharray="2 3" />
          </svg>{' '}
          retry countdown
        </span>
        <span>
          <span
            className={styles.swatch}
            style={{ background: 'transparent', outline: '2px solid var(--st-critical)' }}
          />
          critical path
        </span>
        <span style={{ marginLeft: 'auto' }}>
          <button
            type="button"
            className={styles.button}
            onClick={() => setZoom((z) => Math.max(1, z / 2))}
            aria-label="Zoom out"
            disabled={zoom <= 1}
          >
            −
          </button>{' '}
          <button type="button" className={styles.button} onClick={() => setZoom(1)}>
            Fit
          </button>{' '}
          <button
            type="button"
            className={styles.button}
            onClick={() => setZoom((z) => Math.min(256, z * 2))}
            aria-label="Zoom in"
          >
            +
          </button>
        </span>
      </div>
      <div
        ref={scroller}
        className={styles.timeline}
        data-testid="timeline"
        data-bars={timeline.bars.length}
        onScroll={(e) => {
          const el = e.currentTarget;
          setView({ left: el.scrollLeft, top: el.scrollTop });
        }}
      >
        <div style={{ display: 'flex', width: GUTTER + plotWidth, minHeight: '100%' }}>
          <div
            style={{
              position: 'sticky',
              left: 0,
              zIndex: 1,
              width: GUTTER,
              flex: `0 0 ${GUTTER}px`,
              background: 'var(--sim-bg)',
              borderRight: '1px solid var(--sim-border)',
              paddingTop: AXIS,
            }}
          >
            {timeline.lanes.map((lane) => (
              <div
                key={lane.label}
                className={`${styles.ellipsis} ${styles.mono}`}
                style={{ height: ROW, lineHeight: `${ROW}px`, padding: '0 8px', color: 'var(--sim-muted)' }}
                title={`${lane.worker}, slot ${lane.slot + 1} (a worker process runs one attempt per slot at a time)`}
              >
                {lane.label}
              </div>
            ))}
          </div>
          <svg
            width={plotWidth}
            height={height}
            role="img"
            aria-label={`Timeline: ${timeline.bars.length} attempts on ${timeline.lanes.length} worker slots`}
            onMouseMove={(e) => {
              const target = e.target as Element;
              const index = target.getAttribute('data-index');
              const bar = index === null ? undefined : byIndex[Number(index)];
              setHover(bar ? { bar, x: e.clientX, y: e.clientY } : null);
            }}
            onMouseLeave={() => setHover(null)}
            onClick={(e) => {
              const index = (e.target as Element).getAttribute('data-index');
              const bar = index === null ? undefined : byIndex[Number(index)];
              onSelect(bar ? bar.task_id : null);
            }}
          >
            {timeline.lanes.map((lane, i) =>
              i % 2 === 1 ? (
                <rect
                  key={lane.label}
                  x={0}
                  y={AXIS + i * ROW}
                  width={plotWidth}
                  height={ROW}
                  fill="var(--sim-bg2)"
                  opacity={0.5}
                />
              ) : null,
            )}
            <g>
              <rect
                x={0}
                y={0}
                width={plotWidth}
                height={AXIS}
                fill="var(--sim-bg)"
                style={{ cursor: 'ew-resize' }}
                data-testid="timeline-axis"
                onPointerDown={(e) => {
                  dragging.current = true;
                  e.currentTarget.setPointerCapture(e.pointerId);
                  seekFromPointer(e);
                }}
                onPointerMove={(e) => {
                  if (dragging.current) seekFromPointer(e);
                }}
                onPointerUp={() => {
                  dragging.current = false;
                }}
              />
              {ticks.map((t) => (
                <g key={t} pointerEvents="none">
                  <line x1={x(t)} x2={x(t)} y1={AXIS - 6} y2={height} stroke="var(--sim-border)" />
                  <text x={x(t) + 3} y={AXIS - 10} fontSize={11} fill="var(--sim-muted)">
                    {formatMs(t)}
                  </text>
                </g>
              ))}
            </g>
            <ConnectorsLayer timeline={timeline} scale={scale} fromT={fromT} toT={toT} />
            <BarsLayer
              bars={visible}
              scale={scale}
              selectedTaskId={selectedTaskId}
              criticalTasks={criticalTasks}
              labels={!many}
            />
            {playhead < timeline.endMs ? (
              <rect
                x={x(playhead)}
                y={AXIS}
                width={Math.max(0, plotWidth - x(playhead))}
                height={height - AXIS}
                fill="var(--sim-bg)"
                opacity={0.62}
                pointerEvents="none"
                data-testid="timeline-future"
              />
            ) : null}
            <line
              x1={x(playhead)}
              x2={x(playhead)}
              y1={0}
              y2={height}
              stroke="var(--sim-accent)"
              strokeWidth={2}
              pointerEvents="none"
              data-testid="timeline-playhead"
            />
          </svg>
        </div>
      </div>
      {hover ? (
        <div
          className={styles.tooltip}
          style={{
            left: Math.min(hover.x + 12, window.innerWidth - 372),
            ...(hover.y > window.innerHeight - 140
              ? { bottom: window.innerHeight - hover.y + 12 }
              : { top: hover.y + 12 }),
          }}
          role="tooltip"
        >
          {describeBar(hover.bar)}
        </div>
      ) : null}
    </div>
  );
}
