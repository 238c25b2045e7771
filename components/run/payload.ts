/**
 * The run payload, as celery-director gives it to every task: `payload` goes into the kwargs of every
 * task whose catalogue entry takes a `payload` parameter (the tutorial's four tasks). Pure.
 */
import type { TaskCatalogue } from '@/lib/canvas/catalogue';
import type { CanvasFile, CanvasNode, Json } from '@/lib/canvas/model';

/** The tutorial's payload (seed-tutorial-and-director.md 1.5) with a scenario. */
export function tutorialPayload(scenario = 'happy'): Json {
  return { raw: 'hello world', scenario };
}

function inject(node: CanvasNode, payload: Json, catalogue: TaskCatalogue): CanvasNode {
  const link = node.link.map((n) => inject(n, payload, catalogue));
  const linkError = node.link_error.map((n) => inject(n, payload, catalogue));
  switch (node.type) {
    case 'task': {
      const takes = catalogue.get(node.task)?.params.some((p) => p.name === 'payload') ?? false;
      return {
        ...node,
        ...(takes ? { kwargs: { ...node.kwargs, payload } } : {}),
        link,
        link_error: linkError,
      };
    }
    case 'chain':
    case 'group':
      return {
        ...node,
        tasks: node.tasks.map((n) => inject(n, payload, catalogue)),
        link,
        link_error: linkError,
      };
    case 'chord':
      return {
        ...node,
        header: node.header.map((n) => inject(n, payload, catalogue)),
        body: inject(node.body, payload, catalogue),
        link,
        link_error: linkError,
      };
  }
}

/** `file` with `payload` set on every task that takes one. */
export function withPayload(file: CanvasFile, payload: Json, catalogue: TaskCatalogue): CanvasFile {
  return { ...file, canvas: inject(file.canvas, payload, catalogue) };
}

/** The payload already in the canvas (the first task kwarg named `payload`), to prefill the editor. */
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

/** Parses the payload editor's text: a sentence when it is not a JSON object. */
export function parsePayloadText(text: string): { ok: true; payload: Json } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, payload: {} };
  try {
    const value = JSON.parse(text) as Json;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return {
        ok: false,
        message: 'The payload must be a JSON object, e.g. {"raw": "hello world", "scenario": "flaky"}.',
      };
    return { ok: true, payload: value };
  } catch (err) {
    return {
      ok: false,
      message: `The payload is not valid JSON (${err instanceof Error ? err.message : 'parse error'}). Fix it and press Run again.`,
    };
  }
}
