'use client';
/**
 * Predicted vs actual Gantt: one row per task; the simulator's attempts as dashed ghost bars, the live
 * run's attempts as solid bars on the same time axis; rows of divergent tasks are marked. The members
 * of a stack (a big fan-out) share one lane with density strips (predicted above, actual below); a click
 * on the lane opens its members, diverging ones first.
 */
import { memo, type ReactElement, type SVGProps, useEffect, useMemo, useRef, useState } from 'react';
import { formatMs } from '../sim/model/runState';
import type { AttemptBar, Timeline } from '../sim/model/timeline';
import { OUTCOME_FILL, OUTCOME_LABEL } from '../sim/statusStyle';
import { density, type Row, type StackLaneSource, timelineRows } from './timelineLanes';

export interface PredictionTimelineProps {
  predicted: Timeline;
  actual: Timeline;
  /** Task id → name, in display order. */
  tasks: Array<{ task_id: string; name: string }>;
  divergent: ReadonlyMap<string, string>;
  /** Current live time (ms since the run started) for the "now" line. */
  now?: number;
  /** Stacks of the run graph: their members share one lane. */
  stacks?: readonly StackLaneSource[];
}

const DENSITY_BUCKETS = 160;

/** One rect per non-empty bucket (keyed by bucket: buckets are positional). */
function cells(
  values: readonly number[],
  prefix: string,
  attrs: (n: number, i: number) => SVGProps<SVGRectElement>,
): ReactElement[] {
  const out: ReactElement[] = [];
  for (let i = 0; i < values.length; i++) {
    const n = values[i] ?? 0;
    if (n > 0) out.push(<rect key={`${prefix}${i}`} {...attrs(n, i)} />);
  }
  return out;
}

/** One stack lane: predicted density (dashed outline band) above, actual density below, failures in red. */
function StackLane(props: {
  row: Extract<Row, { kind: 'stack' }>;
  y: number;
  width: number;
  span: number;
  x(t: number): number;
  predicted: Timeline;
  actual: Timeline;
  diverging: number;
  open: boolean;
  onToggle(): void;
}) {
  const { row, y, span, x } = props;
  const ids = useMemo(() => new Set(row.taskIds), [row.taskIds]);
  const ghost = useMemo(
    () => density(props.predicted.bars, ids, span, DENSITY_BUCKETS),
    [props.predicted, ids, span],
  );
  const real = useMemo(
    () => density(props.actual.bars, ids, span, DENSITY_BUCKETS),
    [props.actual, ids, span],
  );
  const peak = Math.max(1, ...ghost.running, ...real.running);
  const bw = (x(span) - x(0)) / DENSITY_BUCKETS;
  return (
    <g
      data-testid="prediction-stack-lane"
      data-stack-id={row.id}
      data-open={props.open ? 'true' : 'false'}
      style={{ cursor: 'pointer' }}
      onClick={props.onToggle}
    >
      <rect x={0} y={y} width={props.width} height={ROW - 2} fill="currentColor" opacity={0.04} />
      <text x={4} y={y + 16} fontSize={11} fontWeight={600} fill="currentColor">
        {props.open ? '▾ ' : '▸ '}
        {props.diverging > 0 ? '≠ ' : ''}
        {row.label}
      </text>
      {cells(ghost.running, 'g', (n, i) => ({
        x: x(0) + i * bw,
        y: y + 2,
        width: bw + 0.3,
        height: (ROW - 6) / 2,
        fill: OUTCOME_FILL.success,
        fillOpacity: 0.08 + 0.3 * (n / peak),
      }))}
      {cells(real.running, 'a', (n, i) => ({
        x: x(0) + i * bw,
        y: y + ROW / 2 - 1,
        width: bw + 0.3,
        height: (ROW - 6) / 2,
        fill: OUTCOME_FILL.success,
        fillOpacity: 0.2 + 0.8 * (n / peak),
      }))}
      {cells(real.failed, 'f', (_n, i) => ({
        x: x(0) + i * bw,
        y: y + 2,
        width: Math.max(1.5, bw),
        height: ROW - 6,
        fill: OUTCOME_FILL.failure,
      }))}
      <title>{`${row.label}: ${row.taskIds.length} tasks in one lane (density of running attempts; dashed band predicted, solid actual${props.diverging > 0 ? `; ${props.diverging} diverge` : ''}). Click to ${props.open ? 'close' : 'open'} the members.`}</title>
    </g>
  );
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

function PredictionTimelineView({
  predicted,
  actual,
  tasks,
  divergent,
  now,
  stacks,
}: PredictionTimelineProps) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(
    () =>
      timelineRows(tasks, stacks ?? [], open, (ids) => [
        ...ids.filter((id) => divergent.has(id)),
        ...ids.filter((id) => !divergent.has(id)),
      ]),
    [tasks, stacks, open, divergent],
  );
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
  const height = AXIS + rows.length * ROW + 8;
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
        {rows.map((task, i) => {
          const y = AXIS + i * ROW;
          if (task.kind === 'stack')
            return (
              <StackLane
                key={task.id}
                row={task}
                y={y}
                width={width}
                span={span}
                x={x}
                predicted={predicted}
                actual={actual}
                diverging={task.taskIds.reduce((n, id) => n + (divergent.has(id) ? 1 : 0), 0)}
                open={open.has(task.id)}
                onToggle={() =>
                  setOpen((o) => {
                    const next = new Set(o);
                    if (next.has(task.id)) next.delete(task.id);
                    else next.add(task.id);
                    return next;
                  })
                }
              />
            );
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
              <text x={task.member ? 14 : 4} y={y + 16} fontSize={11} fill="currentColor">
                {diverges ? '≠ ' : ''}
                {task.member ? task.task_id : task.name}
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

/** Memoized: a live run page re-renders every frame, this figure only when its inputs change. */
export const PredictionTimeline = memo(PredictionTimelineView);
