/** Structured logs (pino, JSON lines on stderr so stdout stays free for command output). */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(name: string, level = process.env.LOG_LEVEL || 'info'): Logger {
  return pino({ name, level }, pino.destination(2));
}
