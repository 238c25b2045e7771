import { describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, readCanvasText, writeCanvasText } from './formats';
import { tutorialCanvas } from './templates';

const file = {
  canvas: tutorialCanvas(),
  invoke: { args: [], kwargs: {} },
  config: { task_allow_error_cb_on_chord_header: false },
};

describe('editor import/export', () => {
  it('reads back every readable export format to the same canvas', () => {
    for (const f of EXPORT_FORMATS.filter((x) => x.id !== 'python')) {
      const r = readCanvasText(writeCanvasText(file, f.id, { name: 'demo.PIPELINE' }));
      expect(r.ok, f.id).toBe(true);
      if (r.ok && f.id !== 'celery-json') expect(r.value.file.canvas, f.id).toEqual(file.canvas);
    }
  });

  it('writes Python that builds the canvas with celery primitives', () => {
    const py = writeCanvasText(file, 'python');
    expect(py).toMatch(/from celery import/);
    expect(py).toMatch(/TASK_A/);
  });

  it('turns bad text into problems, never an exception', () => {
    for (const bad of ['', '{', '{"chain": [{"grop": []}]}', 'just: words']) {
      const r = readCanvasText(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problems[0]?.message.length).toBeGreaterThan(10);
    }
  });
});
