'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { withApiToken } from '@/components/run/api';
import type { CanvasFile } from '@/lib/canvas/model';
import { formatProblems } from '@/lib/canvas/problems';
import type { DocumentRepository, DocumentSummary } from '@/lib/store/documents';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  readCanvasText,
  titleFromFileName,
  writeCanvasText,
} from '@/lib/store/formats';
import { createServerRepository } from '@/lib/store/serverDocuments';
import { TEMPLATES } from '@/lib/store/templates';
import { canvasLink } from '../deepLink';
import { useActions, useEditor, useEditorStore } from '../EditorProvider';

/** Downloads text as a file (a temporary object URL). */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Imports text in any format; a failure shows the problems and changes nothing. The document takes the
 * title the input carries (a document's name, a director workflow), else the file's name.
 */
export function useImportText() {
  const actions = useActions();
  return useCallback(
    (text: string, origin: string, fileName?: string): boolean => {
      const r = readCanvasText(text);
      if (!r.ok) {
        actions.notify('error', `Nothing was imported from ${origin}: ${formatProblems(r.problems)}`);
        return false;
      }
      actions.replaceCanvas(r.value.file.canvas, r.value.file.invoke, r.value.file.config);
      // A document's pipeline input comes with it; other formats keep the current one.
      if (r.value.payload !== undefined) actions.setInput({ payload: r.value.payload });
      const title = r.value.title ?? (fileName !== undefined ? titleFromFileName(fileName) : undefined);
      if (title !== undefined) actions.setDocName(title);
      actions.requestFit();
      actions.notify('info', `Imported the canvas from ${origin}.`);
      return true;
    },
    [actions],
  );
}

/** Server definitions (`/api/definitions`): open one, or save the canvas as `project.NAME`. */
function ServerDefinitions() {
  const store = useEditorStore();
  const actions = useActions();
  const repo = useMemo(() => createServerRepository((url, init) => fetch(url, withApiToken(init))), []);
  const [defs, setDefs] = useState<DocumentSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('demo.MY_PIPELINE');
  const refresh = useCallback(() => {
    repo.list().then(
      (list) => {
        setDefs(list);
        setError(null);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [repo]);
  useEffect(refresh, [refresh]);
  return (
    <section className="cf-section" data-testid="server-definitions">
      <h4>Server definitions</h4>
      {error && <p className="cf-muted">{error}</p>}
      <ul className="cf-list">
        {(defs ?? []).map((d) => (
          <li key={d.name} className="cf-doc-row">
            <button
              type="button"
              className="cf-link"
              onClick={async () => {
                const s = await repo.load(d.name).catch(() => null);
                if (s === null)
                  return actions.notify('error', `“${d.name}” could not be read from the server.`);
                actions.loadDocument(s.doc, s.name);
              }}
            >
              {d.name}
            </button>
          </li>
        ))}
        {defs !== null && defs.length === 0 && <li className="cf-muted">No definitions on the server.</li>}
      </ul>
      <div className="cf-row">
        <input
          className="cf-input"
          aria-label="Definition name (project.NAME)"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button
          type="button"
          className="cf-btn"
          onClick={async () => {
            try {
              await repo.save({ name, savedAt: Date.now(), doc: store.getState().doc });
              actions.notify('info', `Saved the definition “${name}” on the server.`);
              refresh();
            } catch (e) {
              actions.notify('error', `Not saved: ${e instanceof Error ? e.message : String(e)}`);
            }
          }}
        >
          Save to server
        </button>
      </div>
    </section>
  );
}

/** A link that reproduces the canvas (`/?canvas=…`), copied to the clipboard and shown to copy by hand. */
function ShareLink({ file }: { file: CanvasFile | null }) {
  const actions = useActions();
  const [url, setUrl] = useState('');
  return (
    <section className="cf-section">
      <h4>Share</h4>
      <button
        type="button"
        className="cf-btn"
        data-testid="share-link"
        onClick={() => {
          if (file === null)
            return actions.notify('error', 'The canvas is empty: there is nothing to share.');
          const link = canvasLink(window.location.origin, file);
          if (!link.ok) return actions.notify('error', link.message);
          setUrl(link.url);
          navigator.clipboard?.writeText(link.url).then(
            () => actions.notify('info', 'Copied a link that opens this canvas.'),
            () => actions.notify('info', 'Copy the link below: it opens this canvas.'),
          );
        }}
      >
        Copy a link to this canvas
      </button>
      {url && (
        <input
          className="cf-input"
          readOnly
          aria-label="Link to this canvas"
          data-testid="share-url"
          value={url}
          onFocus={(e) => e.currentTarget.select()}
        />
      )}
    </section>
  );
}

export function DocumentsPanel({ file, repo }: { file: CanvasFile | null; repo: DocumentRepository }) {
  const store = useEditorStore();
  const actions = useActions();
  const docName = useEditor((s) => s.ui.docName);
  const catalogue = useEditor((s) => s.catalogue);
  const payload = useEditor((s) => s.doc.payload);
  const [docs, setDocs] = useState<DocumentSummary[]>([]);
  const [paste, setPaste] = useState('');
  const [name, setName] = useState(docName);
  const fileInput = useRef<HTMLInputElement>(null);
  const importText = useImportText();
  const refresh = useCallback(() => void repo.list().then(setDocs), [repo]);
  useEffect(refresh, [refresh]);
  useEffect(() => setName(docName), [docName]);

  const save = async (as: string) => {
    const n = as.trim() || 'Untitled';
    await repo.save({ name: n, savedAt: Date.now(), doc: store.getState().doc });
    actions.setDocName(n);
    actions.notify('info', `Saved “${n}”.`);
    refresh();
  };
  const exportAs = (format: ExportFormat) => {
    if (file === null) return actions.notify('error', 'The canvas is empty: there is nothing to export.');
    const f = EXPORT_FORMATS.find((x) => x.id === format)!;
    download(
      `${docName.replace(/[^\w.-]+/g, '_')}.${f.extension}`,
      writeCanvasText(file, format, {
        name: docName,
        now: new Date().toISOString(),
        catalogue,
        ...(payload !== undefined ? { payload } : {}),
      }),
    );
  };

  return (
    <div className="cf-docs" data-testid="documents-panel">
      <section className="cf-section">
        <h4>Templates</h4>
        {TEMPLATES.map((t) => (
          <button
            key={t.id}
            type="button"
            className="cf-card-btn"
            data-testid={`template-${t.id}`}
            onClick={() => {
              actions.loadDocument(
                {
                  canvas: t.canvas,
                  invoke: t.invoke,
                  config: { task_allow_error_cb_on_chord_header: false },
                  positions: {},
                },
                t.title,
              );
            }}
          >
            <strong>{t.title}</strong>
            <small>{t.description}</small>
          </button>
        ))}
      </section>
      <section className="cf-section">
        <h4>Document</h4>
        <div className="cf-row">
          <input
            className="cf-input"
            aria-label="Document name"
            data-testid="doc-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="button" className="cf-btn" data-testid="doc-save" onClick={() => void save(name)}>
            Save
          </button>
        </div>
        <div className="cf-row">
          <button
            type="button"
            className="cf-btn is-ghost"
            onClick={() => {
              actions.loadDocument(
                {
                  canvas: null,
                  invoke: { args: [], kwargs: {} },
                  config: { task_allow_error_cb_on_chord_header: false },
                  positions: {},
                },
                'Untitled',
              );
            }}
            data-testid="doc-new"
          >
            New empty canvas
          </button>
        </div>
        <ul className="cf-list">
          {docs.map((d) => (
            <li key={d.name} className="cf-doc-row">
              <button
                type="button"
                className="cf-link"
                onClick={async () => {
                  const s = await repo.load(d.name);
                  if (s === null)
                    return actions.notify(
                      'error',
                      `“${d.name}” could not be read; it may come from a newer version.`,
                    );
                  actions.loadDocument(s.doc, s.name);
                }}
              >
                {d.name}
              </button>
              <button
                type="button"
                className="cf-btn is-ghost is-small"
                aria-label={`Rename ${d.name}`}
                onClick={async () => {
                  const to = window.prompt('New name', d.name);
                  if (to && to !== d.name) {
                    await repo.rename(d.name, to);
                    if (docName === d.name) actions.setDocName(to);
                    refresh();
                  }
                }}
              >
                Rename
              </button>
              <button
                type="button"
                className="cf-btn is-ghost is-small"
                aria-label={`Delete ${d.name}`}
                onClick={async () => {
                  if (window.confirm(`Delete “${d.name}”?`)) {
                    await repo.remove(d.name);
                    refresh();
                  }
                }}
              >
                Delete
              </button>
            </li>
          ))}
          {docs.length === 0 && <li className="cf-muted">No saved documents yet.</li>}
        </ul>
      </section>
      <ServerDefinitions />
      <section className="cf-section">
        <h4>Import</h4>
        <input
          ref={fileInput}
          type="file"
          hidden
          aria-label="Import a file"
          data-testid="import-file"
          accept=".json,.yml,.yaml,.txt"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (f) importText(await f.text(), `“${f.name}”`, f.name);
            e.target.value = '';
          }}
        />
        <button type="button" className="cf-btn" onClick={() => fileInput.current?.click()}>
          Open a file…
        </button>
        <p className="cf-muted">
          …or drop a file anywhere on the editor. Canvas JSON, Celery JSON, workflows.yml and Chordflow
          documents are recognised.
        </p>
        <textarea
          className="cf-input is-code"
          rows={4}
          placeholder="Paste a canvas here"
          aria-label="Paste a canvas"
          data-testid="import-text"
          value={paste}
          onChange={(e) => setPaste(e.target.value)}
        />
        <button
          type="button"
          className="cf-btn"
          data-testid="import-apply"
          onClick={() => {
            if (importText(paste, 'the pasted text')) setPaste('');
          }}
        >
          Import pasted text
        </button>
      </section>
      <ShareLink file={file} />
      <section className="cf-section">
        <h4>Export</h4>
        <div className="cf-export">
          {EXPORT_FORMATS.map((f) => (
            <button
              key={f.id}
              type="button"
              className="cf-btn is-ghost"
              data-testid={`export-${f.id}`}
              onClick={() => exportAs(f.id)}
            >
              {f.label}
            </button>
          ))}
        </div>
      </section>
    </div>
  );
}
