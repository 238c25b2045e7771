/** A run's status as a coloured pill (director statuses and run-report statuses alike). */
import styles from './run.module.css';

const COLORS: Record<string, string> = {
  pending: '#8a93a6',
  progress: '#3b7ddd',
  success: '#2f9e5c',
  error: '#d3453c',
  failure: '#d3453c',
  canceled: '#6d6d6d',
};

export function RunStatusBadge({ status }: { status: string }) {
  return (
    <span
      className={styles.badge}
      style={{ background: COLORS[status] ?? '#8a93a6' }}
      data-testid="run-status"
      data-status={status}
    >
      {status}
    </span>
  );
}
