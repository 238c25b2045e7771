'use client';
/** The simulation dock's run summary, its folded one-liner and the scenario hint. */
import { useMemo } from 'react';
import { formatMs, type NodeRunStatus } from './model/runState';
import { SCENARIOS } from './scenarios';
import sim from './sim.module.css';
import { useSimStore } from './simulationStore';
import { STATUS_COLOR, STATUS_LABEL } from './statusStyle';

/** The shown run's outcome: status, makespan, counts at the playhead, critical path, staleness. */
export function RunSummary({ canvas }: { canvas: unknown }) {
  const run = useSimStore((s) => s.run);
  const stateAt = useSimStore((s) => s.stateAt);
  const status = useSimStore((s) => s.status);
  const error = useSimStore((s) => s.error);
  const counts = useMemo(() => {
    const c = new Map<NodeRunStatus, number>();
    for (const t of stateAt?.tasks.values() ?? []) c.set(t.status, (c.get(t.status) ?? 0) + 1);
    return c;
  }, [stateAt]);
  if (status === 'error')
    return (
      <div className={sim.error} role="alert">
        {error}
      </div>
    );
  if (!run) return null;
  const names = run.critical.tasks.map((id) => stateAt?.tasks.get(id)?.name ?? id);
  const finalStatus =
    run.report?.status ?? (run.source === 'simulation' ? undefined : stateAt?.finished?.status);
  const atEnd = stateAt !== null && stateAt.t >= run.endMs;
  return (
    <div
      className={sim.summary}
      data-testid="sim-summary"
      data-status={finalStatus ?? ''}
      data-makespan={run.report?.makespan_ms ?? run.endMs}
    >
      <span>
        {run.settings
          ? `${SCENARIOS.find((x) => x.id === run.settings?.scenario)?.label ?? ''}, seed ${run.settings.seed}: `
          : ''}
        {finalStatus ? 'run ends in ' : 'run '}
        <strong
          style={{
            color:
              finalStatus === 'success'
                ? STATUS_COLOR.success
                : finalStatus
                  ? STATUS_COLOR.failure
                  : undefined,
          }}
        >
          {finalStatus ?? 'in progress'}
        </strong>
      </span>
      <span>
        {finalStatus ? 'makespan' : 'elapsed'}{' '}
        <strong>{formatMs(run.report?.makespan_ms ?? run.endMs)}</strong>
      </span>
      <span>
        {/* A live run still going has no final state yet: say "now". */}
        {!atEnd ? `at ${formatMs(stateAt?.t ?? 0)}: ` : finalStatus ? 'final: ' : 'now: '}
        {[...counts.entries()].map(([s, n]) => (
          <span key={s} style={{ marginRight: 10 }}>
            <span className={sim.statusDot} style={{ background: STATUS_COLOR[s] }} />
            {n} {STATUS_LABEL[s]}
          </span>
        ))}
      </span>
      {names.length ? (
        <span title="The tasks whose completions gated the end of the run">
          critical path <strong style={{ color: 'var(--st-critical)' }}>{names.join(' → ')}</strong>
        </span>
      ) : null}
      {run.elapsed_ms !== undefined ? <span>simulated in {formatMs(run.elapsed_ms)}</span> : null}
      {run.report?.error ? (
        <span
          className={sim.ellipsis}
          style={{ maxWidth: '100%', whiteSpace: 'nowrap' }}
          title={`${run.report.error.type}: ${run.report.error.message}`}
        >
          {run.report.error.type}: {run.report.error.message}
        </span>
      ) : null}
      {run.sourceCanvas !== undefined && canvas !== undefined && run.sourceCanvas !== canvas ? (
        <span style={{ color: STATUS_COLOR.retry_wait }} data-testid="sim-stale">
          The canvas changed since this run: press Simulate to see the new one.
        </span>
      ) : null}
    </div>
  );
}

/** One line for the folded dock: the last run's status and makespan. */
export function RunSummaryInline() {
  const status = useSimStore((s) => s.run?.report?.status);
  const makespan = useSimStore((s) => s.run?.report?.makespan_ms);
  if (!status) return null;
  return (
    <span className={sim.hint} style={{ alignSelf: 'center' }}>
      Last run:{' '}
      <strong style={{ color: status === 'success' ? STATUS_COLOR.success : STATUS_COLOR.failure }}>
        {status}
      </strong>{' '}
      in {formatMs(makespan ?? 0)}
    </span>
  );
}

/** What the chosen scenario will do, until a run of it is shown. */
export function ScenarioHint() {
  const scenario = useSimStore((s) => s.settings.scenario);
  const shown = useSimStore((s) => s.run?.settings?.scenario);
  const live = useSimStore((s) => s.run?.source === 'live');
  const info = live ? undefined : SCENARIOS.find((x) => x.id === scenario);
  // Once a run of this scenario is on screen the summary says what happened; the hint says what will.
  // A live run is not a simulation: no hint beside it.
  return info && shown !== scenario ? (
    <div className={sim.summary} data-testid="scenario-hint">
      <span>
        <strong>{info.label}</strong> — {info.summary}
      </span>
    </div>
  ) : null;
}
