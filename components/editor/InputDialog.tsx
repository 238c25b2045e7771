'use client';
/**
 * The pipeline input, edited once for Simulate, Run and the saved definition: the `payload` every task
 * that takes one receives (celery-director's convention) and the call-time args/kwargs of the first
 * step (`invoke`, Celery's `canvas.apply_async(args, kwargs)`). A bad field is named and nothing changes.
 */
import { useMemo, useState } from 'react';
import type { InvokeArgs, Json, JsonObject } from '@/lib/canvas/model';
import { payloadTakers } from '@/lib/canvas/payload';
import { useActions, useEditor } from './EditorProvider';

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function parseJson(text: string, what: string): Parsed<Json> {
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (err) {
    return {
      ok: false,
      message: `${what} is not valid JSON (${err instanceof Error ? err.message : 'parse error'}).`,
    };
  }
}

function isObject(v: Json): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Reads the three fields; the first problem as a sentence. `payload` empty = no pipeline payload. */
export function parseInput(
  payloadText: string,
  argsText: string,
  kwargsText: string,
): Parsed<{ payload: JsonObject | null; invoke: InvokeArgs }> {
  let payload: JsonObject | null = null;
  if (payloadText.trim() !== '') {
    const p = parseJson(payloadText, 'The payload');
    if (!p.ok) return p;
    if (!isObject(p.value))
      return { ok: false, message: 'The payload must be a JSON object, e.g. {"raw": "hello"}.' };
    payload = p.value;
  }
  const a = parseJson(argsText.trim() === '' ? '[]' : argsText, 'The first step’s args');
  if (!a.ok) return a;
  if (!Array.isArray(a.value))
    return { ok: false, message: 'The first step’s args must be a JSON list, e.g. [1, 2].' };
  const k = parseJson(kwargsText.trim() === '' ? '{}' : kwargsText, 'The first step’s kwargs');
  if (!k.ok) return k;
  if (!isObject(k.value))
    return { ok: false, message: 'The first step’s kwargs must be a JSON object, e.g. {"x": 1}.' };
  return { ok: true, value: { payload, invoke: { args: a.value, kwargs: k.value } } };
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/** The toolbar's Input button and its dialog. */
export function InputButton() {
  const actions = useActions();
  const payload = useEditor((s) => s.doc.payload);
  const invoke = useEditor((s) => s.doc.invoke);
  const canvas = useEditor((s) => s.doc.canvas);
  const catalogue = useEditor((s) => s.catalogue);
  const [open, setOpen] = useState(false);
  const [texts, setTexts] = useState({ payload: '', args: '', kwargs: '' });
  const [error, setError] = useState('');
  const takers = useMemo(
    () => (open && canvas ? payloadTakers(canvas, catalogue) : []),
    [open, canvas, catalogue],
  );
  const set = invoke.args.length > 0 || Object.keys(invoke.kwargs).length > 0 || payload !== undefined;

  const show = () => {
    setTexts({
      payload: payload === undefined ? '' : pretty(payload),
      args: pretty(invoke.args),
      kwargs: pretty(invoke.kwargs),
    });
    setError('');
    setOpen(true);
  };
  const apply = () => {
    const r = parseInput(texts.payload, texts.args, texts.kwargs);
    if (!r.ok) return setError(r.message);
    actions.setInput({ invoke: r.value.invoke, payload: r.value.payload });
    setOpen(false);
    actions.notify('info', 'The pipeline input is set: Simulate and Run use it.');
  };

  return (
    <>
      <button
        type="button"
        className={`cf-btn is-ghost${set ? ' is-on' : ''}`}
        data-testid="input-button"
        data-set={set ? 'true' : 'false'}
        onClick={show}
        title="The pipeline input: the payload shared by tasks that take one, and the first step's args/kwargs"
      >
        Input{set ? ' •' : ''}
      </button>
      {open && (
        <div
          className="cf-modal-backdrop"
          onMouseDown={(e) => {
            if (e.target === e.currentTarget) setOpen(false);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
          }}
        >
          <div
            className="cf-modal cf-input-dialog"
            role="dialog"
            aria-modal="true"
            aria-label="Pipeline input"
            data-testid="input-dialog"
          >
            <div className="cf-modal-head">
              <h2>Pipeline input</h2>
            </div>
            <label className="cf-field">
              <span>payload — given to every task that takes one</span>
              <textarea
                className="cf-input is-code"
                rows={6}
                spellCheck={false}
                placeholder='{"raw": "hello world", "scenario": "happy"}  (empty: no payload)'
                data-testid="input-payload"
                value={texts.payload}
                onChange={(e) => setTexts({ ...texts, payload: e.target.value })}
              />
            </label>
            <p className="cf-muted" data-testid="input-takers">
              {takers.length > 0
                ? `Received by ${takers.join(', ')} (in their kwargs), in Simulate, Run and the saved definition.`
                : 'No task of this canvas takes a payload; the first step’s args/kwargs below are its input.'}
            </p>
            <div className="cf-row">
              <label className="cf-field" style={{ flex: 1 }}>
                <span>first step’s args</span>
                <textarea
                  className="cf-input is-code"
                  rows={2}
                  spellCheck={false}
                  data-testid="input-args"
                  value={texts.args}
                  onChange={(e) => setTexts({ ...texts, args: e.target.value })}
                />
              </label>
              <label className="cf-field" style={{ flex: 1 }}>
                <span>first step’s kwargs</span>
                <textarea
                  className="cf-input is-code"
                  rows={2}
                  spellCheck={false}
                  data-testid="input-kwargs"
                  value={texts.kwargs}
                  onChange={(e) => setTexts({ ...texts, kwargs: e.target.value })}
                />
              </label>
            </div>
            {error && (
              <p className="cf-field-error" role="alert" data-testid="input-error">
                {error}
              </p>
            )}
            <div className="cf-row" style={{ justifyContent: 'flex-end' }}>
              <button type="button" className="cf-btn" onClick={() => setOpen(false)}>
                Cancel
              </button>
              <button type="button" className="cf-btn is-primary" data-testid="input-apply" onClick={apply}>
                Use this input
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
