/**
 * The pipeline input as celery-director passes it: `payload` goes into the kwargs of every task whose
 * catalogue entry takes a `payload` parameter (the tutorial's tasks, user tasks that declare it). Pure;
 * node objects are copied with their extra properties (editor uids survive).
 */
import type { TaskCatalogue } from './catalogue';
import type { CanvasFile, CanvasNode, Json } from './model';

/**
 * How many bytes of payload copies one run may carry (64 MiB). The payload is written into every task
 * that takes one, so a 1 MB payload and 5,000 such tasks would be a 5 GB plan: refused before any copy.
 */
export const MAX_PAYLOAD_COPY_BYTES = 64 * 1024 * 1024;

/**
 * Why `payload` cannot go into `takers` tasks (its JSON copies would exceed `limit` bytes in all), or
 * undefined when it can.
 */
export function payloadCopyProblem(
  payload: Json,
  takers: number,
  limit: number = MAX_PAYLOAD_COPY_BYTES,
): string | undefined {
  if (takers <= 1) return undefined;
  const bytes = JSON.stringify(payload)?.length ?? 0;
  if (bytes * takers <= limit) return undefined;
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return (
    `The payload (${bytes.toLocaleString('en-US')} bytes) would be copied into ${takers.toLocaleString('en-US')} ` +
    `tasks that take one (${mb(bytes * takers)} in all, over the ${mb(limit)} a run may carry): send a ` +
    'smaller payload, or let fewer tasks take `payload`.'
  );
}

/**
 * Task nodes (callbacks included, each occurrence counted) that would receive the payload: those that
 * take one, or every task when `catalogue` is undefined (director's runs pass it to all).
 */
export function countPayloadTakers(node: CanvasNode, catalogue: TaskCatalogue | undefined): number {
  let n = 0;
  const stack: CanvasNode[] = [node];
  for (let cur = stack.pop(); cur !== undefined; cur = stack.pop()) {
    if (cur.type === 'task' && (catalogue === undefined || takesPayload(catalogue, cur.task))) n++;
    const children = cur.type === 'task' ? [] : cur.type === 'chord' ? [...cur.header, cur.body] : cur.tasks;
    for (const c of [...children, ...cur.link, ...cur.link_error]) stack.push(c);
  }
  return n;
}

/** True when the task named `name` takes a `payload` parameter. */
export function takesPayload(catalogue: TaskCatalogue, name: string): boolean {
  return catalogue.get(name)?.params.some((p) => p.name === 'payload') ?? false;
}

/** `node` with `payload` set in the kwargs of every task (callbacks included) that takes one. */
export function injectPayloadTree(node: CanvasNode, payload: Json, catalogue: TaskCatalogue): CanvasNode {
  const sub = (n: CanvasNode) => injectPayloadTree(n, payload, catalogue);
  const link = node.link.map(sub);
  const linkError = node.link_error.map(sub);
  switch (node.type) {
    case 'task':
      return {
        ...node,
        ...(takesPayload(catalogue, node.task) ? { kwargs: { ...node.kwargs, payload } } : {}),
        link,
        link_error: linkError,
      };
    case 'chain':
    case 'group':
      return { ...node, tasks: node.tasks.map(sub), link, link_error: linkError };
    case 'chord':
      return { ...node, header: node.header.map(sub), body: sub(node.body), link, link_error: linkError };
  }
}

/** `file` with `payload` set on every task that takes one. */
export function withPayload(file: CanvasFile, payload: Json, catalogue: TaskCatalogue): CanvasFile {
  return { ...file, canvas: injectPayloadTree(file.canvas, payload, catalogue) };
}

/** Names of the tasks (in tree order, once each) that receive the payload. */
export function payloadTakers(node: CanvasNode, catalogue: TaskCatalogue): string[] {
  const out = new Set<string>();
  const visit = (n: CanvasNode) => {
    if (n.type === 'task' && takesPayload(catalogue, n.task)) out.add(n.task);
    const children = n.type === 'task' ? [] : n.type === 'chord' ? [...n.header, n.body] : n.tasks;
    for (const c of [...children, ...n.link, ...n.link_error]) visit(c);
  };
  visit(node);
  return [...out];
}

/** The payload already written in the canvas (the first task kwarg named `payload`), if any. */
export function payloadIn(file: CanvasFile): Json | undefined {
  const visit = (node: CanvasNode): Json | undefined => {
    if (node.type === 'task' && node.kwargs.payload !== undefined) return node.kwargs.payload;
    const children =
      node.type === 'task' ? [] : node.type === 'chord' ? [...node.header, node.body] : node.tasks;
    for (const child of [...children, ...node.link, ...node.link_error]) {
      const found = visit(child);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(file.canvas);
}
