/** Memory figures of a running process, for the benches. */
import { readFileSync } from 'node:fs';

/** Peak resident memory of a process (Linux: VmHWM), undefined elsewhere or once it has exited. */
export function peakRssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
  } catch {
    return undefined;
  }
}
