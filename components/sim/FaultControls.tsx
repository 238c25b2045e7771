'use client';
/**
 * The simulation's second control row: per-node fault injection (fail first k, fail with p, extra delay,
 * down, the error raised) and saved fault presets.
 */
import { useState } from 'react';
import { createCatalogue, resolveTaskOptions } from '../../lib/canvas/catalogue';
import { knownExceptionNames } from '../../lib/canvas/exceptions';
import type { SimModel } from '../../lib/canvas/model';
import { formatMs } from './model/runState';
import type { TaskChoice } from './model/variants';
import styles from './sim.module.css';
import { useSimStore } from './simulationStore';

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
