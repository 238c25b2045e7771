/**
 * A Socket.IO client for one live run: subscribes, applies the snapshot, then ordered `run:event`s,
 * resubscribing from its last applied `seq` after every reconnect or detected gap. Works in the browser
 * and in Node (tests, the latency benchmark).
 */
import { io, type Socket } from 'socket.io-client';
import type { RunEvent } from '@/lib/protocol/events';
import type {
  ClientToServerEvents,
  LiveRunSummary,
  RunSnapshot,
  ServerToClientEvents,
} from '@/lib/protocol/socketEvents';
import { beginSync, initialSequencer, onLiveEvent, onSnapshot, type SequencerState } from './liveSequencer';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface LiveRunHandlers {
  /** Events in `seq` order, each exactly once. */
  onEvents(events: RunEvent[]): void;
  onRun?(run: LiveRunSummary | null): void;
  onStatus?(status: 'connecting' | 'live' | 'offline', detail?: string): void;
}

export interface LiveRunClientOptions {
  url?: string;
  token?: string;
  /** Resume after this seq (events up to it were already applied elsewhere). */
  afterSeq?: number;
  /** Reuse an existing socket (several runs over one connection). */
  socket?: LiveSocket;
}

export function connectLiveSocket(url: string | undefined, token?: string): LiveSocket {
  const options = {
    transports: ['websocket'],
    reconnectionDelay: 250,
    reconnectionDelayMax: 2000,
    ...(token ? { auth: { token } } : {}),
  };
  const socket: LiveSocket = url ? io(url, options) : io(options);
  // Socket.IO reconnects by itself after a lost transport, but not after the server closed the socket
  // (a restart or shutdown says "io server disconnect"): a live view would stay offline for good.
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), options.reconnectionDelayMax);
  });
  return socket;
}

export class LiveRunClient {
  readonly socket: LiveSocket;
  private state: SequencerState;
  private closed = false;
  private readonly ownsSocket: boolean;
  /** Number of subscribes sent (first one, reconnects, gap repairs); tests read it. */
  subscribes = 0;

  constructor(
    readonly runId: string,
    private readonly handlers: LiveRunHandlers,
    options: LiveRunClientOptions = {},
  ) {
    this.state = initialSequencer(options.afterSeq ?? 0);
    this.ownsSocket = !options.socket;
    this.socket = options.socket ?? connectLiveSocket(options.url, options.token);
    this.socket.on('run:event', this.onEvent);
    this.socket.on('connect', this.onConnect);
    this.socket.on('disconnect', this.onDisconnect);
    this.socket.on('connect_error', this.onConnectError);
    handlers.onStatus?.('connecting');
    if (this.socket.connected) this.subscribe();
  }

  get lastSeq(): number {
    return this.state.lastSeq;
  }

  private readonly onConnect = () => this.subscribe();
  private readonly onDisconnect = (reason: string) => this.handlers.onStatus?.('offline', reason);
  private readonly onConnectError = (err: Error) =>
    this.handlers.onStatus?.(
      'offline',
      err.message === 'unauthorized' ? 'The API token was refused.' : err.message,
    );

  private readonly onEvent = (event: RunEvent) => {
    if (this.closed || event.run_id !== this.runId) return;
    const step = onLiveEvent(this.state, event);
    this.state = step.state;
    if (step.apply.length > 0) this.handlers.onEvents(step.apply);
    if (step.resync) this.subscribe();
  };

  /**
   * Asks for a fresh snapshot from the last applied seq. A quiet view calls it: over a socket that stayed
   * up, it is how the view learns that the run vanished (Redis restarted empty, retention) or missed events.
   */
  resync(): void {
    if (this.socket.connected) this.subscribe();
  }

  private subscribe(): void {
    if (this.closed) return;
    this.state = beginSync(this.state);
    this.subscribes += 1;
    const afterSeq = this.state.lastSeq;
    this.socket.emit('run:subscribe', { run_id: this.runId, after_seq: afterSeq }, (reply) => {
      if (this.closed) return;
      if (!reply.ok) {
        this.handlers.onStatus?.('offline', reply.error);
        return;
      }
      this.applySnapshot(reply.data);
    });
  }

  private applySnapshot(snapshot: RunSnapshot): void {
    this.handlers.onRun?.(snapshot.run);
    const step = onSnapshot(this.state, snapshot.events);
    this.state = step.state;
    if (step.apply.length > 0) this.handlers.onEvents(step.apply);
    this.handlers.onStatus?.('live');
    if (step.resync) this.subscribe();
  }

  close(): void {
    this.closed = true;
    this.socket.off('run:event', this.onEvent);
    this.socket.off('connect', this.onConnect);
    this.socket.off('disconnect', this.onDisconnect);
    this.socket.off('connect_error', this.onConnectError);
    if (this.ownsSocket) this.socket.disconnect();
    else if (this.socket.connected) this.socket.emit('run:unsubscribe', { run_id: this.runId });
  }
}
