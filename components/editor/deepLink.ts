/**
 * Deep links into the editor: `/?definition=<project.NAME>` opens a saved server definition, and
 * `/?canvas=<URL-encoded Canvas JSON>` opens a small canvas carried by the link itself, so a link in a
 * chat reproduces a pipeline. The canvas of a link is untrusted input: it goes through the validation
 * gate with small limits, and anything wrong is a sentence, never a half-loaded canvas.
 */
import { toCanvasJson } from '@/lib/canvas/canvasJson';
import { type CanvasLimits, readCanvasValue } from '@/lib/canvas/gate';
import type { CanvasFile } from '@/lib/canvas/model';
import { formatProblems } from '@/lib/canvas/problems';

/** A link is for small canvases: bigger ones are saved as a definition and linked by name. */
export const LINK_LIMITS: CanvasLimits = { maxDepth: 24, maxTasks: 500 };
/**
 * Characters of Canvas JSON a link may carry (before URL encoding): encoded, that stays well under the
 * 16 KiB request line Node's HTTP server accepts, and under what chats keep of a URL.
 */
export const MAX_LINK_CHARS = 4000;

const DEFINITION = /^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{1,64}$/;

export type DeepLink =
  | { kind: 'definition'; name: string }
  | { kind: 'canvas'; file: CanvasFile }
  | { kind: 'error'; message: string };

const TOO_BIG = (n: number) =>
  `The canvas in this link is too big to open from a URL (${n.toLocaleString('en-US')} characters; at most ${MAX_LINK_CHARS.toLocaleString('en-US')}). Save it as a server definition and share /?definition=project.NAME instead.`;

/** What the page's query string asks for (`location.search`), or `null` when it is no deep link. */
export function readDeepLink(search: string): DeepLink | null {
  const params = new URLSearchParams(search);
  const definition = params.get('definition');
  const canvas = params.get('canvas');
  if (definition !== null && canvas !== null)
    return { kind: 'error', message: 'This link gives both a definition and a canvas: use one of them.' };
  if (definition !== null) {
    const name = definition.trim();
    if (!DEFINITION.test(name))
      return {
        kind: 'error',
        message: `“${name.slice(0, 80)}” is not a definition name: a link opens ?definition=project.NAME (letters, digits, _ or -).`,
      };
    return { kind: 'definition', name };
  }
  if (canvas === null) return null;
  if (canvas.length > MAX_LINK_CHARS) return { kind: 'error', message: TOO_BIG(canvas.length) };
  let value: unknown;
  try {
    value = JSON.parse(canvas);
  } catch (err) {
    return {
      kind: 'error',
      message: `The canvas in this link is not valid JSON (${err instanceof Error ? err.message : 'parse error'}); nothing was opened.`,
    };
  }
  const read = readCanvasValue(value, LINK_LIMITS);
  if (!read.ok)
    return {
      kind: 'error',
      message: `The canvas in this link was not opened: ${formatProblems(read.problems)}`,
    };
  return { kind: 'canvas', file: read.value };
}

/** A link that opens `file` (at `base`, e.g. `location.origin`), or why it cannot be one. */
export function canvasLink(
  base: string,
  file: CanvasFile,
): { ok: true; url: string } | { ok: false; message: string } {
  const text = JSON.stringify(toCanvasJson(file));
  if (text.length > MAX_LINK_CHARS) return { ok: false, message: TOO_BIG(text.length) };
  return { ok: true, url: `${base}/?canvas=${encodeURIComponent(text)}` };
}
