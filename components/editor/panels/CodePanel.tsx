'use client';
import { useMemo, useRef, useState } from 'react';
import type { CanvasFile } from '@/lib/canvas/model';
import { formatProblems } from '@/lib/canvas/problems';
import {
  EDITABLE_FORMATS,
  EXPORT_FORMATS,
  type ExportFormat,
  readCanvasText,
  writeCanvasText,
} from '@/lib/store/formats';
import { useActions, useEditor } from '../EditorProvider';

/**
 * The canvas as code, in sync both ways: the drawing's edits rewrite the text; typing valid Canvas JSON
 * replaces the canvas (one undo step); invalid text shows the problems and changes nothing.
 */
export function CodePanel({ file }: { file: CanvasFile | null }) {
  const actions = useActions();
  const [format, setFormat] = useState<ExportFormat>('canvas-json');
  const catalogue = useEditor((s) => s.catalogue);
  const docName = useEditor((s) => s.ui.docName);
  const text = useMemo(
    () => (file === null ? '' : writeCanvasText(file, format, { catalogue, name: docName })),
    [file, format, catalogue, docName],
  );
  const [draft, setDraft] = useState<string | null>(null);
  const [problems, setProblems] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const editable = EDITABLE_FORMATS.has(format);

  // A new rendering of the canvas (from the drawing) replaces the draft being typed.
  const [shown, setShown] = useState(text);
  if (shown !== text) {
    setShown(text);
    setDraft(null);
  }

  const apply = (raw: string) => {
    if (raw.trim() === '') {
      setProblems('The code is empty: write a canvas, e.g. {"task": "add", "args": [1, 2]}.');
      return;
    }
    const r = readCanvasText(raw);
    if (!r.ok) {
      setProblems(formatProblems(r.problems));
      return;
    }
    setProblems(null);
    actions.replaceCanvas(r.value.file.canvas, r.value.file.invoke, r.value.file.config);
  };

  return (
    <div className="cf-code" data-testid="code-panel">
      <div className="cf-row">
        <select
          className="cf-input"
          aria-label="Code format"
          data-testid="code-format"
          value={format}
          onChange={(e) => setFormat(e.target.value as ExportFormat)}
        >
          {EXPORT_FORMATS.map((f) => (
            <option key={f.id} value={f.id}>
              {f.label}
            </option>
          ))}
        </select>
        <span className="cf-muted">{editable ? 'Edit to change the drawing' : 'Read-only export'}</span>
      </div>
      <textarea
        className={`cf-input is-code cf-code-text${problems ? ' is-invalid' : ''}`}
        spellCheck={false}
        aria-label="Canvas code"
        data-testid="code-text"
        readOnly={!editable}
        value={draft ?? text}
        onChange={(e) => {
          const v = e.target.value;
          setDraft(v);
          if (timer.current) clearTimeout(timer.current);
          timer.current = setTimeout(() => apply(v), 400);
        }}
      />
      {problems && (
        <pre className="cf-code-problems" role="alert" data-testid="code-problems">
          {problems}
        </pre>
      )}
    </div>
  );
}
