'use client';
/**
 * The run's Gantt: one row per worker slot, one bar per attempt (colour = outcome), the countdown
 * before a retry drawn as a dotted connector across the gap. Hover a bar for details, click it to
 * select its task, click or drag on the time axis to move the playhead. Prop-driven (an event list's
 * `Timeline`), so live runs use it too. SVG with viewport culling: only bars in view are drawn.
 */
import { type PointerEvent as ReactPointerEvent, useEffect, useMemo, useRef, useState } from 'react';
import { formatMs } from './model/runState';
import type { AttemptBar, Timeline as TimelineData } from './model/timeline';
import styles from './sim.module.css';
import { OUTCOME_FILL, OUTCOME_LABEL } from './statusStyle';
import { BarsLayer, ConnectorsLayer } from './TimelineLayers';
import { AXIS, GUTTER, PAD, ROW } from './timelineGeometry';

export interface TimelineProps {
  timeline: TimelineData;
  playhead: number;
  selectedTaskId: string | null;
  criticalTasks?: ReadonlySet<string>;
  onSelect(taskId: string | null): void;
  onSeek(t: number): void;
}

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
