'use client';
import { useEffect, useState } from 'react';
import type { CanvasNode } from '@/lib/canvas/model';
import { Editor } from '../editor/Editor';

/** A canvas of n tasks: a group of n/10 chains of 10 tasks (rows of 10, like the bare page). */
export function benchCanvas(n: number): CanvasNode {
  // identity(i) starts each chain; add.s(i) / mul.s(i) then take the parent result: a valid canvas.
  const task = (i: number): CanvasNode => ({
    type: 'task',
    task: i % 10 === 0 ? 'identity' : i % 2 === 0 ? 'add' : 'mul',
    args: [i],
    kwargs: {},
    immutable: false,
    options: {},
    link: [],
    link_error: [],
  });
  const chains: CanvasNode[] = [];
  for (let r = 0; r * 10 < n; r++) {
    const steps: CanvasNode[] = [];
    for (let c = 0; c < 10 && r * 10 + c < n; c++) steps.push(task(r * 10 + c));
    chains.push({ type: 'chain', tasks: steps, link: [], link_error: [] });
  }
  return { type: 'group', tasks: chains, link: [], link_error: [] };
}

/** The editor with a generated canvas of `?n=` tasks, no autosave and no initial fit (zoom 1, like the bare page). */
export function BenchEditorPage() {
  const [n, setN] = useState<number | null>(null);
  useEffect(() => setN(Number(new URLSearchParams(window.location.search).get('n') ?? 1000)), []);
  if (n === null) return null;
  return <Editor initial={{ doc: { canvas: benchCanvas(n) }, name: `Bench ${n}` }} fitOnLoad={false} />;
}
