/// <reference lib="webworker" />
/**
 * Runs ELK (layered) off the main thread: the editor posts a graph, the worker answers with positions.
 */
import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';

const elk = new ELK();

self.onmessage = async (e: MessageEvent<{ id: number; graph: ElkNode }>) => {
  try {
    const graph = await elk.layout(e.data.graph);
    self.postMessage({ id: e.data.id, ok: true, graph });
  } catch (err) {
    self.postMessage({ id: e.data.id, ok: false, message: err instanceof Error ? err.message : String(err) });
  }
};
