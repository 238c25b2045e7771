'use client';
import { useEffect } from 'react';

/** The editor's theme choice (localStorage `chordflow.theme`) applied on the run pages too. */
export function useStoredTheme(): void {
  useEffect(() => {
    try {
      const theme = window.localStorage.getItem('chordflow.theme');
      if (theme === 'dark' || theme === 'light') document.documentElement.dataset.theme = theme;
      else if (window.matchMedia?.('(prefers-color-scheme: dark)').matches)
        document.documentElement.dataset.theme = 'dark';
    } catch {
      // Storage disabled: keep the default theme.
    }
  }, []);
}
