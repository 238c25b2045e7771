'use client';
import { useMemo } from 'react';
import { resolveTaskOptions } from '@/lib/canvas/catalogue';
import type { Json, JsonObject, SimModel, TaskNode, TaskOptions } from '@/lib/canvas/model';
import { drawingOf } from '@/lib/store/edits';
import { useActions, useEditor } from '../EditorProvider';
import { CallbackList, JsonField, NumberField } from './fields';
import { receivedCall } from './receives';
import { SendOptions } from './SendOptions';

function TaskInspector({ id, t }: { id: string; t: TaskNode }) {
  const actions = useActions();
  const catalogue = useEditor((s) => s.catalogue);
  const canvas = useEditor((s) => s.doc.canvas);
  const entry = catalogue.get(t.task);
  const drawing = useMemo(() => drawingOf(canvas), [canvas]);
  const dn = drawing.nodes.find((n) => n.id === id);
  const effective = resolveTaskOptions(entry, t.options);
  const setOpt = (patch: Partial<Record<keyof TaskOptions, unknown>>) => {
    const options = { ...t.options } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || (typeof v === 'number' && Number.isNaN(v))) delete options[k];
      else options[k] = v;
    }
    actions.updateTask(id, { options: options as TaskOptions });
  };
  const setSim = (patch: { [K in keyof SimModel]?: SimModel[K] | undefined }) => {
    const sim = { ...(t.sim ?? {}) } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || v === false) delete sim[k];
      else sim[k] = v;
    }
    if (Object.keys(sim).length === 0) actions.updateTask(id, {}, ['sim']);
    else actions.updateTask(id, { sim: sim as SimModel });
  };
  const sim = t.sim ?? {};
  const duration = typeof sim.duration_ms === 'number' ? sim.duration_ms : undefined;
  return (
    <div className="cf-inspector" data-testid="inspector">
      <header className="cf-inspector-head">
        <select
          className="cf-input is-title"
          aria-label="Task name"
          data-testid="inspector-task"
          value={t.task}
          onChange={(e) => actions.updateTask(id, { task: e.target.value })}
        >
          {!catalogue.has(t.task) && <option>{t.task}</option>}
          {[...catalogue.keys()].map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
        <p className="cf-muted">{entry?.description ?? 'Not a registered task.'}</p>
      </header>
      {dn && (
        <div className="cf-receives" data-testid="receives">
          <span className="cf-label">Will be called as</span>
          <code>{receivedCall(drawing, dn, t, entry?.errback_style ?? 'old')}</code>
        </div>
      )}
      <section className="cf-section">
        <h4>Signature</h4>
        <JsonField
          label="args"
          value={t.args}
          expect="array"
          testId="inspector-args"
          onValid={(v) => actions.updateTask(id, { args: v as Json[] })}
        />
        <JsonField
          label="kwargs"
          value={t.kwargs}
          expect="object"
          testId="inspector-kwargs"
          onValid={(v) => actions.updateTask(id, { kwargs: v as JsonObject })}
        />
        <label className="cf-check">
          <input
            type="checkbox"
            checked={t.immutable}
            data-testid="inspector-immutable"
            onChange={(e) => actions.updateTask(id, { immutable: e.target.checked })}
          />
          Immutable (<code>.si</code>): ignore the parent result
        </label>
        <label className="cf-field is-inline">
          <span>id label</span>
          <input
            className="cf-input"
            data-testid="inspector-id"
            placeholder="auto"
            value={t.id ?? ''}
            onChange={(e) =>
              e.target.value === ''
                ? actions.updateTask(id, {}, ['id'])
                : actions.updateTask(id, { id: e.target.value })
            }
          />
        </label>
      </section>
      <section className="cf-section">
        <h4>Retry policy</h4>
        <NumberField
          label="max_retries"
          testId="opt-max_retries"
          value={t.options.max_retries}
          placeholder={String(effective.max_retries ?? '∞')}
          onChange={(v) => setOpt({ max_retries: v })}
          hint="Retries after the first attempt; empty = task default"
        />
        <NumberField
          label="countdown (s)"
          testId="opt-countdown"
          value={t.options.countdown}
          placeholder="—"
          onChange={(v) => setOpt({ countdown: v })}
          hint="Retry delay (Celery's start delay is under Sending)"
        />
        <NumberField
          label="default_retry_delay (s)"
          testId="opt-default_retry_delay"
          value={t.options.default_retry_delay}
          placeholder={String(effective.default_retry_delay ?? '')}
          onChange={(v) => setOpt({ default_retry_delay: v })}
        />
        <label className="cf-field is-inline">
          <span>retry_backoff</span>
          <select
            className="cf-input"
            data-testid="opt-retry_backoff"
            value={t.options.retry_backoff === undefined ? '' : String(t.options.retry_backoff)}
            onChange={(e) => {
              const v = e.target.value;
              setOpt({
                retry_backoff: v === '' ? undefined : v === 'true' ? true : v === 'false' ? false : Number(v),
              });
            }}
          >
            <option value="">default ({String(effective.retry_backoff)})</option>
            <option value="false">off</option>
            <option value="true">on (factor 1)</option>
            <option value="2">factor 2</option>
            <option value="5">factor 5</option>
          </select>
        </label>
        <NumberField
          label="retry_backoff_max (s)"
          testId="opt-retry_backoff_max"
          value={t.options.retry_backoff_max}
          placeholder={String(effective.retry_backoff_max ?? '')}
          onChange={(v) => setOpt({ retry_backoff_max: v })}
        />
        <label className="cf-field is-inline">
          <span>retry_jitter</span>
          <select
            className="cf-input"
            data-testid="opt-retry_jitter"
            value={t.options.retry_jitter === undefined ? '' : String(t.options.retry_jitter)}
            onChange={(e) =>
              setOpt({ retry_jitter: e.target.value === '' ? undefined : e.target.value === 'true' })
            }
          >
            <option value="">default ({String(effective.retry_jitter)})</option>
            <option value="true">on</option>
            <option value="false">off</option>
          </select>
        </label>
        <label className="cf-field is-inline">
          <span>autoretry_for</span>
          <input
            className="cf-input"
            data-testid="opt-autoretry_for"
            placeholder={(effective.autoretry_for ?? []).join(', ') || 'exception names, comma-separated'}
            defaultValue={(t.options.autoretry_for ?? []).join(', ')}
            onBlur={(e) => {
              const list = e.target.value
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean);
              setOpt({ autoretry_for: list.length ? list : undefined });
            }}
          />
        </label>
      </section>
      <section className="cf-section">
        <h4>Limits and routing</h4>
        <NumberField
          label="soft_time_limit (s)"
          testId="opt-soft_time_limit"
          value={t.options.soft_time_limit}
          onChange={(v) => setOpt({ soft_time_limit: v })}
        />
        <NumberField
          label="time_limit (s)"
          testId="opt-time_limit"
          value={t.options.time_limit}
          onChange={(v) => setOpt({ time_limit: v })}
        />
        <label className="cf-field is-inline">
          <span>queue</span>
          <input
            className="cf-input"
            data-testid="opt-queue"
            placeholder="default"
            value={t.options.queue ?? ''}
            onChange={(e) => setOpt({ queue: e.target.value || undefined })}
          />
        </label>
      </section>
      <SendOptions t={t} setOpt={setOpt} />
      <section className="cf-section">
        <h4>Callbacks</h4>
        <CallbackList t={t} id={id} kind="link" />
        <CallbackList t={t} id={id} kind="link_error" />
      </section>
      <section className="cf-section">
        <h4>Simulation model</h4>
        <NumberField
          label="duration (ms)"
          testId="sim-duration"
          value={duration}
          placeholder="catalogue default"
          onChange={(v) => setSim({ duration_ms: v ?? undefined })}
        />
        <NumberField
          label="fail_first"
          testId="sim-fail_first"
          value={sim.fail_first}
          placeholder="0"
          onChange={(v) => setSim({ fail_first: v ?? undefined })}
          hint="The first k attempts raise"
        />
        <NumberField
          label="fail_probability"
          testId="sim-fail_probability"
          value={sim.fail_probability}
          placeholder="0"
          onChange={(v) => setSim({ fail_probability: v ?? undefined })}
        />
        <NumberField
          label="extra_delay_ms"
          testId="sim-extra_delay_ms"
          value={sim.extra_delay_ms}
          placeholder="0"
          onChange={(v) => setSim({ extra_delay_ms: v ?? undefined })}
        />
        <label className="cf-check">
          <input
            type="checkbox"
            checked={sim.down ?? false}
            data-testid="sim-down"
            onChange={(e) => setSim({ down: e.target.checked })}
          />
          Down: every attempt raises
        </label>
      </section>
    </div>
  );
}

function ContainerInspector({ id, kind }: { id: string; kind: string }) {
  const actions = useActions();
  const canvas = useEditor((s) => s.doc.canvas);
  const drawing = useMemo(() => drawingOf(canvas), [canvas]);
  const kids = drawing.nodes.filter((n) => n.parentId === id);
  const explain =
    kind === 'group'
      ? 'Members run in parallel; the group’s result is the list of their results, in member order.'
      : kind === 'chord'
        ? 'The header runs in parallel; when every header task has succeeded the body runs once with the list of header results. If one fails, the body fails with ChordError.'
        : 'Steps run one after another; each receives the previous result first unless immutable.';
  return (
    <div className="cf-inspector" data-testid="inspector">
      <header className="cf-inspector-head">
        <h3 className="cf-title">{kind}</h3>
        <p className="cf-muted">{explain}</p>
      </header>
      <p>
        {kids.length} member{kids.length === 1 ? '' : 's'}
        {kind === 'chord' &&
          `: ${kids.filter((k) => k.region === 'header').length} in the header, ${kids.filter((k) => k.region === 'body').length} in the body`}
      </p>
      <div className="cf-row">
        <button type="button" className="cf-btn" onClick={() => actions.unwrapSelection()}>
          Unwrap
        </button>
        <button type="button" className="cf-btn" onClick={() => actions.tidy([id, ...kids.map((k) => k.id)])}>
          Tidy
        </button>
      </div>
    </div>
  );
}

/** The inspector for the selection. */
export function Inspector() {
  const ids = useEditor((s) => s.selection.ids);
  const canvas = useEditor((s) => s.doc.canvas);
  const drawing = useMemo(() => drawingOf(canvas), [canvas]);
  if (ids.length === 0)
    return (
      <div className="cf-inspector is-empty" data-testid="inspector">
        <p className="cf-muted">
          Select a task to edit its arguments, retry policy, callbacks and simulation model.
        </p>
        <p className="cf-muted">
          Drag tasks from the palette; drop onto an edge to insert into a chain, or into a group or chord to
          add a parallel member. Press <kbd>?</kbd> for shortcuts.
        </p>
      </div>
    );
  if (ids.length > 1)
    return (
      <div className="cf-inspector" data-testid="inspector">
        <p>{ids.length} items selected.</p>
        <p className="cf-muted">
          Wrap them with Ctrl+G (group), Ctrl+Shift+K (chord) or Ctrl+Shift+L (chain).
        </p>
      </div>
    );
  const dn = drawing.nodes.find((n) => n.id === ids[0]);
  if (dn === undefined) return null;
  if (dn.kind === 'task' && dn.task) return <TaskInspector key={dn.id} id={dn.id} t={dn.task} />;
  return <ContainerInspector id={dn.id} kind={dn.kind} />;
}
