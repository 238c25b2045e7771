'use client';
/**
 * Simulation controls: scenario, seed, workers × slots, Simulate, playback (play/pause, step, speed)
 * and the time scrubber. The fault row is `FaultControls.tsx`.
 */
import { parsePools } from '../../lib/sim/pools';
import { formatMs } from './model/runState';
import { SCENARIOS, type ScenarioId } from './scenarios';
import styles from './sim.module.css';
import { useSimStore } from './simulationStore';

function Icon({ d }: { d: string }) {
  return (
    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" style={{ display: 'block' }}>
      <path d={d} fill="currentColor" />
    </svg>
  );
}
const ICON = {
  start: 'M1 1h2v10H1zM11 1v10L4 6z',
  prev: 'M1 1h2v10H1zM10 1v10L4 6z',
  play: 'M2 1l9 5-9 5z',
  pause: 'M2 1h3v10H2zM7 1h3v10H7z',
  next: 'M9 1h2v10H9zM2 1v10l6-5z',
  end: 'M9 1h2v10H9zM1 1v10l7-5z',
};

const SPEEDS: ReadonlyArray<[number, string]> = [
  [0, 'fit (4 s)'],
  [0.25, '¼×'],
  [1, '1×'],
  [5, '5×'],
  [20, '20×'],
  [100, '100×'],
];

function intInput(value: string, min: number, max: number, fallback: number): number {
  const n = Math.floor(Number(value));
  return Number.isFinite(n) ? Math.max(min, Math.min(max, n)) : fallback;
}

/** A playback button: icon only, its label read out and shown on hover. */
function TransportButton(props: {
  label: string;
  icon: string;
  disabled: boolean;
  onClick: () => void;
  testId?: string;
  wide?: boolean;
}) {
  return (
    <button
      type="button"
      className={styles.button}
      disabled={props.disabled}
      onClick={props.onClick}
      aria-label={props.label}
      title={props.label}
      data-testid={props.testId}
      style={props.wide ? { minWidth: 34 } : undefined}
    >
      <Icon d={props.icon} />
    </button>
  );
}

export interface SimControlsProps {
  onSimulate(): void;
  disabled: boolean;
  disabledReason?: string;
}

/** First row: run settings, Simulate, playback and scrubber. */
export function SimControls({ onSimulate, disabled, disabledReason }: SimControlsProps) {
  const settings = useSimStore((s) => s.settings);
  const setSettings = useSimStore((s) => s.setSettings);
  const poolsParsed = settings.pools?.trim() ? parsePools(settings.pools) : undefined;
  const poolsProblem = typeof poolsParsed === 'string' ? poolsParsed : undefined;
  const status = useSimStore((s) => s.status);
  const endMs = useSimStore((s) => s.run?.endMs ?? 0);
  const hasRun = useSimStore((s) => s.run !== null);
  const playhead = useSimStore((s) => s.playhead);
  const playing = useSimStore((s) => s.playing);
  const speed = useSimStore((s) => s.speed);
  const { setPlayhead, setPlaying, setSpeed, step } = useSimStore.getState();
  const scenario = SCENARIOS.find((x) => x.id === settings.scenario);
  return (
    <div className={styles.controls}>
      <div className={styles.group}>
        <label className={styles.label} htmlFor="sim-scenario">
          Scenario
        </label>
        <select
          id="sim-scenario"
          data-testid="sim-scenario"
          className={styles.select}
          value={settings.scenario}
          title={scenario?.summary}
          onChange={(e) => setSettings({ scenario: e.target.value as ScenarioId })}
        >
          {SCENARIOS.map((s) => (
            <option key={s.id} value={s.id} title={s.summary}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <div className={styles.group}>
        <label className={styles.label} htmlFor="sim-seed">
          Seed
        </label>
        <input
          id="sim-seed"
          data-testid="sim-seed"
          className={styles.input}
          inputMode="numeric"
          value={settings.seed}
          onChange={(e) => setSettings({ seed: intInput(e.target.value, 0, 2 ** 31 - 1, settings.seed) })}
        />
      </div>
      <div className={styles.group}>
        <label className={styles.label} htmlFor="sim-workers">
          Workers
        </label>
        <input
          id="sim-workers"
          data-testid="sim-workers"
          className={styles.input}
          style={{ width: 48 }}
          inputMode="numeric"
          value={settings.workers}
          onChange={(e) => setSettings({ workers: intInput(e.target.value, 1, 256, settings.workers) })}
        />
        <label className={styles.label} htmlFor="sim-concurrency">
          × slots
        </label>
        <input
          id="sim-concurrency"
          data-testid="sim-concurrency"
          className={styles.input}
          style={{ width: 48 }}
          inputMode="numeric"
          value={settings.concurrency}
          onChange={(e) =>
            setSettings({ concurrency: intInput(e.target.value, 1, 1024, settings.concurrency) })
          }
        />
      </div>
      <div className={styles.group}>
        <label className={styles.label} htmlFor="sim-pools">
          Queues
        </label>
        <input
          id="sim-pools"
          data-testid="sim-pools"
          className={styles.input}
          style={{ width: 150 }}
          placeholder="default=2x8,gpu=1x1"
          aria-invalid={poolsProblem !== undefined}
          title={
            poolsProblem ??
            'Worker pools per queue (QUEUE=WORKERSxSLOTS): what if the gpu queue had two workers? Empty: the workers above take every queue.'
          }
          value={settings.pools ?? ''}
          onChange={(e) => setSettings({ pools: e.target.value })}
        />
      </div>
      <button
        type="button"
        className={`${styles.button} ${styles.primary}`}
        onClick={onSimulate}
        disabled={disabled || status === 'running'}
        title={disabled ? disabledReason : 'Run the simulator with these settings'}
        data-testid="sim-run"
      >
        {status === 'running' ? 'Simulating…' : 'Simulate'}
      </button>
      <div className={styles.group}>
        <TransportButton
          label="Jump to start"
          icon={ICON.start}
          disabled={!hasRun}
          onClick={() => {
            setPlaying(false);
            setPlayhead(0);
          }}
        />
        <TransportButton
          label="Previous event"
          icon={ICON.prev}
          disabled={!hasRun}
          onClick={() => step(-1)}
        />
        <TransportButton
          label={playing ? 'Pause' : 'Play'}
          icon={playing ? ICON.pause : ICON.play}
          disabled={!hasRun}
          onClick={() => setPlaying(!playing)}
          testId="sim-play"
          wide
        />
        <TransportButton label="Next event" icon={ICON.next} disabled={!hasRun} onClick={() => step(1)} />
        <TransportButton
          label="Jump to end"
          icon={ICON.end}
          disabled={!hasRun}
          onClick={() => {
            setPlaying(false);
            setPlayhead(endMs);
          }}
          testId="sim-end"
        />
        <select
          className={styles.select}
          aria-label="Playback speed"
          value={speed}
          onChange={(e) => setSpeed(Number(e.target.value))}
        >
          {SPEEDS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className={styles.scrubber}>
        <input
          type="range"
          aria-label="Time in the run"
          data-testid="sim-scrubber"
          min={0}
          max={Math.max(endMs, 1)}
          step={Math.max(1, endMs / 1000)}
          value={playhead}
          disabled={!hasRun}
          onChange={(e) => {
            setPlaying(false);
            setPlayhead(Number(e.target.value));
          }}
        />
        <span className={styles.time} data-testid="sim-time" data-playhead={playhead}>
          {hasRun ? `${formatMs(playhead)} / ${formatMs(endMs)}` : 'no run yet'}
        </span>
      </div>
    </div>
  );
}
