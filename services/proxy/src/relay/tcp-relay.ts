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
}

export interface RelayResult {
  error?: Error;
}

/** A running relay: its result, and its gates replaceable while it runs. */
export interface RelayHandle {
  done: Promise<RelayResult>;
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
  let relay: TcpRelay | undefined;
  const done = new Promise<RelayResult>((resolve) => {
    relay = new TcpRelay(client, target, counters, opts ?? NO_OPTIONS, resolve);
    relay.start();
  });
  const r = relay as unknown as TcpRelay;
  return { done, setGates: (up, down) => r.setGates(up, down) };
}

const NO_OPTIONS: RelayOptions = {};

/** The two pumps of one tunnel and their shared close / error handling (no closures per chunk). */
class TcpRelay {
  private readonly upPump: TcpPump;
  private readonly downPump: TcpPump;
  private firstError: Error | undefined;
  private closed = 0;

  constructor(
    private readonly client: Socket,
    private readonly target: Socket,
    counters: ByteCounters,
    opts: RelayOptions,
    private readonly resolve: (r: RelayResult) => void,
  ) {
    const tuning = opts.tuning ?? DEFAULT_PUMP_TUNING;
    this.upPump = new TcpPump(client, target, counters, true, opts.upGate, tuning);
    this.downPump = new TcpPump(target, client, counters, false, opts.downGate, tuning);
    client.on('error', this.onError);
    target.on('error', this.onError);
    // 'close' is emitted once; `on` avoids the wrapper and state object `once` keeps per socket.
    client.on('close', this.onClientClose);
    target.on('close', this.onTargetClose);
  }

  start(): void {
    this.upPump.start();
    this.downPump.start();
  }

  setGates(up: ByteGate | undefined, down: ByteGate | undefined): void {
    this.upPump.setGate(up);
    this.downPump.setGate(down);
  }

  private onError = (err: Error): void => {
    this.firstError ??= err;
    this.client.destroy();
    this.target.destroy();
  };

  // One socket closed abruptly (reset, destroy): the other cannot complete either.
  private onClientClose = (): void => {
    const t = this.target;
    if (!t.writableEnded || !t.readableEnded) t.destroy();
    this.onClose();
  };

  private onTargetClose = (): void => {
    const c = this.client;
    if (!c.writableEnded || !c.readableEnded) c.destroy();
    this.onClose();
  };

  private onClose(): void {
    if (++this.closed !== 2) return;
    this.upPump.stop();
    this.downPump.stop();
    this.resolve(this.firstError === undefined ? {} : { error: this.firstError });
  }
}
