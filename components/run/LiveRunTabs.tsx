'use client';
/**
 * The live run's detail views in the editor's live banner: predicted vs actual, the Gantt and the event
 * log of the simulation view, and the task drawer for the task picked in any of them.
 */
import { useState } from 'react';
import type { RunEvent } from '@/lib/protocol/events';
import { EventLog } from '../sim/EventLog';
import type { RunStateAt } from '../sim/model/runState';
import type { Timeline as TimelineData } from '../sim/model/timeline';
import simStyles from '../sim/sim.module.css';
import { TaskDrawer } from '../sim/TaskDrawer';
import { Timeline } from '../sim/Timeline';
import { PredictionTimeline } from './PredictionTimeline';
import styles from './run.module.css';
import type { Prediction } from './usePrediction';

export type LiveView = 'compare' | 'timeline' | 'events' | null;

export interface LiveRunTabsProps {
  events: RunEvent[];
  state: RunStateAt;
  timeline: TimelineData;
  prediction: Prediction | null;
  now?: number;
  selected: string | null;
  onSelect(taskId: string | null): void;
}

export function LiveRunTabs({
  events,
  state,
  timeline,
  prediction,
  now,
  selected,
  onSelect,
}: LiveRunTabsProps) {
  const [view, setView] = useState<LiveView>(null);
  const divergent = prediction?.divergent.size ?? 0;
  const tab = (id: Exclude<LiveView, null>, label: string) => (
    <button
      type="button"
      className={`${styles.button} ${view === id ? styles.primary : ''}`}
      aria-pressed={view === id}
      onClick={() => setView(view === id ? null : id)}
      data-testid={`live-view-${id}`}
    >
      {label}
    </button>
  );
  const task = selected ? state.tasks.get(selected) : undefined;
  return (
    <>
      <div className={styles.row}>
        {prediction
          ? tab('compare', divergent > 0 ? `≠ ${divergent} diverge from prediction` : 'Matches prediction')
          : null}
        {tab('timeline', 'Timeline')}
        {tab('events', `Events (${events.length})`)}
      </div>
      {view === 'compare' && prediction ? (
        <PredictionTimeline
          predicted={prediction.timeline}
          actual={timeline}
          tasks={prediction.order}
          divergent={prediction.divergent}
          {...(now !== undefined ? { now } : {})}
        />
      ) : null}
      {view === 'timeline' || view === 'events' ? (
        <div className={simStyles.panel} style={{ height: 220, border: 'none' }}>
          {view === 'timeline' ? (
            <Timeline
              timeline={timeline}
              playhead={timeline.endMs}
              selectedTaskId={selected}
              onSelect={onSelect}
              onSeek={() => {}}
            />
          ) : (
            <EventLog
              events={events}
              playhead={Number.POSITIVE_INFINITY}
              onPick={(e) => {
                if ('task_id' in e) onSelect(e.task_id);
              }}
            />
          )}
        </div>
      ) : null}
      {task ? (
        <div className={simStyles.panel} style={{ height: 'auto', border: 'none' }}>
          <TaskDrawer
            task={task}
            events={events}
            playhead={Number.POSITIVE_INFINITY}
            onClose={() => onSelect(null)}
          />
        </div>
      ) : null}
    </>
  );
}
