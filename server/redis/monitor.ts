/**
 * Whether the Redis a process depends on is answering, as one state with one log line per change
 * (not one per reconnection attempt) and sentences a user can act on instead of the client library's
 * internals. ioredis reconnects by itself; this only watches and explains.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log';

/** `connecting` until the first answer or failure, so a normal start logs nothing alarming. */
export type RedisState = 'connecting' | 'up' | 'down';

/** "Redis at redis://… is not answering; runs resume when it is back." */
export function redisDownSentence(url: string): string {
  return `Redis at ${redactUrl(url)} is not answering; runs resume when it is back.`;
}

/** The URL without its password, for logs and API answers. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

export class RedisMonitor {
  private current: RedisState;
  private readonly listeners = new Set<(state: RedisState) => void>();
  private waiters: Array<() => void> = [];
  private closed = false;
  /** Epoch ms of the last change. */
  since = Date.now();

  constructor(
    readonly redis: Redis,
    readonly url: string,
    private readonly log?: Logger,
  ) {
    this.current = redis.status === 'ready' ? 'up' : 'connecting';
    redis.on('ready', () => this.set('up'));
    // 'error' fires on every failed attempt; only the transition is logged.
    redis.on('error', () => {
      if (redis.status !== 'ready') this.set('down');
    });
    redis.on('close', () => this.set('down'));
    redis.on('end', () => this.set('down'));
  }

  get state(): RedisState {
    return this.current;
  }

  get up(): boolean {
    return this.current === 'up';
  }

  /** The user-facing sentence for the current state (undefined when Redis answers). */
  message(): string | undefined {
    return this.up ? undefined : redisDownSentence(this.url);
  }

  /** Resolves the next time Redis is up (at once if it is). */
  whenUp(): Promise<void> {
    if (this.up) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  onChange(listener: (state: RedisState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops watching (call before disconnecting on purpose, so a shutdown logs no outage). */
  close(): void {
    this.closed = true;
  }

  private set(state: RedisState): void {
    if (this.closed || state === this.current) return;
    const first = this.current === 'connecting';
    this.current = state;
    this.since = Date.now();
    if (state === 'up') {
      if (!first)
        this.log?.info({ redis: redactUrl(this.url) }, `Redis at ${redactUrl(this.url)} is answering again`);
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    } else {
      this.log?.warn({ redis: redactUrl(this.url) }, redisDownSentence(this.url));
    }
    for (const l of this.listeners) l(state);
  }
}

/** True for errors that mean "the connection to Redis is gone", whatever the client library calls them. */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /max retries per request|Connection is closed|ECONNREFUSED|ECONNRESET|Stream isn't writeable|enableOfflineQueue/i.test(
      err.message,
    )
  );
}
