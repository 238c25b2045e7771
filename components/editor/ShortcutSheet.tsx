'use client';
import { useActions, useEditor } from './EditorProvider';

export const SHORTCUTS: Array<[string, string]> = [
  ['Ctrl/⌘ Z', 'Undo'],
  ['Ctrl/⌘ Shift Z  ·  Ctrl Y', 'Redo'],
  ['Delete / Backspace', 'Delete the selection (neighbours are reconnected)'],
  ['Ctrl/⌘ C · X · V', 'Copy · cut · paste'],
  ['Ctrl/⌘ D', 'Duplicate'],
  ['Ctrl/⌘ A', 'Select all'],
  ['Ctrl/⌘ G', 'Wrap the selection in a group'],
  ['Ctrl/⌘ Shift K', 'Wrap the selection in a chord (header + receiver)'],
  ['Ctrl/⌘ Shift L', 'Wrap the selection in a chain'],
  ['Ctrl/⌘ Shift G', 'Unwrap the selected container'],
  ['Alt ↑ / Alt ↓', 'Move a group/header member earlier/later'],
  ['Shift U / Shift D', 'Select upstream / downstream'],
  ['Shift T', 'Tidy: back to the structural layout (selection, or everything)'],
  ['Shift Alt T', 'Auto-layout with ELK in a worker (selection, or everything)'],
  ['F / 1', 'Fit view'],
  ['/', 'Search the palette'],
  ['Tab, Enter, arrows', 'Focus, select and move nodes (React Flow a11y)'],
  ['Shift-drag', 'Box-select'],
  ['?', 'This sheet'],
  ['Esc', 'Clear selection / close'],
];

export function ShortcutSheet() {
  const open = useEditor((s) => s.ui.shortcutsOpen);
  const actions = useActions();
  if (!open) return null;
  return (
    <div className="cf-modal-backdrop" onClick={() => actions.setShortcutsOpen(false)}>
      <div
        className="cf-modal"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        data-testid="shortcut-sheet"
        onClick={(e) => e.stopPropagation()}
      >
        <header className="cf-modal-head">
          <h2>Keyboard shortcuts</h2>
          <button
            type="button"
            className="cf-btn is-ghost"
            onClick={() => actions.setShortcutsOpen(false)}
            aria-label="Close"
          >
            ✕
          </button>
        </header>
        <table className="cf-shortcuts">
          <tbody>
            {SHORTCUTS.map(([k, v]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
