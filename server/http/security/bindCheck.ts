/**
 * `serve` on a non-loopback address without a token would hand every run and payload to the network:
 * refused unless the person says `--insecure` (then logged loudly).
 */
import { isIP } from 'node:net';

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** A sentence why `serve` must not listen on `host`, or null when it may. */
export function bindRefusal(host: string, token: string | undefined, insecure: boolean): string | null {
  if (isLoopbackHost(host) || token !== undefined || insecure) return null;
  return `refusing to listen on ${host} without CHORDFLOW_API_TOKEN: anyone who can reach it could run, cancel and read every workflow. Set CHORDFLOW_API_TOKEN, listen on 127.0.0.1, or pass --insecure if this network is trusted.`;
}
