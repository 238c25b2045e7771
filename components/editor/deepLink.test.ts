import { describe, expect, it } from 'vitest';
import { canvasLink, MAX_LINK_CHARS, readDeepLink } from './deepLink';

const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;

describe('deep links', () => {
  it('opens a definition by project.NAME and refuses other names', () => {
    expect(readDeepLink(q({ definition: 'demo.PIPELINE' }))).toEqual({
      kind: 'definition',
      name: 'demo.PIPELINE',
    });
    expect(readDeepLink(q({ definition: '../etc' }))).toMatchObject({ kind: 'error' });
    expect(readDeepLink('')).toBeNull();
  });

  it('round-trips a small canvas through a link', () => {
    const r = readDeepLink(
      q({
        canvas: JSON.stringify({
          chain: [
            { task: 'add', args: [1, 2] },
            { task: 'mul', args: [3] },
          ],
        }),
      }),
    );
    expect(r?.kind).toBe('canvas');
    if (r?.kind !== 'canvas') return;
    const link = canvasLink('http://x', r.file);
    expect(link.ok && link.url.startsWith('http://x/?canvas=')).toBe(true);
    if (link.ok) expect(readDeepLink(new URL(link.url).search)).toEqual(r);
  });

  it('says why a bad or too big canvas is not opened', () => {
    const bad = readDeepLink(q({ canvas: '{"chain": [' }));
    expect(bad?.kind === 'error' && bad.message).toMatch(/^The canvas in this link is not valid JSON/);
    const invalid = readDeepLink(q({ canvas: '{"chord": {"header": []}}' }));
    expect(invalid?.kind === 'error' && invalid.message).toMatch(/^The canvas in this link was not opened: /);
    const deep = readDeepLink(q({ canvas: `${'{"chain":['.repeat(40)}{"task":"add"}${']}'.repeat(40)}` }));
    expect(deep?.kind).toBe('error');
    const big = readDeepLink(
      q({
        canvas: JSON.stringify({ group: Array.from({ length: 200 }, () => ({ task: 'add', args: [1, 2] })) }),
      }),
    );
    expect(big?.kind === 'error' && big.message).toContain(
      `at most ${MAX_LINK_CHARS.toLocaleString('en-US')}`,
    );
    const both = readDeepLink(q({ canvas: '{"task":"add"}', definition: 'a.b' }));
    expect(both?.kind).toBe('error');
  });
});
