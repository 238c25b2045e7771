'use client';
import { EditorLiveRun } from '../run/EditorLiveRun';
import { EditorSimulationPanel } from '../sim/EditorSimulationPanel';
import { Editor } from './Editor';

/** The main editor route: autosaved to this browser, with the simulation dock and the Run button plugged in. */
export function EditorPage() {
  return <Editor persist dock={<EditorSimulationPanel />} toolbarExtra={<EditorLiveRun />} />;
}
