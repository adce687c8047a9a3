import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

/**
 * A raw TCP client for feeding a proxy exact bytes and seeing exactly what comes back and
 * how the connection ends.
 */
export class RawClient {
  readonly socket: Socket;
  private received: Buffer[] = [];
  ended = false;
  closed = false;
  error: Error | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => this.received.push(c));
    socket.on('end', () => (this.ended = true));
    socket.on('close', () => (this.closed = true));
    socket.on('error', (e) => (this.error = e));
  }

  static async open(host: string, port: number): Promise<RawClient> {
    const s = connect({ host, port, allowHalfOpen: true });
    const c = new RawClient(s);
    await once(s, 'connect');
    return c;
  }

  write(bytes: Buffer | number[]): void {
    this.socket.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  }

  data(): Buffer {
    return Buffer.concat(this.received);
  }

  /** Waits until at least `n` bytes arrived (or the peer closed / timeout). */
  async waitBytes(n: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.data().length < n && !this.ended && !this.closed && Date.now() < deadline) await sleep(5);
    return this.data();
  }

  /** Waits until the server closed its side; returns how long that took (ms) or -1 on timeout. */
  async waitEnd(timeoutMs = 5000): Promise<number> {
    const t0 = Date.now();
    while (!this.ended && !this.closed && Date.now() - t0 < timeoutMs) await sleep(5);
    return this.ended || this.closed ? Date.now() - t0 : -1;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
