/**
 * The canvas of a stored run as a `CanvasFile`, whatever form the run record keeps it in (the editor's
 * model, or Canvas JSON as submitted to the API). Null when the run has no canvas (a saved definition).
 */
import { canvasFileFromJson } from '@/lib/canvas/canvasJson';
import type { CanvasFile } from '@/lib/canvas/model';

function isModelFile(value: unknown): value is CanvasFile {
  if (!value || typeof value !== 'object') return false;
  const canvas = (value as { canvas?: unknown }).canvas;
  return (
    !!canvas &&
    typeof canvas === 'object' &&
    typeof (canvas as { type?: unknown }).type === 'string' &&
    Array.isArray((canvas as { link?: unknown }).link)
  );
}

export function runCanvasFile(stored: unknown): CanvasFile | null {
  if (stored === null || stored === undefined) return null;
  if (isModelFile(stored)) {
    const file = stored as Partial<CanvasFile> & { canvas: CanvasFile['canvas'] };
    return {
      canvas: file.canvas,
      invoke: file.invoke ?? { args: [], kwargs: {} },
      config: file.config ?? { task_allow_error_cb_on_chord_header: false },
    };
  }
  const parsed = canvasFileFromJson(stored);
  return parsed.ok ? parsed.value : null;
}
