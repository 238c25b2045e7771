/**
 * Maps the editor's nodes to the tasks of a run. Run events name tasks by their path in the
 * *normalized* tree (what Celery runs: `chain(A, group(B, C), D)` becomes `chain(A, chord([B, C], D))`,
 * so B is `tasks.1.header.0` while the editor drew it at `tasks.1.tasks.0`). The editor tags its tree
 * nodes with a `uid`; composition keeps task nodes (and their uid), so walking the tree exactly as the
 * planner does (`normalizeCanvas` → `pushDownLinks` → paths) gives uid → run path.
 */
import { uidOf } from '../../../lib/canvas/drawing';
import { type LinkConfig, pushDownLinks, unchainTasks } from '../../../lib/canvas/links';
import type { CanvasFile, CanvasNode } from '../../../lib/canvas/model';
import { normalizeCanvas } from '../../../lib/canvas/normalize';

export interface RunPathMap {
  /** Editor uid of a task node → run paths of the tasks it produced (an errback copied to every chain step has several). */
  taskPaths: Map<string, string[]>;
  /** Editor uid of a group/chord/chain container → run path of the chord whose header it holds (`chord.progress` id). */
  chordPaths: Map<string, string>;
}

function join(path: string, ...parts: Array<string | number>): string {
  const tail = parts.join('.');
  return path === '' ? tail : `${path}.${tail}`;
}

function walkRun(
  node: CanvasNode,
  path: string,
  config: LinkConfig,
  onTask: (uid: string | undefined, path: string) => void,
  onChord: (headerUids: string[], path: string) => void,
): void {
  switch (node.type) {
    case 'task':
      onTask(uidOf(node), path);
      node.link.forEach((cb, i) => {
        walkRun(cb, join(path, 'link', i), config, onTask, onChord);
      });
      node.link_error.forEach((eb, i) => {
        walkRun(eb, join(path, 'link_error', i), config, onTask, onChord);
      });
      return;
    case 'chain': {
      const steps =
        node.link.length > 0 || node.link_error.length > 0 ? unchainTasks(node, config) : node.tasks;
      steps.forEach((step, i) => {
        walkRun(step, join(path, 'tasks', i), config, onTask, onChord);
      });
      return;
    }
    case 'group':
      node.tasks.forEach((m, i) => {
        walkRun(m, join(path, 'tasks', i), config, onTask, onChord);
      });
      return;
    case 'chord': {
      const headerUids: string[] = [];
      node.header.forEach((m, i) => {
        walkRun(
          m,
          join(path, 'header', i),
          config,
          (uid, p) => {
            if (uid !== undefined) headerUids.push(uid);
            onTask(uid, p);
          },
          onChord,
        );
      });
      onChord(headerUids, path);
      walkRun(node.body, join(path, 'body'), config, onTask, onChord);
      return;
    }
  }
}

/** Every container of the written tree with the canvas task uids under it (callbacks excluded). */
function containers(node: CanvasNode, out: Array<{ uid: string; tasks: Set<string> }>): Set<string> {
  const tasks = new Set<string>();
  if (node.type === 'task') {
    const uid = uidOf(node);
    if (uid !== undefined) tasks.add(uid);
    return tasks;
  }
  const children = node.type === 'chord' ? [...node.header, node.body] : node.tasks;
  for (const child of children) for (const uid of containers(child, out)) tasks.add(uid);
  const uid = uidOf(node);
  if (uid !== undefined) out.push({ uid, tasks });
  return tasks;
}

/** Builds the uid → run path maps for `file` (whose tree carries editor uids). */
export function runPathMap(file: CanvasFile): RunPathMap {
  const config: LinkConfig = { allowErrorCbOnChordHeader: file.config.task_allow_error_cb_on_chord_header };
  const tree = pushDownLinks(normalizeCanvas(file.canvas, config), config);
  const taskPaths = new Map<string, string[]>();
  const chords: Array<{ headerUids: string[]; path: string }> = [];
  walkRun(
    tree,
    '',
    config,
    (uid, path) => {
      if (uid === undefined) return;
      const list = taskPaths.get(uid);
      if (list) list.push(path);
      else taskPaths.set(uid, [path]);
    },
    (headerUids, path) => chords.push({ headerUids, path }),
  );
  const written: Array<{ uid: string; tasks: Set<string> }> = [];
  containers(file.canvas, written);
  const chordPaths = new Map<string, string>();
  for (const chord of chords) {
    if (chord.headerUids.length === 0) continue;
    // The smallest written container holding the whole header is the node the person drew as it.
    let best: { uid: string; tasks: Set<string> } | undefined;
    for (const c of written) {
      if (!chord.headerUids.every((u) => c.tasks.has(u))) continue;
      if (!best || c.tasks.size < best.tasks.size) best = c;
    }
    if (best && !chordPaths.has(best.uid)) chordPaths.set(best.uid, chord.path);
  }
  return { taskPaths, chordPaths };
}
