'use client';
/**
 * The simulation dock wired into one editor: simulates the editor's document, mirrors the run state at
 * the playhead into the editor store's `sim` slice (node components draw it), and keeps the selected
 * task and the selected canvas node in step. Must sit inside `EditorProvider`.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CanvasFile } from '../../lib/canvas/model';
import { injectPayloadTree } from '../../lib/canvas/payload';
import type { RunStatusSlice } from '../../lib/store/types';
import { useEditor, useEditorStore } from '../editor/EditorProvider';
import { toRunStatusSlice, writtenPathsByUid } from './model/editorSync';
import { SimulationPanel } from './SimulationPanel';
import styles from './sim.module.css';
import { useSimStore } from './simulationStore';

/** The dock for the enclosing editor. */
export function EditorSimulationPanel() {
  const editor = useEditorStore();
  const canvas = useEditor((s) => s.doc.canvas);
  const invoke = useEditor((s) => s.doc.invoke);
  const config = useEditor((s) => s.doc.config);
  const payload = useEditor((s) => s.doc.payload);
  const catalogue = useEditor((s) => s.catalogue);
  // The user's tasks (fetched from the server into the editor's catalogue) go to the simulation worker.
  const userTasks = useMemo(
    () => [...catalogue.values()].filter((e) => e.source === 'user' || e.source === 'celery'),
    [catalogue],
  );
  // The pipeline input reaches every task that takes a payload (the scenario then sets its field).
  const file = useMemo<CanvasFile | null>(
    () =>
      canvas
        ? { canvas: payload ? injectPayloadTree(canvas, payload, catalogue) : canvas, invoke, config }
        : null,
    [canvas, invoke, config, payload, catalogue],
  );

  // Run state at the playhead → the editor's sim slice (only entries that changed get new objects).
  useEffect(() => {
    let prev: RunStatusSlice | undefined;
    const push = () => {
      const { stateAt, run } = useSimStore.getState();
      if (!stateAt || !run || run.source !== 'simulation') {
        if (editor.getState().sim.active)
          editor.setState({ sim: { byTaskId: new Map(), byPath: {}, active: false } });
        prev = undefined;
        return;
      }
      prev = toRunStatusSlice(stateAt, editor.getState().doc.canvas, run.pathMap, prev);
      editor.setState({ sim: prev });
    };
    push();
    let later: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = useSimStore.subscribe((s, before) => {
      if (s.run !== before.run && s.run) {
        // A new run: the canvas overlay (every node of a 10,000-task canvas) is drawn in a task of
        // its own, after the panel's, so neither is one long main-thread task.
        clearTimeout(later);
        later = setTimeout(push, 0);
      } else if (s.stateAt !== before.stateAt || s.run !== before.run) push();
    });
    return () => {
      clearTimeout(later);
      unsubscribe();
    };
  }, [editor]);

  // Selected task (timeline, log) → selected canvas node.
  useEffect(
    () =>
      useSimStore.subscribe((s, before) => {
        if (s.selectedTaskId === before.selectedTaskId || !s.selectedTaskId || !s.run?.pathMap) return;
        const path = s.stateAt?.tasks.get(s.selectedTaskId)?.path;
        for (const [uid, paths] of s.run.pathMap.taskPaths) {
          if (path !== undefined && paths.includes(path)) {
            const current = editor.getState().selection.ids;
            if (current.length !== 1 || current[0] !== uid) editor.getState().actions.select([uid]);
            return;
          }
        }
      }),
    [editor],
  );

  // Selected canvas node → task drawer (when a run is shown).
  const selection = useEditor((s) => s.selection.ids);
  useEffect(() => {
    const { run, stateAt, selectedTaskId, select } = useSimStore.getState();
    const uid = selection.length === 1 ? selection[0] : undefined;
    if (!uid || !run?.pathMap || !stateAt) return;
    const path = run.pathMap.taskPaths.get(uid)?.[0];
    const id = path === undefined ? undefined : stateAt.byPath.get(path)?.[0];
    if (id !== undefined && id !== selectedTaskId) select(id);
  }, [selection]);

  // Another document was opened: the shown run belongs to none of its nodes any more, so drop it.
  useEffect(() => {
    const { run, clearRun } = useSimStore.getState();
    if (!run?.pathMap || run.source !== 'simulation') return;
    const uids = canvas ? writtenPathsByUid(canvas) : new Map<string, string>();
    for (const uid of run.pathMap.taskPaths.keys()) if (uids.has(uid)) return;
    clearRun();
  }, [canvas]);

  const dock = useDockSize();
  const drag = useRef<{ y: number; h: number } | null>(null);
  // While designing (no run shown, not on What if) the dock is only as tall as its controls: the canvas
  // and the inspector keep the room; a run opens it at the remembered height.
  const hasContent = useSimStore((s) => s.run !== null || s.tab === 'whatif');
  const sized = !dock.collapsed && hasContent;
  return (
    <div
      className={styles.dock}
      style={{ height: sized ? dock.height : 'auto' }}
      data-testid="simulation-dock"
      data-collapsed={dock.collapsed ? 'true' : 'false'}
    >
      {!sized ? null : (
        // biome-ignore lint/a11y/useSemanticElements: a draggable splitter has no semantic element; role="separator" with a value is the ARIA pattern for it.
        <div
          className={styles.resizer}
          role="separator"
          aria-orientation="horizontal"
          aria-label="Resize the simulation dock (arrow keys)"
          aria-valuenow={Math.round(dock.height)}
          aria-valuemin={MIN_HEIGHT}
          aria-valuemax={Math.round(maxHeight())}
          tabIndex={0}
          title="Drag to resize the dock; double-click to reset"
          onDoubleClick={() => dock.setHeight(defaultHeight())}
          onKeyDown={(e) => {
            if (e.key === 'ArrowUp') dock.setHeight(dock.height + 24);
            else if (e.key === 'ArrowDown') dock.setHeight(dock.height - 24);
            else return;
            e.preventDefault();
          }}
          onPointerDown={(e) => {
            drag.current = {
              y: e.clientY,
              h: e.currentTarget.parentElement?.getBoundingClientRect().height ?? dock.height,
            };
            e.currentTarget.setPointerCapture(e.pointerId);
          }}
          onPointerMove={(e) => {
            if (!drag.current) return;
            dock.setHeight(drag.current.h + drag.current.y - e.clientY, false);
          }}
          onPointerUp={() => {
            drag.current = null;
            dock.save();
          }}
        />
      )}
      <SimulationPanel
        file={file}
        collapsed={dock.collapsed}
        onToggleCollapsed={dock.toggle}
        {...(userTasks.length > 0 ? { userTasks } : {})}
      />
    </div>
  );
}

const DOCK_KEY = 'chordflow.dock';
const MIN_HEIGHT = 150;

/** The canvas keeps at least ~220 px under the toolbar. */
function maxHeight(): number {
  return typeof window === 'undefined' ? 600 : Math.max(MIN_HEIGHT, window.innerHeight - 48 - 220);
}

function defaultHeight(): number {
  return typeof window === 'undefined' ? 320 : Math.round(Math.min(maxHeight(), window.innerHeight * 0.42));
}

function clampHeight(h: number): number {
  return Math.round(Math.max(MIN_HEIGHT, Math.min(maxHeight(), h)));
}

/** Height and folded state of the dock, remembered in this browser across reloads. */
function useDockSize() {
  const [state, setState] = useState<{ height: number; collapsed: boolean }>({
    height: 320,
    collapsed: false,
  });
  const latest = useRef(state);
  latest.current = state;
  useEffect(() => {
    let saved: { height?: unknown; collapsed?: unknown } = {};
    try {
      saved = JSON.parse(window.localStorage.getItem(DOCK_KEY) ?? '{}') as typeof saved;
    } catch {
      // A damaged entry: start from the defaults.
    }
    setState({
      height: typeof saved.height === 'number' ? clampHeight(saved.height) : defaultHeight(),
      collapsed: saved.collapsed === true,
    });
  }, []);
  const save = useCallback((next?: { height: number; collapsed: boolean }) => {
    try {
      window.localStorage.setItem(DOCK_KEY, JSON.stringify(next ?? latest.current));
    } catch {
      // Storage full or disabled: the size just is not remembered.
    }
  }, []);
  return {
    ...state,
    save: () => save(),
    setHeight: (h: number, persist = true) => {
      const next = { ...latest.current, height: clampHeight(h) };
      setState(next);
      if (persist) save(next);
    },
    toggle: () => {
      const next = { ...latest.current, collapsed: !latest.current.collapsed };
      setState(next);
      save(next);
    },
  };
}
