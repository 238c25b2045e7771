'use client';
import { Editor } from './Editor';

/** The main editor route: autosaved to this browser. */
export function EditorPage() {
  return <Editor persist />;
}
