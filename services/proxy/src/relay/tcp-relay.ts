import type { Socket } from 'node:net';
import type { ByteGate } from './byte-gate';
import { DEFAULT_PUMP_TUNING, TcpPump, type ByteCounters, type PumpTuning } from './tcp-pump';

export type { ByteCounters } from './tcp-pump';

export interface RelayOptions {
  /** Limits client -> target bytes (rate share, quota grant). None = no per-chunk cost. */
  upGate?: ByteGate;
  /** Limits target -> client bytes. */
  downGate?: ByteGate;
  /** Bulk-path tuning (tests; production uses the default). */
  tuning?: PumpTuning;
  /**
   * Bytes already read from the client (optimistic data, inspected first bytes): relayed to the
   * target first, counted and charged to `upGate` like any read, once the gate admits them.
   */
  first?: Buffer;
  /** The client had already ended (FIN): end the target after `first`. */
  clientEnded?: boolean;
}

export interface RelayResult {
  error?: Error;
}

/** Told once when a relay is over (an object, so a session needs no closure for it). */
export interface RelayDoneListener {
  relayDone(result: RelayResult): void;
}

/** A running relay: its result, and its gates replaceable while it runs. */
export interface RelayHandle {
  /** The result as a promise (made on first use). */
  readonly done: Promise<RelayResult>;
  /** The result as a call to `listener` (no promise kept per tunnel); one listener. */
  whenDone(listener: RelayDoneListener): void;
  /** Replaces both directions' gates in place (undefined = ungated; a paused direction resumes). */
  setGates(upGate: ByteGate | undefined, downGate: ByteGate | undefined): void;
}

/**
 * Relays bytes both ways between a client and a target socket until both directions have
 * finished. Half-close is passed through (a FIN one way does not stop the other way).
 * Backpressure: a side is paused while the other cannot take more, so memory per session is
 * bounded by the sockets' high-water marks (and one reused read buffer per busy direction).
 * Counting is one addition per chunk into `counters`; a direction with a gate also calls
 * `gate.consume(n)` per chunk and stops reading for as long as the gate says.
 *
 * Resolves once both sockets are closed; `error` is the first socket error seen, if any.
 */
export function relayTcp(client: Socket, target: Socket, counters: ByteCounters, opts?: RelayOptions): Promise<RelayResult> {
  return startRelayTcp(client, target, counters, opts).done;
}

/** relayTcp, with a handle to change the gates of the running relay (limits added at run time). */
export function startRelayTcp(client: Socket, target: Socket, counters: ByteCounters, opts?: RelayOptions): RelayHandle {
  const relay = new TcpRelay(client, target, counters, opts ?? NO_OPTIONS);
  relay.start();
  return relay;
}

const NO_OPTIONS: RelayOptions = {};

/**
 * Both sockets of a tunnel point at its relay, so the socket listeners are module functions
 * shared by all tunnels (EventEmitter calls them with the socket as `this`), not closures held
 * for the life of every tunnel. One property per socket: the pumps are found through the relay.
 */
const kRelay = Symbol('sockscale.relay');
type RelaySocket = Socket & { [kRelay]?: TcpRelay };

function onRelayError(this: RelaySocket, err: Error): void {
  this[kRelay]?.onError(err);
}

function onRelayClose(this: RelaySocket): void {
  this[kRelay]?.onSocketClose(this);
}

function onRelayData(this: RelaySocket, chunk: Buffer): void {
  this[kRelay]?.readerOf(this).onData(chunk);
}

function onRelayEnd(this: RelaySocket): void {
  this[kRelay]?.readerOf(this).onEnd();
}

function onRelayDrain(this: RelaySocket): void {
  this[kRelay]?.writerOf(this).onDrain();
}

/** The two pumps of one tunnel and their shared close / error handling (no closures per chunk or per tunnel). */
class TcpRelay implements RelayHandle {
  private readonly upPump: TcpPump;
  private readonly downPump: TcpPump;
  private firstError: Error | undefined;
  private closed = 0;
  private result: RelayResult | undefined;
  private listener: RelayDoneListener | undefined;
  private donePromise: Promise<RelayResult> | undefined;
  private resolveDone: ((r: RelayResult) => void) | undefined;

  constructor(
    private readonly client: Socket,
    private readonly target: Socket,
    counters: ByteCounters,
    opts: RelayOptions,
  ) {
    const tuning = opts.tuning ?? DEFAULT_PUMP_TUNING;
    this.upPump = new TcpPump(client, target, counters, true, opts.upGate, tuning);
    this.downPump = new TcpPump(target, client, counters, false, opts.downGate, tuning);
    if (opts.first !== undefined || opts.clientEnded === true) this.upPump.preload(opts.first ?? Buffer.alloc(0), opts.clientEnded === true);
    (client as RelaySocket)[kRelay] = this;
    (target as RelaySocket)[kRelay] = this;
    for (const s of [client, target]) {
      s.on('data', onRelayData);
      s.on('end', onRelayEnd);
      s.on('drain', onRelayDrain);
      s.on('error', onRelayError);
      // 'close' is emitted once; `on` avoids the wrapper and state object `once` keeps per socket.
      s.on('close', onRelayClose);
    }
  }

  get done(): Promise<RelayResult> {
    if (this.donePromise === undefined) {
      const result = this.result;
      this.donePromise = result !== undefined ? Promise.resolve(result) : new Promise<RelayResult>((r) => (this.resolveDone = r));
    }
    return this.donePromise;
  }

  whenDone(listener: RelayDoneListener): void {
    if (this.result !== undefined) listener.relayDone(this.result);
    else this.listener = listener;
  }

  /** The pump that reads `socket`. */
  readerOf(socket: Socket): TcpPump {
    return socket === this.client ? this.upPump : this.downPump;
  }

  /** The pump that writes to `socket`. */
  writerOf(socket: Socket): TcpPump {
    return socket === this.client ? this.downPump : this.upPump;
  }

  start(): void {
    this.upPump.start();
    this.downPump.start();
  }

  setGates(up: ByteGate | undefined, down: ByteGate | undefined): void {
    this.upPump.setGate(up);
    this.downPump.setGate(down);
  }

  /** @internal an 'error' on either socket (through onRelayError). */
  onError(err: Error): void {
    this.firstError ??= err;
    this.client.destroy();
    this.target.destroy();
  }

  /**
   * @internal 'close' of either socket (through onRelayClose). One socket closed abruptly
   * (reset, destroy): the other cannot complete either.
   */
  onSocketClose(socket: Socket): void {
    const other = socket === this.client ? this.target : this.client;
    if (!other.writableEnded || !other.readableEnded) other.destroy();
    this.onClose();
  }

  private onClose(): void {
    if (++this.closed !== 2) return;
    this.upPump.stop();
    this.downPump.stop();
    const result: RelayResult = this.firstError === undefined ? {} : { error: this.firstError };
    this.result = result;
    this.resolveDone?.(result);
    this.listener?.relayDone(result);
    this.listener = undefined;
  }
}
