'use client';
/**
 * The simulation dock wired into one editor: simulates the editor's document, mirrors the run state at
 * the playhead into the editor store's `sim` slice (node components draw it), and keeps the selected
 * task and the selected canvas node in step. Must sit inside `EditorProvider`.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CanvasFile } from '../../lib/canvas/model';
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
  const file = useMemo<CanvasFile | null>(
    () => (canvas ? { canvas, invoke, config } : null),
    [canvas, invoke, config],
  );

  // Run state at the playhead → the editor's sim slice (only entries that changed get new objects).
  useEffect(() => {
    let prev: RunStatusSlice | undefined;
    const push = () => {
      const { stateAt, run } = useSimStore.getState();
      if (!stateAt || !run || run.source !== 'simulation') {
        if (editor.getState().sim.active)
          editor.setState({ sim: { byTaskId: {}, byPath: {}, active: false } });
        prev = undefined;
        return;
      }
      prev = toRunStatusSlice(stateAt, editor.getState().doc.canvas, run.pathMap, prev);
      editor.setState({ sim: prev });
    };
    push();
    return useSimStore.subscribe((s, before) => {
      if (s.stateAt !== before.stateAt || s.run !== before.run) push();
    });
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

  const [height, setHeight] = useState<number | string>('48vh');
  const [collapsed, setCollapsed] = useState(false);
  const drag = useRef<{ y: number; h: number } | null>(null);
  return (
    <div
      className={styles.dock}
      style={{ height: collapsed ? 'auto' : height }}
      data-testid="simulation-dock"
    >
      {collapsed ? null : (
        <div
          className={styles.resizer}
          title="Drag to resize the simulation panel"
          onPointerDown={(e) => {
            drag.current = {
              y: e.clientY,
              h: e.currentTarget.parentElement?.getBoundingClientRect().height ?? 320,
            };
            e.currentTarget.setPointerCapture(e.pointerId);
          }}
          onPointerMove={(e) => {
            if (!drag.current) return;
            // The editor's dock slot allows up to 70 % of the stage.
            const max = window.innerHeight * 0.62;
            setHeight(Math.max(160, Math.min(max, drag.current.h + drag.current.y - e.clientY)));
          }}
          onPointerUp={() => {
            drag.current = null;
          }}
        />
      )}
      <SimulationPanel file={file} collapsed={collapsed} onToggleCollapsed={() => setCollapsed(!collapsed)} />
    </div>
  );
}
