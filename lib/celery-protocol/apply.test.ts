/**
 * Pure parts of the Celery sending side that the capture test (tests/celery-target) does not reach:
 * kombu's priority lists, the envelope's base64 body, and the sentence for canvases not sent to Celery.
 */
import { describe, expect, it } from 'vitest';
import { canvasFile, chord, group, task } from '../canvas/build';
import { createCatalogue } from '../canvas/catalogue';
import { planRun } from '../engine';
import { applyPlan, CeleryApplyError } from './apply';
import { base64Utf8, encodeEnvelope, queueKey } from './envelope';
import { celeryIdMap } from './ids';

const catalogue = createCatalogue();
const env = { now: 0, uuid: () => 'u', replyTo: 'r', origin: 'gen1@h', defaultQueue: 'celery' };

describe('Celery sending, pure parts', () => {
  it('puts priorities in kombu lists 0/3/6/9 and encodes the body as base64 UTF-8 JSON', () => {
    expect([0, 2, 3, 5, 6, 9].map((p) => queueKey('q', p))).toEqual([
      'q',
      'q',
      'q\x06\x163',
      'q\x06\x163',
      'q\x06\x166',
      'q\x06\x169',
    ]);
    expect(base64Utf8('é✓')).toBe(btoa(String.fromCharCode(...new TextEncoder().encode('é✓'))));
    const plan = planRun(canvasFile(task('add', ['é', 'x'])), catalogue, 'r');
    const [send] = applyPlan(plan, catalogue, celeryIdMap(plan), env);
    if (send?.kind !== 'message') throw new Error('expected a message');
    const envelope = JSON.parse(encodeEnvelope(send.message)) as {
      body: string;
      headers: { argsrepr: string };
    };
    const body = new TextDecoder().decode(Uint8Array.from(atob(envelope.body), (c) => c.charCodeAt(0)));
    expect(JSON.parse(body)[0]).toEqual(['é', 'x']);
    expect(envelope.headers.argsrepr).toBe("('é', 'x')");
  });

  it('maps Celery ids back to task ids in error texts, longest first', () => {
    const plan = planRun(
      canvasFile(group(task('add', [1, 2], { id: 'a' }), task('add', [1, 2], { id: 'a.b' }))),
      catalogue,
      'r',
    );
    const ids = celeryIdMap(plan);
    expect(ids.translate('Dependency r.t.a.b raised X; r.t.a too')).toBe('Dependency a.b raised X; a too');
  });

  it('refuses a chord header holding a group, with a sentence', () => {
    const plan = planRun(
      canvasFile(chord([group(task('add', [1, 1]), task('add', [2, 2])), task('add', [3, 3])], task('tsum'))),
      catalogue,
      'r',
    );
    expect(() => applyPlan(plan, catalogue, celeryIdMap(plan), env)).toThrow(CeleryApplyError);
    expect(() => applyPlan(plan, catalogue, celeryIdMap(plan), env)).toThrow(/chord header holding a group/);
  });
});
