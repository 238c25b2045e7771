'use client';
/** Inspector fields: JSON with validation, numbers with a default placeholder, callback lists. */
import { useState } from 'react';
import type { Json, TaskNode } from '@/lib/canvas/model';
import { useActions, useEditor } from '../EditorProvider';

export function JsonField(props: {
  label: string;
  value: Json;
  testId: string;
  expect: 'array' | 'object';
  onValid: (v: Json) => void;
}) {
  const text = JSON.stringify(props.value);
  const [draft, setDraft] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const commit = (raw: string) => {
    try {
      const v = JSON.parse(raw) as Json;
      const okKind =
        props.expect === 'array'
          ? Array.isArray(v)
          : v !== null && typeof v === 'object' && !Array.isArray(v);
      if (!okKind)
        throw new Error(
          `${props.label} must be a JSON ${props.expect === 'array' ? 'array, e.g. [1, 2]' : 'object, e.g. {"x": 1}'}.`,
        );
      setErr(null);
      setDraft(null);
      if (JSON.stringify(v) !== text) props.onValid(v);
    } catch (e) {
      setErr(
        e instanceof SyntaxError ? `${props.label} is not valid JSON: ${e.message}` : (e as Error).message,
      );
    }
  };
  return (
    <label className="cf-field">
      <span>{props.label}</span>
      <textarea
        className={`cf-input is-code${err ? ' is-invalid' : ''}`}
        rows={2}
        spellCheck={false}
        data-testid={props.testId}
        aria-invalid={err !== null}
        value={draft ?? text}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={(e) => commit(e.target.value)}
      />
      {err && (
        <span className="cf-field-error" role="alert">
          {err}
        </span>
      )}
    </label>
  );
}

export function NumberField(props: {
  label: string;
  value: number | null | undefined;
  placeholder?: string;
  testId: string;
  allowNull?: boolean;
  onChange: (v: number | null | undefined) => void;
  hint?: string;
}) {
  return (
    <label className="cf-field is-inline" title={props.hint}>
      <span>{props.label}</span>
      <input
        className="cf-input"
        type="number"
        min={0}
        step="any"
        data-testid={props.testId}
        placeholder={props.placeholder}
        value={props.value === undefined || props.value === null ? '' : props.value}
        onChange={(e) => {
          const raw = e.target.value;
          if (raw === '') props.onChange(undefined);
          else props.onChange(Number(raw));
        }}
      />
    </label>
  );
}

export function CallbackList({ t, id, kind }: { t: TaskNode; id: string; kind: 'link' | 'link_error' }) {
  const catalogue = useEditor((s) => s.catalogue);
  const actions = useActions();
  const [name, setName] = useState(kind === 'link' ? 'record' : 'on_error');
  return (
    <div className="cf-field">
      <span>
        {kind === 'link' ? 'Callbacks (link, on success)' : 'Errbacks (link_error, on final failure)'}
      </span>
      <ul className="cf-list">
        {t[kind].map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a callback list has no ids; order is its identity.
          <li key={i}>{c.type === 'task' ? c.task : c.type}</li>
        ))}
        {t[kind].length === 0 && <li className="cf-muted">none</li>}
      </ul>
      <div className="cf-row">
        <select
          className="cf-input"
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-label={`${kind} task`}
        >
          {[...catalogue.keys()].map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
        <button
          type="button"
          className="cf-btn"
          data-testid={`add-${kind}`}
          onClick={() => actions.addCallback(id, kind, name)}
        >
          Add
        </button>
      </div>
    </div>
  );
}
