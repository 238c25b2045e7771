/**
 * One editor's store (zustand vanilla, one per editor instance; React reads it through
 * `components/editor/EditorProvider`). Actions delegate to the pure edits of `edits.ts`; a rejected edit
 * changes nothing and shows its sentence. zundo records `doc` only: selection, UI, clipboard and run
 * status never enter the history, and one drag commits positions once (one undo step).
 */

import { temporal } from 'zundo';
import { createStore } from 'zustand/vanilla';
import { createCatalogue, type TaskCatalogue } from '../canvas/catalogue';
import { mapTaskTemplate } from '../canvas/chunks';
import { uidOf } from '../canvas/drawing';
import type { CanvasConfig, CanvasNode, InvokeArgs, TaskNode } from '../canvas/model';
import { injectPayloadTree } from '../canvas/payload';
import { expandStackIds } from '../canvas/stacks';
import { copyFragment, pasteFragment } from './clipboard';
import {
  addCallback,
  addItem,
  connect,
  drawEditorTree,
  type EditResult,
  insertOnEdge,
  removeEdges,
  removeNodes,
  reorder,
  unwrap,
  wrap,
} from './edits';
import type { XY } from './layout';
import { reachable } from './reachable';
import type { DocSlice, EditorState, RunStatusSlice } from './types';
import { createUidSource, nextUidCounter, replaceByUid, withUids } from './uids';

export interface EditorStoreOptions {
  doc?: Partial<DocSlice>;
  catalogue?: TaskCatalogue;
  docName?: string;
  /** Fit the view to the initial canvas (default true). */
  fitOnLoad?: boolean;
}

export const EMPTY_DOC: DocSlice = {
  canvas: null,
  invoke: { args: [], kwargs: {} },
  config: { task_allow_error_cb_on_chord_header: false },
  positions: {},
};

function emptyRunStatus(): RunStatusSlice {
  return { byTaskId: new Map(), byPath: {}, active: false };
}

/** A new task node for a catalogue name (empty args; the inspector fills them). */
export function newTask(name: string): TaskNode {
  // Celery's xmap/xstarmap/chunks come with an example inner task and items (lib/canvas/chunks.ts).
  const mapped = mapTaskTemplate(name);
  if (mapped !== null) return mapped;
  return {
    type: 'task',
    task: name,
    args: [],
    kwargs: {},
    immutable: false,
    options: {},
    link: [],
    link_error: [],
  };
}

function newContainer(kind: 'group' | 'chord' | 'chain'): CanvasNode {
  if (kind === 'chord')
    return { type: 'chord', header: [newTask('identity')], body: newTask('tsum'), link: [], link_error: [] };
  return { type: kind, tasks: [], link: [], link_error: [] };
}

/** Positions of the old tree's nodes carried to nodes of the new tree at the same path and kind. */
function carryUids(old: CanvasNode | null, next: CanvasNode): CanvasNode {
  if (old === null || old.type !== next.type) return next;
  const copy = { ...next } as CanvasNode;
  const u = uidOf(old);
  if (u !== undefined) Object.assign(copy, { uid: u });
  const pair = (a: CanvasNode[], b: CanvasNode[]) => b.map((n, i) => carryUids(a[i] ?? null, n));
  copy.link = pair(old.link, next.link);
  copy.link_error = pair(old.link_error, next.link_error);
  if ((copy.type === 'chain' || copy.type === 'group') && (old.type === 'chain' || old.type === 'group'))
    copy.tasks = pair(old.tasks, copy.tasks);
  if (copy.type === 'chord' && old.type === 'chord') {
    copy.header = pair(old.header, copy.header);
    copy.body = carryUids(old.body, copy.body);
  }
  return copy;
}

/** Creates an editor store. */
export function createEditorStore(options: EditorStoreOptions = {}) {
  const initialDoc: DocSlice = { ...EMPTY_DOC, ...options.doc };
  let uid = createUidSource(nextUidCounter(initialDoc.canvas));
  if (initialDoc.canvas !== null) initialDoc.canvas = withUids(initialDoc.canvas, uid);
  let noticeSeq = 0;

  const store = createStore<EditorState>()(
    temporal(
      (set, get) => {
        const notify = (kind: 'error' | 'info', message: string, highlightEdges: string[] = []) =>
          set((s) => ({ ui: { ...s.ui, notice: { kind, message, seq: ++noticeSeq }, highlightEdges } }));

        /** Applies an edit result: the new tree (one undo step) or the rejection's sentence. */
        const apply = (r: EditResult, extra?: (doc: DocSlice) => DocSlice): boolean => {
          if (!r.ok) {
            notify('error', r.message, r.edges ?? []);
            return false;
          }
          const s = get();
          let doc: DocSlice = { ...s.doc, canvas: r.tree };
          if (extra) doc = extra(doc);
          const valid = new Set(drawEditorTree(r.tree).nodes.map((n) => n.id));
          const ids = r.added ?? s.selection.ids.filter((id) => valid.has(id));
          set({ doc, selection: { ids }, ui: { ...s.ui, highlightEdges: [], notice: null } });
          return true;
        };
        const at = (position: XY | undefined, ids: string[] | undefined) => (doc: DocSlice) =>
          position === undefined || ids === undefined || ids[0] === undefined
            ? doc
            : { ...doc, positions: { ...doc.positions, [ids[0]]: position } };
        // A selected stack (lib/canvas/stacks.ts) stands for all its members.
        const selected = () => expandStackIds(get().doc.canvas, get().selection.ids);
        /**
         * An unconnected item added at the top level runs in parallel with everything else: the canvas
         * silently became a group. Say so, and how to put the item in sequence instead.
         */
        const noteStray = (before: CanvasNode | null, what: string, them = false) => {
          const after = get().doc.canvas;
          if (before === null || before.type === 'group' || after?.type !== 'group') return;
          notify(
            'info',
            `${what} not connected, so the canvas now runs ${them ? 'them' : 'it'} in parallel with the rest (a group). Drag from a step's right handle to connect it in sequence.`,
          );
        };

        return {
          doc: initialDoc,
          selection: { ids: [] },
          ui: {
            theme: 'light',
            panel: 'inspector',
            notice: null,
            shortcutsOpen: false,
            highlightEdges: [],
            docName: options.docName ?? 'Untitled',
            problemIndex: {},
            fitSeq: initialDoc.canvas === null || options.fitOnLoad === false ? 0 : 1,
          },
          sim: emptyRunStatus(),
          live: emptyRunStatus(),
          clipboard: null,
          catalogue: options.catalogue ?? createCatalogue(),
          actions: {
            addTask(name, level = {}, position) {
              const before = get().doc.canvas;
              const r = addItem(before, newTask(name), level, uid);
              if (apply(r, at(position, r.ok ? r.added : undefined))) noteStray(before, `“${name}” is`);
            },
            addContainer(kind, level = {}, position) {
              const before = get().doc.canvas;
              const r = addItem(before, newContainer(kind), level, uid);
              if (apply(r, at(position, r.ok ? r.added : undefined))) noteStray(before, `The new ${kind} is`);
            },
            insertOnEdge(edgeId, name) {
              apply(insertOnEdge(get().doc.canvas, edgeId, newTask(name), uid));
            },
            connect(source, target, kind = 'flow') {
              apply(connect(get().doc.canvas, source, target, kind));
            },
            removeEdges(ids) {
              if (ids.length > 0) apply(removeEdges(get().doc.canvas, ids));
            },
            deleteSelection() {
              const ids = selected();
              if (ids.length === 0) return;
              if (apply(removeNodes(get().doc.canvas, ids)))
                set((s) => ({ selection: { ids: [] }, ui: s.ui }));
            },
            wrapSelection(kind) {
              const ids = selected();
              apply(wrap(get().doc.canvas, ids, kind, uid), (doc) => {
                const positions = { ...doc.positions };
                for (const id of ids) delete positions[id];
                return { ...doc, positions };
              });
            },
            unwrapSelection() {
              const id = selected()[0];
              if (id === undefined) return notify('error', 'Select a group, chain or chord to unwrap.');
              const d = drawEditorTree(get().doc.canvas);
              const kids = d.nodes.filter((n) => n.parentId === id).map((n) => n.id);
              const r = unwrap(get().doc.canvas, id);
              apply(r.ok ? { ...r, added: kids } : r, (doc) => {
                const positions = { ...doc.positions };
                for (const k of kids) delete positions[k];
                return { ...doc, positions };
              });
            },
            reorderSelection(delta) {
              const id = selected()[0];
              if (id === undefined) return;
              apply(reorder(get().doc.canvas, id, delta));
            },
            copySelection() {
              const ids = selected();
              if (ids.length === 0) return;
              set({ clipboard: copyFragment(get().doc.canvas, ids) });
              notify('info', `Copied ${ids.length} item${ids.length === 1 ? '' : 's'}.`);
            },
            cutSelection() {
              get().actions.copySelection();
              get().actions.deleteSelection();
            },
            paste() {
              const frag = get().clipboard;
              if (frag === null) return notify('error', 'Nothing to paste: copy some tasks first.');
              const before = get().doc.canvas;
              if (apply(pasteFragment(before, frag, uid))) noteStray(before, 'The pasted items are', true);
            },
            duplicateSelection() {
              const ids = selected();
              if (ids.length === 0) return;
              const before = get().doc.canvas;
              if (apply(pasteFragment(before, copyFragment(before, ids), uid)))
                noteStray(before, 'The duplicated items are', true);
            },
            select(ids) {
              const cur = get().selection.ids;
              if (cur.length === ids.length && cur.every((id, i) => id === ids[i])) return;
              set({ selection: { ids } });
            },
            selectAll() {
              set({ selection: { ids: drawEditorTree(get().doc.canvas).nodes.map((n) => n.id) } });
            },
            selectReachable(direction) {
              const ids = selected();
              const more = reachable(get().doc.canvas, ids, direction);
              set({ selection: { ids: [...ids, ...more] } });
            },
            updateTask(id, patch, unset = []) {
              const canvas = get().doc.canvas;
              if (canvas === null) return;
              const next = replaceByUid(canvas, id, (n) => {
                if (n.type !== 'task') return n;
                const t: TaskNode = { ...n, ...patch };
                for (const k of unset) delete t[k];
                return t;
              });
              if (next !== canvas) set((s) => ({ doc: { ...s.doc, canvas: next } }));
            },
            addCallback(ownerId, kind, name) {
              apply(addCallback(get().doc.canvas, ownerId, kind, newTask(name), uid), undefined);
              set({ selection: { ids: [ownerId] } });
            },
            movePositions(moves) {
              if (Object.keys(moves).length === 0) return;
              set((s) => ({ doc: { ...s.doc, positions: { ...s.doc.positions, ...moves } } }));
            },
            setPositions(positions) {
              set((s) => ({ doc: { ...s.doc, positions } }));
            },
            tidy(ids) {
              set((s) => {
                if (ids === undefined || ids.length === 0) return { doc: { ...s.doc, positions: {} } };
                const positions = { ...s.doc.positions };
                for (const id of ids) delete positions[id];
                return { doc: { ...s.doc, positions } };
              });
            },
            replaceCanvas(canvas, invoke, config) {
              const s = get();
              const tagged = canvas === null ? null : withUids(carryUids(s.doc.canvas, canvas), uid);
              const valid = new Set(drawEditorTree(tagged).nodes.map((n) => n.id));
              const positions = Object.fromEntries(
                Object.entries(s.doc.positions).filter(([k]) => valid.has(k)),
              );
              const doc: DocSlice = {
                canvas: tagged,
                invoke: invoke ?? s.doc.invoke,
                config: config ?? s.doc.config,
                ...(s.doc.payload !== undefined ? { payload: s.doc.payload } : {}),
                positions,
              };
              set({ doc, selection: { ids: s.selection.ids.filter((i) => valid.has(i)) } });
            },
            loadDocument(doc, name) {
              uid = createUidSource(nextUidCounter(doc.canvas));
              const canvas = doc.canvas === null ? null : withUids(doc.canvas, uid);
              set((s) => ({
                doc: { ...doc, canvas },
                selection: { ids: [] },
                ui: { ...s.ui, docName: name, fitSeq: s.ui.fitSeq + 1 },
              }));
            },
            setInvoke(invoke: InvokeArgs) {
              set((s) => ({ doc: { ...s.doc, invoke } }));
            },
            setInput(input) {
              set((s) => {
                const doc: DocSlice = { ...s.doc };
                if (input.invoke !== undefined) doc.invoke = input.invoke;
                if (input.payload === null) delete doc.payload;
                else if (input.payload !== undefined) {
                  doc.payload = input.payload;
                  if (doc.canvas !== null)
                    doc.canvas = injectPayloadTree(doc.canvas, input.payload, s.catalogue);
                }
                return { doc };
              });
            },
            notify(kind, message) {
              notify(kind, message);
            },
            dismissNotice() {
              set((s) => ({ ui: { ...s.ui, notice: null, highlightEdges: [] } }));
            },
            setTheme(theme) {
              set((s) => ({ ui: { ...s.ui, theme } }));
            },
            setCatalogue(catalogue) {
              set({ catalogue });
            },
            setPanel(panel) {
              set((s) => ({ ui: { ...s.ui, panel } }));
            },
            setShortcutsOpen(open) {
              set((s) => ({ ui: { ...s.ui, shortcutsOpen: open } }));
            },
            requestFit() {
              set((s) => ({ ui: { ...s.ui, fitSeq: s.ui.fitSeq + 1 } }));
            },
            setProblemIndex(index) {
              set((s) => ({ ui: { ...s.ui, problemIndex: index } }));
            },
            setDocName(name) {
              set((s) => ({ ui: { ...s.ui, docName: name } }));
            },
            undo() {
              store.temporal.getState().undo();
              set((s) => ({ selection: { ids: s.selection.ids } }));
            },
            redo() {
              store.temporal.getState().redo();
            },
          },
        };
      },
      {
        partialize: (s) => ({ doc: s.doc }),
        equality: (a, b) => a.doc === b.doc,
        limit: 200,
      },
    ),
  );
  return store;
}

export type EditorStore = ReturnType<typeof createEditorStore>;
export type { CanvasConfig };
