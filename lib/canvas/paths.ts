/**
 * Node paths (`NodePath` of model.ts) and their printed form, e.g. `['tasks', 1, 'header', 0]` ↔
 * `canvas.tasks[1].header[0]`. Validation messages use the string form; the editor maps it back to a node.
 */
import type { CanvasNode, NodePath } from './model';

/** `['tasks', 1, 'header', 0]` → `canvas.tasks[1].header[0]` (the root is `canvas`). */
export function formatPath(path: NodePath, root = 'canvas'): string {
  let out = root;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/**
 * `canvas.tasks[1].header[0]` → `['tasks', 1, 'header', 0]`; `null` when the text is not a path.
 * The leading root segment (`canvas` by default) is optional.
 */
export function parsePath(text: string, root = 'canvas'): NodePath | null {
  const trimmed = text.trim();
  let rest = trimmed;
  if (rest === root) return [];
  if (rest.startsWith(`${root}.`) || rest.startsWith(`${root}[`)) rest = rest.slice(root.length);
  const path: NodePath = [];
  const re = /^(?:\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\])/;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m) return null;
    if (m[1] !== undefined) path.push(m[1]);
    else path.push(Number(m[2]));
    rest = rest.slice(m[0].length);
  }
  return path;
}

/** The node at `path` inside `root`, or `undefined` when the path leads nowhere. */
export function getNodeAt(root: CanvasNode, path: NodePath): CanvasNode | undefined {
  let node: CanvasNode | undefined = root;
  for (let i = 0; i < path.length && node; i++) {
    const key = path[i];
    if (key === 'body') {
      node = node.type === 'chord' ? node.body : undefined;
      continue;
    }
    const index = path[i + 1];
    if (typeof index !== 'number') return undefined;
    i++;
    let list: CanvasNode[] | undefined;
    if (key === 'tasks') list = node.type === 'chain' || node.type === 'group' ? node.tasks : undefined;
    else if (key === 'header') list = node.type === 'chord' ? node.header : undefined;
    else if (key === 'link') list = node.link;
    else if (key === 'link_error') list = node.link_error;
    node = list?.[index];
  }
  return node;
}

/**
 * Calls `visit` on every node of the tree, depth first (callbacks and errbacks included), without
 * paths: `walkNodes` copies a path per node, which costs nodes × depth on a deep canvas.
 */
export function forEachNode(root: CanvasNode, visit: (node: CanvasNode) => void): void {
  // Iterative pre-order (children pushed in reverse): canvases from outside may be deep or huge.
  const stack: CanvasNode[] = [root];
  const pushAll = (list: CanvasNode[]) => {
    for (let i = list.length - 1; i >= 0; i--) stack.push(list[i] as CanvasNode);
  };
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    visit(node);
    pushAll(node.link_error);
    pushAll(node.link);
    if (node.type === 'chord') {
      stack.push(node.body);
      pushAll(node.header);
    } else if (node.type === 'chain' || node.type === 'group') pushAll(node.tasks);
  }
}

/** Every node of the tree with its path, depth first (callbacks and errbacks included). */
export function walkNodes(
  root: CanvasNode,
  path: NodePath = [],
): Array<{ node: CanvasNode; path: NodePath }> {
  // Iterative pre-order (children pushed in reverse): canvases from outside may be deep or huge.
  const out: Array<{ node: CanvasNode; path: NodePath }> = [];
  const stack: Array<{ node: CanvasNode; path: NodePath }> = [{ node: root, path }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    out.push(item);
    const { node, path: at } = item;
    const children: Array<{ node: CanvasNode; path: NodePath }> = [];
    const visit = (list: CanvasNode[], key: string) =>
      list.forEach((child, i) => {
        children.push({ node: child, path: [...at, key, i] });
      });
    if (node.type === 'chain' || node.type === 'group') visit(node.tasks, 'tasks');
    if (node.type === 'chord') {
      visit(node.header, 'header');
      children.push({ node: node.body, path: [...at, 'body'] });
    }
    visit(node.link, 'link');
    visit(node.link_error, 'link_error');
    for (let i = children.length - 1; i >= 0; i--)
      stack.push(children[i] as { node: CanvasNode; path: NodePath });
  }
  return out;
}
