'use client';
/** A small modal dialog (confirmations, the payload editor). Escape or the backdrop closes it. */
import { type ReactNode, useEffect } from 'react';
import styles from './run.module.css';

export interface DialogProps {
  title: string;
  children: ReactNode;
  onClose(): void;
  actions: ReactNode;
  testId?: string;
}

export function Dialog({ title, children, onClose, actions, testId }: DialogProps) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div
      className={styles.dialogBackdrop}
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className={styles.dialog} role="dialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <h2>{title}</h2>
        {children}
        <div className={styles.row} style={{ justifyContent: 'flex-end' }}>
          {actions}
        </div>
      </div>
    </div>
  );
}
