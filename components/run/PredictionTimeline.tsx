'use client';
/**
 * Predicted vs actual Gantt: one row per task; the simulator's attempts as dashed ghost bars, the live
 * run's attempts as solid bars on the same time axis; rows of divergent tasks are marked.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { formatMs } from '../sim/model/runState';
import type { AttemptBar, Timeline } from '../sim/model/timeline';
import { OUTCOME_FILL, OUTCOME_LABEL } from '../sim/statusStyle';

export interface PredictionTimelineProps {
  predicted: Timeline;
  actual: Timeline;
  /** Task id → name, in display order. */
  tasks: Array<{ task_id: string; name: string }>;
  divergent: ReadonlyMap<string, string>;
  /** Current live time (ms since the run started) for the "now" line. */
  now?: number;
}

const ROW = 26;
const GUTTER = 130;
/** Drawing width before the figure is measured (and its minimum). */
const MIN_WIDTH = 480;
const AXIS = 20;

function byTask(bars: readonly AttemptBar[]): Map<string, AttemptBar[]> {
  const map = new Map<string, AttemptBar[]>();
  for (const bar of bars) {
    const list = map.get(bar.task_id);
    if (list) list.push(bar);
    else map.set(bar.task_id, [bar]);
  }
  return map;
}

export function PredictionTimeline({ predicted, actual, tasks, divergent, now }: PredictionTimelineProps) {
  const ghost = useMemo(() => byTask(predicted.bars), [predicted]);
  const real = useMemo(() => byTask(actual.bars), [actual]);
  // Drawn at the figure's own width (not a scaled viewBox): text stays at its size on wide pages.
  const box = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(760);
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setWidth(Math.max(MIN_WIDTH, Math.round(el.clientWidth))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const span = Math.max(1, predicted.endMs, actual.endMs, now ?? 0) * 1.05;
  const scale = (width - GUTTER - 10) / span;
  const x = (t: number) => GUTTER + t * scale;
  const height = AXIS + tasks.length * ROW + 8;
  const ticks = 5;
  return (
    <figure style={{ margin: 0 }} data-testid="prediction-timeline" ref={box}>
      <svg
        width="100%"
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label="Predicted versus actual timeline"
      >
        {Array.from({ length: ticks + 1 }, (_, i) => (span / ticks) * i).map((t) => {
          return (
            <g key={`tick-${t}`}>
              <line x1={x(t)} x2={x(t)} y1={AXIS - 4} y2={height} stroke="currentColor" strokeOpacity={0.1} />
              <text x={x(t)} y={12} fontSize={10} textAnchor="middle" fill="currentColor" opacity={0.6}>
                {formatMs(t)}
              </text>
            </g>
          );
        })}
        {tasks.map((task, i) => {
          const y = AXIS + i * ROW;
          const diverges = divergent.get(task.task_id);
          return (
            <g
              key={task.task_id}
              data-testid="prediction-row"
              data-task-id={task.task_id}
              data-divergent={diverges ? 'true' : 'false'}
            >
              {diverges ? (
                <rect x={0} y={y} width={width} height={ROW - 2} fill="#d3453c" opacity={0.08} />
              ) : null}
              <text x={4} y={y + 16} fontSize={11} fill="currentColor">
                {diverges ? '≠ ' : ''}
                {task.name}
              </text>
              {(ghost.get(task.task_id) ?? []).map((bar) => (
                <rect
                  key={`g-${bar.index}`}
                  x={x(bar.start)}
                  y={y + 2}
                  width={Math.max(2, (bar.end - bar.start) * scale)}
                  height={ROW - 6}
                  fill={OUTCOME_FILL[bar.outcome]}
                  fillOpacity={0.12}
                  stroke={OUTCOME_FILL[bar.outcome]}
                  strokeDasharray="4 3"
                >
                  <title>{`predicted attempt ${bar.attempt}: ${OUTCOME_LABEL[bar.outcome]} ${formatMs(bar.start)} → ${formatMs(bar.end)}`}</title>
                </rect>
              ))}
              {(real.get(task.task_id) ?? []).map((bar) => (
                <rect
                  key={`a-${bar.index}`}
                  x={x(bar.start)}
                  y={y + 7}
                  width={Math.max(2, (bar.end - bar.start) * scale)}
                  height={ROW - 16}
                  rx={2}
                  fill={OUTCOME_FILL[bar.outcome]}
                >
                  <title>{`attempt ${bar.attempt} on ${bar.worker}: ${OUTCOME_LABEL[bar.outcome]} ${formatMs(bar.start)} → ${formatMs(bar.end)}`}</title>
                </rect>
              ))}
            </g>
          );
        })}
        {now !== undefined ? (
          <line x1={x(now)} x2={x(now)} y1={AXIS - 4} y2={height} stroke="#3b7ddd" strokeWidth={1.5} />
        ) : null}
      </svg>
      <figcaption style={{ fontSize: 12, opacity: 0.7 }}>
        Dashed: the simulator&apos;s prediction for the same canvas and scenario. Solid: this run.
        {divergent.size > 0
          ? ` ${divergent.size} task(s) diverge (marked ≠).`
          : ' The run follows the prediction.'}
      </figcaption>
    </figure>
  );
}
