/**
 * SPEC 4 reliability: 1,000 malformed files → only clear errors, no crash, no stack trace. Inputs are
 * random text, random JSON values, and valid canvases (every format) damaged at random.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCanvasJson } from '../../../lib/canvas/canvasJson';
import { writeFormat } from '../../../lib/canvas/detect';
import type { CliIO } from '../io';
import { main } from '../main';

const tutorial = readFileSync(new URL('../../../examples/tutorial.json', import.meta.url), 'utf8');
const nested = readFileSync(new URL('../../../examples/nested-chord.json', import.meta.url), 'utf8');

function validFiles(): string[] {
  const out = [tutorial, nested];
  for (const text of [tutorial, nested]) {
    const parsed = parseCanvasJson(text);
    if (!parsed.ok) throw new Error('example does not parse');
    for (const format of ['native', 'celery-json', 'director-yaml'] as const) {
      const written = writeFormat(parsed.value, format);
      if (written.ok) out.push(written.value);
    }
  }
  return out;
}

/** A valid file with a random slice deleted, replaced or duplicated. */
const damaged = fc
  .tuple(fc.constantFrom(...validFiles()), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
  .map(([text, a, b, insert]) => {
    const i = a % text.length;
    const j = Math.min(text.length, i + (b % 40));
    return text.slice(0, i) + insert + text.slice(j);
  });

const malformed = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc.anything({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'undefined'),
  damaged,
  damaged,
);

function io(text: string): CliIO & { out_: string; err_: string } {
  const sink = {
    out_: '',
    err_: '',
    out(t: string) {
      sink.out_ += t;
    },
    err(t: string) {
      sink.err_ += t;
    },
    readFile: async () => text,
  };
  return sink;
}

describe('1,000 malformed files', () => {
  it('validate and convert answer every one with a sentence and exit 0/1, never a stack trace', async () => {
    const inputs = fc.sample(malformed, { numRuns: 1000, seed: 4242 });
    let rejected = 0;
    for (const text of inputs) {
      const v = io(text);
      const code = await main(['validate', 'f'], v);
      expect([0, 1]).toContain(code);
      if (code === 1) {
        rejected++;
        expect(v.err_ + v.out_).toMatch(/\w/);
      }
      expect(v.err_).not.toMatch(/\n\s+at .+:\d+:\d+/);
      const c = io(text);
      const convertCode = await main(['convert', 'f', '--to', 'canvas-json'], c);
      expect([0, 1]).toContain(convertCode);
      expect(c.err_).not.toMatch(/\n\s+at .+:\d+:\d+/);
    }
    // Most damaged inputs must be rejected (a damaged file can still happen to be a valid canvas).
    expect(rejected).toBeGreaterThan(800);
    // Generous: 2,000 CLI calls take under a second alone, but the suite may share a loaded machine.
  }, 60_000);
});
