'use client';
import '@xyflow/react/dist/style.css';
import './editor.css';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { type ReactNode, useCallback, useDeferredValue, useEffect, useMemo, useRef } from 'react';
import type { CanvasFile } from '@/lib/canvas/model';
import type { EditorStoreOptions } from '@/lib/store/createEditorStore';
import { createLocalRepository, type DocumentRepository } from '@/lib/store/documents';
import { drawingOf } from '@/lib/store/edits';
import { idsByPath, problemIndex, problemNodeId, validateDoc } from '@/lib/store/problems';
import { createServerRepository } from '@/lib/store/serverDocuments';
import { TEMPLATES } from '@/lib/store/templates';
import type { DocSlice, SidePanel } from '@/lib/store/types';
import { stripUids } from '@/lib/store/uids';
import { Canvas } from './Canvas';
import { readDeepLink } from './deepLink';
import { EditorProvider, useActions, useEditor, useEditorStore } from './EditorProvider';
import { useElkLayout } from './layout/useElkLayout';
import { Palette } from './Palette';
import { CodePanel } from './panels/CodePanel';
import { DocumentsPanel, useImportText } from './panels/DocumentsPanel';
import { Inspector } from './panels/Inspector';
import { ProblemsPanel } from './panels/ProblemsPanel';
import { ShortcutSheet } from './ShortcutSheet';
import { Toolbar } from './Toolbar';
import { AUTOSAVE_KEY, useAutosave } from './useAutosave';
import { useShortcuts } from './useShortcuts';

export const THEME_KEY = 'chordflow.theme';
/** Element id of the slot under the toolbar where the live-run bar is portalled. */
export const RUN_BAR_SLOT = 'cf-runbar-slot';
/** How long a notice stays up (ms); an error long enough to read its sentence. */
export const NOTICE_INFO_MS = 5000;
export const NOTICE_ERROR_MS = 12000;

export interface EditorProps {
  /** Start from this document instead of the autosaved one. */
  initial?: { doc: Partial<DocSlice>; name: string };
  /** Autosave to localStorage and restore on load (the main editor page). */
  persist?: boolean;
  /** Fit the view to the initial canvas (default true). */
  fitOnLoad?: boolean;
  /** A panel docked under the canvas (the simulation / live-run views plug in here). */
  dock?: ReactNode;
  /** Extra toolbar controls (e.g. a Run button), inside the editor's store context. */
  toolbarExtra?: ReactNode;
}

/** The visual editor: palette, canvas, inspector / problems / code / documents. */
export function Editor(props: EditorProps) {
  const options: EditorStoreOptions = props.initial
    ? { doc: props.initial.doc, docName: props.initial.name }
    : {};
  if (props.fitOnLoad === false) options.fitOnLoad = false;
  return (
    <EditorProvider options={options}>
      <ReactFlowProvider>
        <EditorShell persist={props.persist ?? false} dock={props.dock} toolbarExtra={props.toolbarExtra} />
      </ReactFlowProvider>
    </EditorProvider>
  );
}

const TABS: Array<{ id: SidePanel; label: string }> = [
  { id: 'inspector', label: 'Inspector' },
  { id: 'problems', label: 'Problems' },
  { id: 'code', label: 'Code' },
  { id: 'documents', label: 'Files' },
];

function EditorShell({
  persist,
  dock,
  toolbarExtra,
}: {
  persist: boolean;
  dock: ReactNode;
  toolbarExtra: ReactNode;
}) {
  const store = useEditorStore();
  const actions = useActions();
  const doc = useEditor((s) => s.doc);
  const catalogue = useEditor((s) => s.catalogue);
  const panel = useEditor((s) => s.ui.panel);
  const theme = useEditor((s) => s.ui.theme);
  const notice = useEditor((s) => s.ui.notice);
  const docName = useEditor((s) => s.ui.docName);
  const rf = useReactFlow();
  const importText = useImportText();
  const repo = useMemo<DocumentRepository>(
    () =>
      createLocalRepository(
        typeof window === 'undefined'
          ? { getItem: () => null, setItem: () => {}, removeItem: () => {} }
          : window.localStorage,
      ),
    [],
  );

  /**
   * `/?definition=project.NAME` and `/?canvas=…` (components/editor/deepLink.ts). The canvas that was
   * open is kept in Files first, so following a link loses nothing; the query is then dropped from the
   * address so a reload keeps the person's edits.
   */
  const openDeepLink = useCallback(
    async (search: string) => {
      const link = readDeepLink(search);
      if (link === null) return;
      window.history.replaceState(null, '', window.location.pathname);
      if (link.kind === 'error') return actions.notify('error', link.message);
      let opened: { doc: DocSlice; name: string } | null;
      if (link.kind === 'definition') {
        try {
          opened = await createServerRepository((url, init) => fetch(url, init)).load(link.name);
        } catch (err) {
          return actions.notify(
            'error',
            `The definition “${link.name}” could not be opened: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
        if (opened === null)
          return actions.notify(
            'error',
            `There is no definition “${link.name}” on this server; nothing was opened.`,
          );
      } else {
        const f = link.file;
        opened = {
          doc: { canvas: f.canvas, invoke: f.invoke, config: f.config, positions: {} },
          name: 'Shared canvas',
        };
      }
      const previous = store.getState();
      let kept = '';
      if (previous.doc.canvas !== null) {
        kept = `${previous.ui.docName} (before link)`;
        await repo.save({ name: kept, savedAt: Date.now(), doc: previous.doc });
      }
      actions.loadDocument(opened.doc, opened.name);
      store.temporal.getState().clear();
      actions.notify(
        'info',
        `Opened ${link.kind === 'definition' ? `the definition “${link.name}”` : 'the canvas from the link'}.${kept ? ` The canvas you had open is kept in Files as “${kept}”.` : ''}`,
      );
    },
    [actions, repo, store],
  );

  // Restore the theme and the autosaved document once.
  const restored = useRef(false);
  useEffect(() => {
    if (restored.current) return;
    restored.current = true;
    const t = window.localStorage.getItem(THEME_KEY);
    if (t === 'dark' || t === 'light') actions.setTheme(t);
    else if (window.matchMedia?.('(prefers-color-scheme: dark)').matches) actions.setTheme('dark');
    if (!persist) return;
    try {
      const raw = window.localStorage.getItem(AUTOSAVE_KEY);
      if (raw !== null) {
        const v = JSON.parse(raw) as { version: number; name: string; doc: DocSlice };
        if (v.version === 1 && typeof v.doc === 'object') {
          actions.loadDocument(v.doc, v.name);
          store.temporal.getState().clear();
        }
      }
    } catch {
      actions.notify('error', 'The autosaved canvas could not be read; starting empty.');
    }
    void openDeepLink(window.location.search);
  }, [actions, persist, store, openDeepLink]);

  // The browser tab says which pipeline is open (imported files and opened definitions name it).
  useEffect(() => {
    document.title = `${docName} · Chordflow`;
  }, [docName]);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    window.localStorage.setItem(THEME_KEY, theme);
  }, [theme]);

  // Notices dismiss themselves (errors stay longer, to be read); hovering one keeps it open.
  const noticeHover = useRef(false);
  useEffect(() => {
    // A notice closed under the pointer never sees its mouseleave: each notice starts unhovered.
    noticeHover.current = false;
    if (notice === null) return;
    const ms = notice.kind === 'error' ? NOTICE_ERROR_MS : NOTICE_INFO_MS;
    const timer = setInterval(() => {
      if (!noticeHover.current && store.getState().ui.notice?.seq === notice.seq) actions.dismissNotice();
    }, ms);
    return () => clearInterval(timer);
  }, [notice, actions, store]);

  useAutosave(store, doc, persist);

  // Validation: problems by node for badges, the list for the panel. It runs on a deferred copy of the
  // canvas (null on the first render), so a large canvas paints before it is validated.
  // Positions do not change validity: validate on canvas/invoke/config only.
  const { canvas, invoke, config } = doc;
  const checked = useDeferredValue(canvas, null);
  const byPath = useMemo(() => idsByPath(drawingOf(checked)), [checked]);
  const problems = useMemo(
    () => validateDoc({ canvas: checked, invoke, config, positions: {} }, catalogue),
    [checked, invoke, config, catalogue],
  );
  useEffect(() => actions.setProblemIndex(problemIndex(problems, byPath)), [problems, byPath, actions]);
  // The uid-free file is only needed by the code and files panels.
  const needsFile = panel === 'code' || panel === 'documents';
  const file: CanvasFile | null = useMemo(
    () => (!needsFile || canvas === null ? null : { canvas: stripUids(canvas), invoke, config }),
    [needsFile, canvas, invoke, config],
  );

  const fit = useCallback(() => void rf.fitView({ duration: 200, padding: 0.2, maxZoom: 1.1 }), [rf]);
  const elk = useElkLayout();
  const view = useMemo(
    () => ({
      fit,
      autoLayout: () => void elk(),
      selectedEdges: () =>
        rf
          .getEdges()
          .filter((e) => e.selected)
          .map((e) => e.id),
    }),
    [fit, rf, elk],
  );
  useShortcuts(store, view);

  // Paste: text on the system clipboard is imported (any format); otherwise the internal clipboard.
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const t = e.target;
      if (t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) return;
      const text = e.clipboardData?.getData('text/plain') ?? '';
      e.preventDefault();
      if (text.trim() === '' || text === lastCopied.current) store.getState().actions.paste();
      else importText(text, 'the clipboard');
    };
    const onCopy = (e: ClipboardEvent) => {
      const t = e.target;
      if (t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) return;
      if (store.getState().selection.ids.length === 0) return;
      // Our own copies paste back through the internal clipboard (keeps structure and ids fresh).
      lastCopied.current = `chordflow:selection:${store.getState().selection.ids.join(',')}`;
      e.clipboardData?.setData('text/plain', lastCopied.current);
      e.preventDefault();
    };
    document.addEventListener('paste', onPaste);
    document.addEventListener('copy', onCopy);
    return () => {
      document.removeEventListener('paste', onPaste);
      document.removeEventListener('copy', onCopy);
    };
  }, [importText, store]);
  const lastCopied = useRef<string | null>(null);

  // Dropping a file anywhere imports it.
  const onDrop = async (e: React.DragEvent) => {
    const f = e.dataTransfer.files?.[0];
    if (f === undefined) return;
    e.preventDefault();
    importText(await f.text(), `“${f.name}”`, f.name);
  };

  return (
    <div
      className="cf-editor"
      data-theme={theme}
      data-testid="editor"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) e.preventDefault();
      }}
      onDrop={onDrop}
    >
      <Toolbar onFit={fit} extra={toolbarExtra} />
      {/* The live-run bar renders here (a portal from the toolbar's Run controls): in the flow, so it
          pushes the canvas down instead of covering the graph being watched. */}
      <div id={RUN_BAR_SLOT} className="cf-runbar-slot" />
      <div className={`cf-main${dock ? ' has-dock' : ''}`}>
        <Palette />
        <main className="cf-stage" aria-label="Canvas">
          <div className="cf-stage-canvas">
            <Canvas />
            {doc.canvas === null && (
              <div className="cf-empty-hint" data-testid="empty-hint">
                <h2>Start a pipeline</h2>
                <p>Drag a task from the palette, or start from a template:</p>
                <div className="cf-empty-actions">
                  {TEMPLATES.map((t) => (
                    <button
                      key={t.id}
                      type="button"
                      className="cf-btn"
                      data-testid={`empty-template-${t.id}`}
                      onClick={() =>
                        actions.loadDocument(
                          {
                            canvas: t.canvas,
                            invoke: t.invoke,
                            config: { task_allow_error_cb_on_chord_header: false },
                            positions: {},
                          },
                          t.title,
                        )
                      }
                    >
                      {t.title}
                    </button>
                  ))}
                </div>
              </div>
            )}
          </div>
        </main>
        <aside className="cf-side" aria-label="Side panel">
          <div className="cf-tabs" role="tablist">
            {TABS.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                aria-selected={panel === t.id}
                className={`cf-tab${panel === t.id ? ' is-active' : ''}`}
                data-testid={`tab-${t.id}`}
                onClick={() => actions.setPanel(t.id)}
              >
                {t.label}
                {t.id === 'problems' && problems.length > 0 && (
                  <span
                    className={`cf-tab-count${problems.some((p) => p.severity === 'error') ? ' is-error' : ''}`}
                  >
                    {problems.length}
                  </span>
                )}
              </button>
            ))}
          </div>
          <div className="cf-side-body" role="tabpanel">
            {panel === 'inspector' && <Inspector />}
            {panel === 'problems' && (
              <ProblemsPanel problems={problems} nodeOf={(p) => problemNodeId(p, byPath)} />
            )}
            {panel === 'code' && <CodePanel file={file} />}
            {panel === 'documents' && <DocumentsPanel file={file} repo={repo} />}
          </div>
        </aside>
        {dock && (
          <section className="cf-dock" aria-label="Simulation and run timeline">
            {dock}
          </section>
        )}
      </div>
      {notice && (
        <div
          className={`cf-notice is-${notice.kind}`}
          role={notice.kind === 'error' ? 'alert' : 'status'}
          data-testid={`notice-${notice.kind}`}
          key={notice.seq}
          onMouseEnter={() => {
            noticeHover.current = true;
          }}
          onMouseLeave={() => {
            noticeHover.current = false;
          }}
        >
          <span>{notice.message}</span>
          <button
            type="button"
            className="cf-btn is-ghost is-small"
            aria-label="Dismiss"
            data-testid="notice-dismiss"
            onClick={actions.dismissNotice}
          >
            ✕
          </button>
        </div>
      )}
      <ShortcutSheet />
    </div>
  );
}
