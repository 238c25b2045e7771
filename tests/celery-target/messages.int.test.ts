/**
 * The messages `chordflow run --celery` sends equal, field by field, what real Celery 5.2's
 * `apply_async` sends for the same canvas: the canvas is built in Python as a user writes it, applied
 * to a private Redis no worker reads, and every queued envelope (body decoded) and chord-size record is
 * read back and compared with ours (only delivery tags, reply_to, origin and group ids differ by nature;
 * eta/expires are compared as times).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasFile, chain, chord, group, task } from '@/lib/canvas/build';
import { parseCanvasJson, toCanvasJson } from '@/lib/canvas/canvasJson';
import type { CanvasFile, Json } from '@/lib/canvas/model';
import { withTutorialScenario } from '@/lib/sim/scenarios';
import { HERE as CELERY_HELPERS, PYTHON } from '../celery/python';
import { type PrivateRedis, startPrivateRedis } from '../support/redisServer';
import { labelled, normalize, ourSends } from './sends';

let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(async () => {
  await redis?.stop();
});

interface Captured {
  name: string;
  messages: Json[];
  chord_sizes: Record<string, string>;
}

function capture(cases: Array<{ name: string; file: CanvasFile }>): Captured[] {
  const input = {
    broker: `${redis.url}/0`,
    backend: `${redis.url}/1`,
    cases: cases.map((c) => ({
      name: c.name,
      canvas: toCanvasJson({ ...c.file, invoke: { args: [], kwargs: {} } }),
      args: c.file.invoke.args,
      kwargs: c.file.invoke.kwargs,
    })),
  };
  const r = spawnSync(PYTHON, [new URL('./capture_apply.py', import.meta.url).pathname], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: CELERY_HELPERS, PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (r.status !== 0) throw new Error(`capture_apply.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Captured[];
}

function tutorial(): CanvasFile {
  const r = parseCanvasJson(readFileSync(new URL('../../examples/tutorial.json', import.meta.url), 'utf8'));
  if (!r.ok) throw new Error('tutorial.json does not parse');
  return { ...r.value, canvas: withTutorialScenario(r.value.canvas, 'flaky') };
}

const CASES: Array<{ name: string; file: CanvasFile }> = [
  { name: 'single', file: canvasFile(task('add', [1, 2])) },
  {
    name: 'links',
    file: canvasFile(
      task('add', [1, 2], {
        link: [task('mul', [10])],
        link_error: [task('on_error_id', [], { kwargs: { tag: 'e' } })],
      }),
    ),
  },
  { name: 'chain3', file: canvasFile(chain(task('add', [1, 2]), task('add', [3]), task('mul', [10]))) },
  { name: 'group2', file: canvasFile(group(task('add', [1, 2]), task('add', [3, 4]))) },
  { name: 'chord', file: canvasFile(chord([task('add', [1, 2]), task('add', [3, 4])], task('tsum'))) },
  {
    name: 'chain-chord-chain-body',
    file: canvasFile(
      chain(task('add', [1, 2]), group(task('add', [10]), task('add', [20])), task('tsum'), task('mul', [2])),
    ),
  },
  {
    name: 'chain-to-group',
    file: canvasFile(chain(task('add', [1, 2]), group(task('add', [10]), task('add', [20])))),
  },
  { name: 'tutorial', file: tutorial() },
  {
    name: 'chord-chain-member',
    file: canvasFile(
      chord(
        [chain(task('add', [1, 1]), task('mul', [10])), task('add', [2, 2])],
        chain(task('tsum'), task('add', [1])),
      ),
    ),
  },
  {
    name: 'options',
    file: canvasFile(
      task('add', [1, 2], {
        options: { apply_countdown: 30, time_limit: 20, soft_time_limit: 10, max_retries: 1, countdown: 2 },
      }),
    ),
  },
  {
    name: 'send-options',
    file: canvasFile(
      group(
        task('add', [1, 2], { options: { expires: 60, priority: 5, queue: 'q1', shadow: 'adder' } }),
        task('mul', [2, 3], {
          options: { ignore_result: true, eta: '2030-01-01T00:00:00+00:00', priority: 9 },
        }),
      ),
    ),
  },
];

describe('messages sent to Celery', () => {
  it('equal what Celery 5.2 apply_async sends, field by field', () => {
    const files = CASES.map((c, i) => ({
      name: c.name,
      file: { ...c.file, canvas: labelled(c.file.canvas, `c${i}-`) },
    }));
    const now = Date.now();
    const theirs = capture(files);
    for (const [i, c] of files.entries()) {
      const ours = ourSends(c.file, now);
      const t = theirs[i] as Captured;
      expect({ name: c.name, ...(normalize(ours.messages, ours.chordSizes) as object) }).toEqual({
        name: c.name,
        ...(normalize(t.messages, t.chord_sizes) as object),
      });
    }
  });
});
