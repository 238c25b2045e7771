/**
 * The editor store's state, by slice. Only `doc` is undoable (zundo). `sim` and `live` hold run status
 * per node, written by the simulation and live-run views; node components read their own entry, so a
 * status update re-renders one node, never the canvas.
 */

import type { TaskCatalogue } from '../canvas/catalogue';
import type { DrawEdgeKind, Drawing, DrawRegion } from '../canvas/drawing';
import type { CanvasConfig, CanvasNode, InvokeArgs, JsonObject, TaskNode } from '../canvas/model';
import type { XY } from './layout';

export interface DocSlice {
  /** The canvas tree as written, every node tagged with a `uid`; `null` for an empty canvas. */
  canvas: CanvasNode | null;
  invoke: InvokeArgs;
  config: CanvasConfig;
  /**
   * The pipeline input (director's `payload`): every task that takes a `payload` parameter receives it
   * when the canvas is simulated or run. Absent: the tasks' own kwargs are used as written.
   */
  payload?: JsonObject;
  /** Manual positions by drawn id, relative to the enclosing container. */
  positions: Record<string, XY>;
}

export interface SelectionSlice {
  /** Selected drawn node ids. */
  ids: string[];
}

export type Theme = 'light' | 'dark';
export type SidePanel = 'inspector' | 'problems' | 'code' | 'documents';

export interface Notice {
  kind: 'error' | 'info';
  message: string;
  /** A counter so the same message shown twice still re-announces. */
  seq: number;
}

export interface UiSlice {
  theme: Theme;
  panel: SidePanel;
  notice: Notice | null;
  shortcutsOpen: boolean;
  /** Edges to highlight (e.g. the offending edges of a rejected connection). */
  highlightEdges: string[];
  /** Name of the open document. */
  docName: string;
  /** Bumped when the view should fit the canvas (a document was opened or imported). */
  fitSeq: number;
  /** Validation problems by drawn node id (derived from the doc; node badges read their entry). */
  problemIndex: Record<string, ProblemSummary>;
}

export interface ProblemSummary {
  errors: number;
  warnings: number;
  /** The first problem's sentence (the badge's tooltip). */
  first: string;
}

/** Run status of one node as the sim/live views report it (Celery states plus queue/attempt detail). */
export interface NodeRunStatus {
  state: 'PENDING' | 'QUEUED' | 'STARTED' | 'RETRY' | 'SUCCESS' | 'FAILURE' | 'REVOKED';
  attempt?: number;
  /** Retry countdown in ms, while waiting. */
  countdown_ms?: number;
  /** Chord barrier progress (done of total, `failed` of them failed) for chord nodes. */
  progress?: { done: number; total: number; failed?: number };
  /** Set when the task never ran because something upstream failed. */
  upstream_failed?: boolean;
}

export interface RunStatusSlice {
  /** Status by Celery task id (the node's `id` label, else the planner's id); a Map: ids are user text. */
  byTaskId: ReadonlyMap<string, NodeRunStatus>;
  /** Status by canvas path key (`tasks.1.header.0`), as in `TaskDescriptor.path`. */
  byPath: Record<string, NodeRunStatus>;
  /** Whether this overlay is being shown. */
  active: boolean;
}

export interface LevelTarget {
  parentId?: string;
  region?: DrawRegion;
}

export interface EditorActions {
  addTask(name: string, level?: LevelTarget, position?: XY): void;
  addContainer(kind: 'group' | 'chord' | 'chain', level?: LevelTarget, position?: XY): void;
  insertOnEdge(edgeId: string, name: string): void;
  connect(source: string, target: string, kind?: DrawEdgeKind): void;
  removeEdges(ids: string[]): void;
  deleteSelection(): void;
  wrapSelection(kind: 'group' | 'chord' | 'chain'): void;
  unwrapSelection(): void;
  reorderSelection(delta: -1 | 1): void;
  copySelection(): void;
  cutSelection(): void;
  paste(): void;
  duplicateSelection(): void;
  select(ids: string[]): void;
  selectAll(): void;
  selectReachable(direction: 'up' | 'down'): void;
  updateTask(
    id: string,
    patch: Partial<Omit<TaskNode, 'type' | 'link' | 'link_error'>>,
    unset?: Array<'id' | 'sim'>,
  ): void;
  addCallback(ownerId: string, kind: 'link' | 'link_error', name: string): void;
  movePositions(moves: Record<string, XY>): void;
  tidy(ids?: string[]): void;
  setPositions(positions: Record<string, XY>): void;
  /** Replaces the canvas (import, code panel); positions of nodes at unchanged paths are kept. */
  replaceCanvas(canvas: CanvasNode | null, invoke?: InvokeArgs, config?: CanvasConfig): void;
  loadDocument(doc: DocSlice, name: string): void;
  setInvoke(invoke: InvokeArgs): void;
  /**
   * Sets the pipeline input in one undo step: the first step's call-time args/kwargs (`invoke`) and the
   * `payload` (`null` removes it), written into every task that takes one so the code view shows it.
   */
  setInput(input: { invoke?: InvokeArgs; payload?: JsonObject | null }): void;
  notify(kind: Notice['kind'], message: string): void;
  dismissNotice(): void;
  setTheme(theme: Theme): void;
  /** Replaces the task catalogue (the server's, with the user's tasks, once fetched). */
  setCatalogue(catalogue: TaskCatalogue): void;
  setPanel(panel: SidePanel): void;
  setShortcutsOpen(open: boolean): void;
  setDocName(name: string): void;
  setProblemIndex(index: Record<string, ProblemSummary>): void;
  requestFit(): void;
  undo(): void;
  redo(): void;
}

export interface EditorState {
  doc: DocSlice;
  selection: SelectionSlice;
  ui: UiSlice;
  sim: RunStatusSlice;
  live: RunStatusSlice;
  clipboard: Drawing | null;
  catalogue: TaskCatalogue;
  actions: EditorActions;
}
