'use client';
/**
 * Simulation controls: scenario, seed, workers × slots, Simulate, playback (play/pause, step, speed)
 * and the time scrubber; a second row injects per-node faults and manages saved presets.
 */
import { useState } from 'react';
import { createCatalogue, resolveTaskOptions } from '../../lib/canvas/catalogue';
import { knownExceptionNames } from '../../lib/canvas/exceptions';
import type { SimModel } from '../../lib/canvas/model';
import { parsePools } from '../../lib/sim/pools';
import { formatMs } from './model/runState';
import type { TaskChoice } from './model/variants';
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

type FaultKind = 'fail_first' | 'fail_probability' | 'extra_delay_ms' | 'down';
const FAULT_LABEL: Record<FaultKind, string> = {
  fail_first: 'fail first k attempts',
  fail_probability: 'fail with probability p',
  extra_delay_ms: 'add delay (ms)',
  down: 'permanently down',
};

function faultModel(kind: FaultKind, value: number): SimModel {
  switch (kind) {
    case 'fail_first':
      return { fail_first: Math.max(0, Math.floor(value)) };
    case 'fail_probability':
      return { fail_probability: Math.max(0, Math.min(1, value)) };
    case 'extra_delay_ms':
      return { extra_delay_ms: Math.max(0, value) };
    case 'down':
      return { down: true };
  }
}

function describeFault(model: SimModel): string {
  const parts: string[] = [];
  if (model.down) parts.push('down');
  if (model.fail_first !== undefined) parts.push(`fails first ${model.fail_first}`);
  if (model.fail_probability !== undefined) parts.push(`fails ${Math.round(model.fail_probability * 100)} %`);
  if (model.extra_delay_ms !== undefined) parts.push(`+${formatMs(model.extra_delay_ms)}`);
  if (model.error && parts.length) parts.push(`raises ${model.error.type}`);
  return parts.join(', ') || 'custom model';
}

const catalogue = createCatalogue();
const EXCEPTIONS = knownExceptionNames();

/** What an injected failure of this task should raise by default: something its policy retries. */
export function defaultFaultError(choice: TaskChoice | undefined): string {
  if (!choice) return 'ExpectedException';
  const options = resolveTaskOptions(catalogue.get(choice.task), choice.options);
  return options.autoretry_for?.[0] ?? 'ExpectedException';
}

/** Second row: per-node fault injection and presets. */
export function FaultControls({ tasks }: { tasks: TaskChoice[] }) {
  const faults = useSimStore((s) => s.faults);
  const presets = useSimStore((s) => s.presets);
  const { setFault, savePreset, deletePreset, applyPreset } = useSimStore.getState();
  const [path, setPath] = useState('');
  const [kind, setKind] = useState<FaultKind>('fail_first');
  const [value, setValue] = useState('2');
  const [preset, setPreset] = useState('');
  const [raises, setRaises] = useState('');
  const target = path || tasks[0]?.path || '';
  const defaultError = defaultFaultError(tasks.find((t) => t.path === target));
  const labelOf = (p: string) => tasks.find((t) => t.path === p)?.label ?? (p || 'root');
  const [open, setOpen] = useState(false);
  const tagList = (
    <>
      {Object.entries(faults).map(([p, model]) => (
        <span key={p} className={styles.faultTag} data-testid="fault-tag">
          {labelOf(p)}: {describeFault(model)}
          <button
            type="button"
            className={styles.chip}
            aria-label={`Remove the fault on ${labelOf(p)}`}
            onClick={() => setFault(p, null)}
          >
            ×
          </button>
        </span>
      ))}
    </>
  );
  if (!open)
    return (
      <div className={styles.faults}>
        <button
          type="button"
          className={styles.button}
          onClick={() => setOpen(true)}
          data-testid="sim-faults-toggle"
        >
          Faults &amp; presets ▸
        </button>
        {Object.keys(faults).length === 0 ? (
          <span className={styles.hint} title="Tasks behave as their simulation models say.">
            No faults injected
          </span>
        ) : (
          tagList
        )}
      </div>
    );
  return (
    <div className={`${styles.faults} ${styles.faultsOpen}`}>
      <button
        type="button"
        className={styles.button}
        onClick={() => setOpen(false)}
        aria-label="Close fault injection"
      >
        ▾
      </button>
      <span className={styles.label}>Inject fault</span>
      <select
        className={styles.select}
        aria-label="Task to inject a fault into"
        value={target}
        onChange={(e) => setPath(e.target.value)}
      >
        {tasks.map((t) => (
          <option key={t.path} value={t.path}>
            {t.label}
          </option>
        ))}
      </select>
      <select
        className={styles.select}
        aria-label="Fault kind"
        value={kind}
        onChange={(e) => setKind(e.target.value as FaultKind)}
      >
        {(Object.keys(FAULT_LABEL) as FaultKind[]).map((k) => (
          <option key={k} value={k}>
            {FAULT_LABEL[k]}
          </option>
        ))}
      </select>
      {kind !== 'down' ? (
        <input
          className={styles.input}
          aria-label="Fault value"
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      ) : null}
      <span className={styles.label}>raising</span>
      <input
        className={styles.input}
        style={{ width: 150 }}
        aria-label="Exception the injected failure raises"
        title="Only exceptions listed in the task's autoretry_for are retried"
        list="sim-exception-names"
        placeholder={defaultError}
        value={raises}
        onChange={(e) => setRaises(e.target.value)}
      />
      <datalist id="sim-exception-names">
        {EXCEPTIONS.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <button
        type="button"
        className={styles.button}
        disabled={!tasks.length}
        onClick={() =>
          setFault(target, {
            ...faults[target],
            ...faultModel(kind, Number(value) || 0),
            error: { type: raises.trim() || defaultError, message: 'injected failure' },
          })
        }
      >
        Add
      </button>
      {tagList}
      <span style={{ marginLeft: 'auto' }} className={styles.group}>
        <span className={styles.label}>Preset</span>
        <select
          className={styles.select}
          aria-label="Saved presets"
          value={preset}
          onChange={(e) => {
            setPreset(e.target.value);
            if (e.target.value) applyPreset(e.target.value);
          }}
        >
          <option value="">—</option>
          {presets.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </select>
        <button
          type="button"
          className={styles.button}
          onClick={() => {
            const name = window.prompt(
              'Save the scenario, seed, workers and faults as a preset named:',
              preset || 'my scenario',
            );
            if (name?.trim()) {
              savePreset(name.trim());
              setPreset(name.trim());
            }
          }}
        >
          Save…
        </button>
        <button
          type="button"
          className={styles.button}
          disabled={!preset}
          onClick={() => {
            deletePreset(preset);
            setPreset('');
          }}
        >
          Delete
        </button>
      </span>
    </div>
  );
}
