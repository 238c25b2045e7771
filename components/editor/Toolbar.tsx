'use client';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { useActions, useEditor, useEditorStore } from './EditorProvider';
import { InputButton } from './InputDialog';
import { useElkLayout } from './layout/useElkLayout';

export function Toolbar({ onFit, extra }: { onFit: () => void; extra?: ReactNode }) {
  const store = useEditorStore();
  const actions = useActions();
  const theme = useEditor((s) => s.ui.theme);
  const docName = useEditor((s) => s.ui.docName);
  const selected = useEditor((s) => s.selection.ids.length);
  const elk = useElkLayout();
  const canUndo = useStore(store.temporal, (t) => t.pastStates.length > 0);
  const canRedo = useStore(store.temporal, (t) => t.futureStates.length > 0);
  return (
    <header className="cf-toolbar" role="toolbar" aria-label="Editor toolbar">
      <div className="cf-brand">
        <span className="cf-logo" aria-hidden>
          ⋔
        </span>
        <span>Chordflow</span>
        <span className="cf-docname" data-testid="doc-title">
          {docName}
        </span>
      </div>
      <div className="cf-toolbar-group">
        <button
          type="button"
          className="cf-btn is-ghost"
          data-testid="undo"
          disabled={!canUndo}
          onClick={actions.undo}
          title="Undo (Ctrl+Z)"
          aria-label="Undo"
        >
          ↶
        </button>
        <button
          type="button"
          className="cf-btn is-ghost"
          data-testid="redo"
          disabled={!canRedo}
          onClick={actions.redo}
          title="Redo (Ctrl+Shift+Z)"
          aria-label="Redo"
        >
          ↷
        </button>
        <span className="cf-sep" />
        <button
          type="button"
          className="cf-btn is-ghost"
          disabled={selected === 0}
          onClick={() => actions.wrapSelection('group')}
          title="Wrap in group (Ctrl+G)"
        >
          Group
        </button>
        <button
          type="button"
          className="cf-btn is-ghost"
          disabled={selected === 0}
          onClick={() => actions.wrapSelection('chord')}
          title="Wrap in chord (Ctrl+Shift+K)"
        >
          Chord
        </button>
        <button
          type="button"
          className="cf-btn is-ghost"
          disabled={selected === 0}
          onClick={() => actions.wrapSelection('chain')}
          title="Wrap in chain (Ctrl+Shift+L)"
        >
          Chain
        </button>
        <button
          type="button"
          className="cf-btn is-ghost"
          disabled={selected !== 1}
          onClick={actions.unwrapSelection}
          title="Unwrap (Ctrl+Shift+G)"
        >
          Unwrap
        </button>
        <button
          type="button"
          className="cf-btn is-ghost"
          disabled={selected === 0}
          onClick={actions.deleteSelection}
          title="Delete (Del)"
        >
          Delete
        </button>
        <span className="cf-sep" />
        <button
          type="button"
          className="cf-btn is-ghost"
          data-testid="tidy"
          onClick={() => actions.tidy(store.getState().selection.ids)}
          title="Tidy layout (Shift+T)"
        >
          Tidy
        </button>
        <button
          type="button"
          className="cf-btn is-ghost"
          data-testid="elk-layout"
          onClick={() => void elk()}
          title="Auto-layout with ELK, in a worker (Shift+Alt+T); the selection only when something is selected"
        >
          Auto-layout
        </button>
        <button type="button" className="cf-btn is-ghost" onClick={onFit} title="Fit view (F)">
          Fit
        </button>
      </div>
      <div className="cf-toolbar-group">
        <InputButton />
        {extra}
        <button
          type="button"
          className="cf-btn is-ghost"
          data-testid="theme-toggle"
          aria-label={theme === 'dark' ? 'Switch to light mode' : 'Switch to dark mode'}
          onClick={() => actions.setTheme(theme === 'dark' ? 'light' : 'dark')}
        >
          {theme === 'dark' ? '☀' : '☾'}
        </button>
        <button
          type="button"
          className="cf-btn is-ghost"
          data-testid="shortcuts-button"
          aria-label="Keyboard shortcuts"
          onClick={() => actions.setShortcutsOpen(true)}
        >
          ?
        </button>
      </div>
    </header>
  );
}
