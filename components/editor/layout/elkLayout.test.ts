import { describe, expect, it } from 'vitest';
import { chord, task } from '@/lib/canvas/build';
import { treeToDrawing } from '@/lib/canvas/drawing';
import type { CanvasNode } from '@/lib/canvas/model';
import { toElkGraph } from './elkLayout';

describe('toElkGraph', () => {
  it('links each chord header end to its body, for 20,000 chords in one group', () => {
    const chords = Array.from({ length: 20_000 }, (_, i) =>
      chord([task('add', [i, 1]), task('add', [i, 2])], task('tsum')),
    );
    const root: CanvasNode = { type: 'group', tasks: chords, link: [], link_error: [] };
    const drawing = treeToDrawing(root);
    const graph = toElkGraph(drawing, new Map());
    const chordIds = drawing.nodes.filter((n) => n.kind === 'chord').map((n) => n.id);
    expect(chordIds).toHaveLength(20_000);
    const byId = new Map<string, { edges?: { sources: string[]; targets: string[] }[] }>();
    const walk = (n: { id: string; children?: unknown[] }) => {
      byId.set(n.id, n as never);
      for (const c of (n.children ?? []) as { id: string; children?: unknown[] }[]) walk(c);
    };
    walk(graph as never);
    for (const id of [chordIds[0], chordIds[19_999]] as string[]) {
      const members = drawing.nodes.filter((n) => n.parentId === id);
      const body = members.find((n) => n.region === 'body')?.id;
      const header = members.filter((n) => n.region === 'header').map((n) => n.id);
      const virtual = (byId.get(id)?.edges ?? []).filter((e) => e.targets[0] === body);
      expect(virtual.map((e) => e.sources[0]).sort()).toEqual([...header].sort());
    }
  });
});
