import type { Socket } from 'node:net';
import type { ByteGate } from './byte-gate';
import { readIntoUserBuffer } from './user-read-buffer';

/** Byte counters shared between a relay and its session (read by metrics and the access log). */
export interface ByteCounters {
  up: number;
  down: number;
}

/** Why a pump is not reading its source (bits). */
const BACKPRESSURE = 1;
const GATED = 2;

/**
 * Tuning of the bulk path. A direction starts on plain 'data' events (nothing held while idle);
 * once it has carried `bulkAfterBytes` it switches to reading into one reused buffer of
 * `bulkBufferBytes` (no allocation or garbage per chunk, fewer and larger reads).
 */
export interface PumpTuning {
  /** 0 = never switch (pure 'data' event path). */
  bulkAfterBytes: number;
  bulkBufferBytes: number;
}

/**
 * On the bulk path a read that uses less than this leaves the direction with a buffer of this
 * size (a tunnel that went quiet after a transfer keeps 16 KiB, not the bulk buffer); a read
 * that fills it grows it back.
 */
const QUIET_BUFFER_BYTES = 16 * 1024;

/** The largest read of a gated direction (see bulkBytes). */
const GATED_READ_BYTES = 64 * 1024;

export const DEFAULT_PUMP_TUNING: PumpTuning = { bulkAfterBytes: 256 * 1024, bulkBufferBytes: 128 * 1024 };

/**
 * One direction of a TCP relay: reads `src`, writes `dst`, counts into `counters.up` or
 * `counters.down` (one addition per chunk). Reading stops while `dst` is over its high-water mark
 * (until 'drain') and while the optional gate asks for a pause; both must clear before reading
 * resumes. Bytes are never dropped or reordered: a pause only delays the next read.
 */
export class TcpPump {
  private blocked = 0;
  private gateTimer: NodeJS.Timeout | undefined;
  private relayed = 0;
  /** The reused read buffer once on the bulk path. */
  private buf: Buffer | undefined;
  /** Bytes read while paused on the bulk path, relayed first when the pause ends. */
  private held: Buffer | undefined;
  /** EOF arrived while bytes were held: pass the FIN on after them. */
  private endAfterHeld = false;
  private lastRead = 0;

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly counters: ByteCounters,
    private readonly up: boolean,
    private gate: ByteGate | undefined,
    private tuning: PumpTuning,
  ) {
    // The owner (TcpRelay) delivers src 'data' and 'end' and dst 'drain' to onData, onEnd and
    // onDrain, through listeners shared by all tunnels (no closures per pump).
  }

  /** True once this direction reads into a reused buffer. */
  get bulk(): boolean {
    return this.buf !== undefined;
  }

  /**
   * Bytes already read from the source before the relay started (a client's optimistic data or
   * the inspected first bytes): relayed and charged like a read, once the gate admits them;
   * `thenEnd`: the source had ended, pass the FIN on after them.
   */
  preload(bytes: Buffer, thenEnd: boolean): void {
    if (bytes.length > 0) this.held = this.held === undefined ? bytes : Buffer.concat([this.held, bytes]);
    if (thenEnd) this.endAfterHeld = true;
  }

  /**
   * Starts reading. A gated direction asks its gate first (consume(0)): a quota gate without a
   * whole chunk reserved (a session that joined when the grant was spent) keeps the direction
   * paused, so not even the first read happens before it may be charged.
   */
  start(): void {
    if (this.gate !== undefined && this.gateTimer === undefined) {
      const ms = this.gate.consume(0);
      if (ms > 0) {
        this.pauseFor(ms);
        return;
      }
    }
    if (this.blocked === 0 && this.flushHeld() && !this.src.destroyed) this.src.resume();
  }

  /**
   * Replaces the gate of an open direction (a limit that appeared or went at run time). A new
   * gate is charged from the next chunk on; removing the gate while it holds the direction
   * paused resumes reading at once. No byte is dropped or charged twice.
   */
  setGate(gate: ByteGate | undefined): void {
    if (gate === this.gate) return;
    this.gate = gate;
    if (gate === undefined && this.gateTimer !== undefined) {
      clearTimeout(this.gateTimer);
      this.gateTimer = undefined;
      this.unblock(GATED);
      return;
    }
    // A new gate may not be ready for the next chunk yet (a quota gate that has no grant to
    // reserve from): ask first, so no chunk is read before it may be charged.
    if (gate !== undefined && this.gateTimer === undefined) {
      const ms = gate.consume(0);
      if (ms > 0) this.pauseFor(ms);
    }
  }

  /** The relay is over: no timer may outlive it. */
  stop(): void {
    if (this.gateTimer !== undefined) {
      clearTimeout(this.gateTimer);
      this.gateTimer = undefined;
    }
  }

  /** 'data' on the source. */
  onData(chunk: Buffer): void {
    this.relay(chunk);
    // Switch only when nothing older waits in the Readable buffer (else try again next chunk).
    if (this.buf === undefined && this.tuning.bulkAfterBytes > 0 && this.relayed >= this.tuning.bulkAfterBytes && this.src.readableLength === 0) this.goBulk();
  }

  /** Reads on the bulk path (made when the direction switches; idle tunnels never pay for it). */
  private onChunk(nread: number, buf: Buffer): void {
    this.lastRead = nread;
    if (this.blocked !== 0) {
      // Node's Readable may restart reading on its own (e.g. a pending read-ahead from before
      // the switch). Keep these bytes, unrelayed and uncharged, until the pause is over.
      const copy = Buffer.from(buf.subarray(0, nread));
      this.held = this.held === undefined ? copy : Buffer.concat([this.held, copy]);
      this.src.pause();
      return;
    }
    this.relay(buf.subarray(0, nread));
  }

  /**
   * Next read buffer: the same one unless the last write still holds it (queued, not yet sent)
   * or the last read says another size fits better.
   */
  private nextBuffer(): Buffer {
    const buf = this.buf as Buffer;
    const size = buf.length;
    const bulk = this.bulkBytes();
    let want = size;
    if (size > bulk) want = bulk; // a gate arrived: read in gate-sized steps from now on
    else if (this.lastRead === size && size < bulk) want = bulk;
    else if (this.lastRead <= QUIET_BUFFER_BYTES / 2 && size > QUIET_BUFFER_BYTES) want = QUIET_BUFFER_BYTES;
    if (want === size && this.dst.writableLength === 0) return buf;
    return (this.buf = Buffer.allocUnsafeSlow(want));
  }

  private relay(chunk: Buffer): void {
    const n = chunk.length;
    this.relayed += n;
    if (this.up) this.counters.up += n;
    else this.counters.down += n;
    if (!this.dst.write(chunk)) this.block(BACKPRESSURE);
    if (this.gate !== undefined) {
      const ms = this.gate.consume(n);
      if (ms > 0) this.pauseFor(ms);
    }
  }

  /**
   * The bulk read size. A gated direction reads at most 64 KiB at a time, as on 'data' events:
   * quota grants are reserved a 64 KiB chunk ahead (one read must fit), and finer reads keep a
   * rate gate's accounting fine-grained (16 limited sessions reading 128 KiB each overshot a
   * 2 MB/s rate by ~7%).
   */
  private bulkBytes(): number {
    const bulk = this.tuning.bulkBufferBytes;
    return this.gate !== undefined && bulk > GATED_READ_BYTES ? GATED_READ_BYTES : bulk;
  }

  private goBulk(): void {
    const buf = Buffer.allocUnsafeSlow(this.bulkBytes());
    const onChunk = (nread: number, b: Buffer): void => this.onChunk(nread, b);
    const nextBuffer = (): Buffer => this.nextBuffer();
    if (!readIntoUserBuffer(this.src, buf, onChunk, nextBuffer)) {
      this.tuning = NO_BULK; // unsupported or not possible now: stay on 'data' events
      return;
    }
    this.buf = buf;
    // On 'data' events a paused socket keeps reading into its Readable buffer; with a user
    // buffer, pause() must stop the handle itself, so pause again now that it will.
    if (this.blocked !== 0) this.src.pause();
  }

  /** 'drain' on the destination. */
  onDrain(): void {
    this.unblock(BACKPRESSURE);
  }

  /** 'end' on the source. */
  onEnd(): void {
    if (this.held !== undefined) {
      this.endAfterHeld = true;
      return;
    }
    this.dst.end();
  }

  private pauseFor(ms: number): void {
    if (this.gateTimer !== undefined) clearTimeout(this.gateTimer);
    this.block(GATED);
    this.gateTimer = setTimeout(this.onGateTimer ??= () => this.gateTimerFired(), ms);
  }

  /** Made on the first gate pause only. */
  private onGateTimer: (() => void) | undefined;

  private gateTimerFired(): void {
    this.gateTimer = undefined;
    if (this.src.destroyed) return;
    const ms = this.gate === undefined ? 0 : this.gate.consume(0);
    if (ms > 0) {
      this.gateTimer = setTimeout(this.onGateTimer as () => void, ms);
      return;
    }
    this.unblock(GATED);
  }

  private block(why: number): void {
    if (this.blocked === 0) this.src.pause();
    this.blocked |= why;
  }

  private unblock(why: number): void {
    if ((this.blocked & why) === 0) return;
    this.blocked &= ~why;
    if (this.blocked !== 0) return;
    if (this.flushHeld() && !this.src.destroyed) this.src.resume();
  }

  /**
   * Relays held bytes, at most one gated read (64 KiB) at a time while gated (each step is
   * charged before the next, as reads are); passes a pending FIN on after them. True when
   * reading may resume, false when a pause or the end stopped it.
   */
  private flushHeld(): boolean {
    for (let held = this.held; held !== undefined; held = this.held) {
      const step = this.gate === undefined ? held.length : GATED_READ_BYTES;
      this.held = held.length > step ? held.subarray(step) : undefined;
      this.relay(held.length > step ? held.subarray(0, step) : held);
      if (this.held !== undefined && this.blocked !== 0) return false;
    }
    if (this.endAfterHeld) {
      this.endAfterHeld = false;
      this.dst.end(); // after the held bytes; nothing more will be read
      return false;
    }
    return this.blocked === 0;
  }
}

const NO_BULK: PumpTuning = { bulkAfterBytes: 0, bulkBufferBytes: 131072 };
