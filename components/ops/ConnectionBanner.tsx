'use client';
/**
 * The connection banner of every live view: socket lost, server or Redis away, no workers, tasks waiting
 * on a queue nobody consumes, no progress. It clears itself when things recover (health is re-polled
 * every second while anything is wrong).
 */
import type { RunEvent } from '@/lib/protocol/events';
import { clusterAttention } from './clusterAttention';
import styles from './ops.module.css';
import { useClusterHealth } from './useClusterHealth';

export function ConnectionBanner(props: {
  socket?: 'connecting' | 'live' | 'offline';
  events?: readonly RunEvent[];
  runId?: string;
}) {
  const { health, error } = useClusterHealth();
  const notes = clusterAttention({
    ...(props.socket ? { socket: props.socket } : {}),
    health,
    ...(error !== undefined ? { healthError: error } : {}),
    ...(props.events ? { events: props.events } : {}),
    ...(props.runId ? { runId: props.runId } : {}),
  });
  if (notes.length === 0) return null;
  return (
    <div className={styles.banner} role="status" data-testid="connection-banner">
      {notes.map((n) => (
        <div key={n.kind + n.text} data-kind={n.kind}>
          {n.text}
        </div>
      ))}
    </div>
  );
}
