/**
 * Socket.IO on the web server's own HTTP server (same port as Next). engine.io handles `/socket.io/`
 * upgrades; `destroyUpgrade: false` keeps it from killing the other upgrades (Next's HMR socket), which
 * the web server's single upgrade dispatcher hands to Next.
 *
 * Rooms are local to this server: each server reads the run logs from Redis itself (RunFeed), so no
 * adapter broadcast is needed and any number of web servers can serve the same runs.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { RunEvent } from '@/lib/protocol/events';
import {
  type Ack,
  type ClientToServerEvents,
  describeInvalid,
  RUNS_ROOM,
  type RunSnapshot,
  runRoom,
  type ServerToClientEvents,
  subscribeRequestSchema,
  unsubscribeRequestSchema,
} from '@/lib/protocol/socketEvents';
import type { SecurityPolicy } from '../http/security/policy';
import { requireSocketToken, socketServerOptions } from '../http/security/socketGuard';
import type { RunEventLogReader, RunEventNotifier } from './eventSource';
import { RunFeed } from './runFeed';

export type LiveIo = Server<ClientToServerEvents, ServerToClientEvents>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

export interface LiveServerOptions {
  log: RunEventLogReader;
  notifier: RunEventNotifier;
  /** When set, every socket must send `auth: { token }` or `Authorization: Bearer` with this value. */
  apiToken?: string | undefined;
  /** Origins, token and subscription cap (server/http/security); default: `apiToken`, own origin only. */
  security?: SecurityPolicy;
  /**
   * Events in the subscribe's ack; the rest of the log follows as `run:event`s to that socket, `pageSize`
   * at a time with a yield between pages, so a big run's log never holds the web loop for long.
   */
  snapshotLimit?: number;
  pageSize?: number;
  pollMs?: number;
  onError?(err: unknown): void;
}

export interface LiveServer {
  io: LiveIo;
  feed: RunFeed;
  close(): Promise<void>;
}

/**
 * Resolves once the socket has handed everything queued so far to its transport and (websocket) the
 * transport wrote it, or the socket is gone: the next page waits for it, so pages never pile up in
 * engine.io's write buffer to be flushed in one long write. (A long-polling transport is "not writable"
 * whenever no poll is outstanding, so for it only the queue counts; engine.io keeps the queue in
 * `writeBuffer`, not in its typings.)
 */
async function drained(socket: LiveSocket): Promise<void> {
  const conn = socket.conn;
  const queued = () => (conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
  const busy = () => queued() > 0 || (conn.transport.name === 'websocket' && !conn.transport.writable);
  while (conn.readyState === 'open' && busy()) {
    const transport = conn.transport;
    await new Promise<void>((resolve) => {
      const done = () => {
        transport.off('drain', done);
        conn.off('drain', done);
        conn.off('close', done);
        conn.off('upgrade', done);
        // After the transport's own drain handlers (which flush the queue) have run.
        setImmediate(resolve);
      };
      transport.on('drain', done);
      conn.on('drain', done);
      conn.on('close', done);
      // A polling socket upgraded to websocket: the old transport may never drain; ask the new one.
      conn.on('upgrade', done);
    });
  }
  await new Promise<void>((resolve) => setImmediate(resolve));
}

export async function attachLiveServer(
  httpServer: HttpServer,
  options: LiveServerOptions,
): Promise<LiveServer> {
  const security: SecurityPolicy = options.security ?? {
    token: options.apiToken,
    corsOrigins: new Set(),
    maxSubscriptions: 100,
  };
  const io: LiveIo = new Server(httpServer, {
    path: '/socket.io/',
    destroyUpgrade: false,
    serveClient: false,
    // Several web servers without sticky sessions: long-polling would need them, websockets do not.
    transports: ['websocket', 'polling'],
    ...socketServerOptions(security),
  });
  const snapshotLimit = options.snapshotLimit ?? 500;
  const pageSize = options.pageSize ?? 250;

  const feed = new RunFeed({
    log: options.log,
    notifier: options.notifier,
    pollMs: options.pollMs ?? 1000,
    deliver(runId: string, events: RunEvent[]) {
      const room = io.local.to(runRoom(runId));
      for (const event of events) room.emit('run:event', event);
    },
    onRunsChanged(change) {
      io.local.to(RUNS_ROOM).emit('runs:changed', change);
    },
    ...(options.onError ? { onError: options.onError } : {}),
  });
  await feed.start();

  requireSocketToken(io, security);

  io.on('connection', (socket: LiveSocket) => {
    // One feed.watch per (socket, run); each unwatch waits for its watch, so counts never go wrong even
    // when the socket drops while a subscribe is still being served.
    const watching = new Map<string, Promise<unknown>>();
    const generations = new Map<string, number>();

    socket.on('run:subscribe', async (raw, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const parsed = subscribeRequestSchema.safeParse(raw);
      if (!parsed.success) {
        reply({ ok: false, error: describeInvalid('subscribe request', parsed.error) });
        return;
      }
      const { run_id: runId, after_seq: afterSeq = 0 } = parsed.data;
      // A socket watches only runs that exist (it passed the token check, so it may read every run),
      // and only so many at once: each watched run costs this server a Redis read per quiet poll period.
      if (!watching.has(runId) && watching.size >= security.maxSubscriptions) {
        reply({
          ok: false,
          error: `This socket already watches ${watching.size} runs (CHORDFLOW_MAX_SUBSCRIPTIONS); unsubscribe from one first.`,
        });
        return;
      }
      // A newer subscribe (a resync, a reconnect) or an unsubscribe ends this one's paging.
      const generation = (generations.get(runId) ?? 0) + 1;
      generations.set(runId, generation);
      const current = () => generations.get(runId) === generation && socket.connected;
      try {
        // Out of the room until this socket has every event up to the feed's cursor (below).
        await socket.leave(runRoom(runId));
        // An unknown run gets its empty snapshot (run: null) but is not watched: ids nobody created
        // cost no polling.
        const run = await options.log.getRun(runId);
        if (!watching.has(runId) && !run) {
          const empty: RunSnapshot = { run_id: runId, run: null, events: [], last_seq: afterSeq };
          (reply as (r: Ack<RunSnapshot>) => void)({ ok: true, data: empty });
          return;
        }
        let watched = watching.get(runId);
        if (!watched) {
          watched = feed.watch(runId).catch((err: unknown) => {
            // Not counted: forget it so the client's retry starts afresh.
            watching.delete(runId);
            throw err;
          });
          watching.set(runId, watched);
        }
        await watched;
        // The feed's cursor is set now: every event after it reaches the room. The ack carries the first
        // page; pages of `run:event`s (each read, decoded and sent between yields, so a 50,000-event log
        // never holds this loop) follow until this socket has reached the cursor, and only then does it
        // join the room (synchronously after that check, so no event falls between).
        const events = await options.log.readAfter(runId, afterSeq, snapshotLimit);
        let sent = events.length > 0 ? events[events.length - 1]!.seq : afterSeq;
        const snapshot: RunSnapshot = { run_id: runId, run, events, last_seq: sent };
        (reply as (r: Ack<RunSnapshot>) => void)({ ok: true, data: snapshot });
        for (;;) {
          if (!current()) return;
          if (sent >= (feed.cursorOf(runId) ?? 0)) {
            // The in-memory adapter joins synchronously (no adapter is configured: rooms are local).
            void socket.join(runRoom(runId));
            return;
          }
          await drained(socket);
          if (!current()) return;
          const page = await options.log.readAfter(runId, sent, pageSize);
          if (!current()) return;
          const before = sent;
          for (const event of page) {
            if (event.seq !== sent + 1) break;
            socket.emit('run:event', event);
            sent = event.seq;
          }
          // The log has no holes and the cursor never passes its end; should either not hold, stop paging.
          if (sent === before) sent = Math.max(sent, feed.cursorOf(runId) ?? 0);
        }
      } catch (err) {
        options.onError?.(err);
        reply({
          ok: false,
          error: `Could not read run ${runId} from Redis (${err instanceof Error ? err.message : 'unknown error'}); the client will retry.`,
        });
      }
    });

    socket.on('run:unsubscribe', async (raw, ack) => {
      const parsed = unsubscribeRequestSchema.safeParse(raw);
      if (!parsed.success) {
        ack?.({ ok: false, error: describeInvalid('unsubscribe request', parsed.error) });
        return;
      }
      const runId = parsed.data.run_id;
      generations.delete(runId);
      await socket.leave(runRoom(runId));
      const watched = watching.get(runId);
      if (watched) {
        watching.delete(runId);
        await watched.then(() => feed.unwatch(runId)).catch(() => {});
      }
      ack?.({ ok: true, data: null });
    });

    socket.on('runs:subscribe', async (ack) => {
      await socket.join(RUNS_ROOM);
      if (typeof ack === 'function') ack({ ok: true, data: null });
    });
    socket.on('runs:unsubscribe', () => {
      void socket.leave(RUNS_ROOM);
    });

    socket.on('disconnect', () => {
      for (const [runId, watched] of watching) void watched.then(() => feed.unwatch(runId)).catch(() => {});
      watching.clear();
    });
  });

  return {
    io,
    feed,
    async close() {
      await feed.stop();
      // Not io.close(): that also closes the HTTP server, which belongs to the web server.
      io.local.disconnectSockets(true);
      io.engine.close();
    },
  };
}
