'use client';
import { useEffect, useState } from 'react';
import type { CanvasNode } from '@/lib/canvas/model';
import { Editor } from '../editor/Editor';
import { useStackView } from '../editor/stacks/stackView';
import { EditorSimulationPanel } from '../sim/EditorSimulationPanel';

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

/** A chord over n documents: `chord([add(i, 1) for i in range(n)], tsum())`, the fan-out drawn as one stack. */
export function benchChord(n: number): CanvasNode {
  const member = (i: number): CanvasNode => ({
    type: 'task',
    task: 'add',
    args: [i, 1],
    kwargs: {},
    immutable: false,
    options: {},
    link: [],
    link_error: [],
  });
  const body: CanvasNode = {
    type: 'task',
    task: 'tsum',
    args: [],
    kwargs: {},
    immutable: false,
    options: {},
    link: [],
    link_error: [],
  };
  return {
    type: 'chord',
    header: Array.from({ length: n }, (_, i) => member(i)),
    body,
    link: [],
    link_error: [],
  };
}

/**
 * The editor with a generated canvas of `?n=` tasks (`&shape=chord` for a chord fan-out), no autosave
 * and no initial fit (zoom 1, like the bare page).
 */
export function BenchEditorPage() {
  const [q, setQ] = useState<{ n: number; chord: boolean; sim: boolean } | null>(null);
  useEffect(() => {
    const p = new URLSearchParams(window.location.search);
    // `stacks=off` draws every member: the 1,000/2,000-node bars measure drawing that many nodes.
    useStackView.setState({ enabled: p.get('stacks') !== 'off' });
    setQ({ n: Number(p.get('n') ?? 1000), chord: p.get('shape') === 'chord', sim: p.get('sim') === 'on' });
  }, []);
  if (q === null) return null;
  const canvas = q.chord ? benchChord(q.n) : benchCanvas(q.n);
  // `sim=on` adds the simulation dock (the simulate + replay measurements).
  return (
    <Editor
      initial={{ doc: { canvas }, name: `Bench ${q.n}` }}
      fitOnLoad={false}
      {...(q.sim ? { dock: <EditorSimulationPanel /> } : {})}
    />
  );
}
