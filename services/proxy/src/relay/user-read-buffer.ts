import { Socket } from 'node:net';

/**
 * Reads of a connected net.Socket straight into a caller-owned buffer, as `net.connect({ onread })`
 * does, but switched on for a socket that already exists (an accepted client socket, or a dialed
 * one that turned out to carry bulk data). No Readable stream machinery, no buffer allocated per
 * read, no garbage per chunk.
 *
 * Node offers this only as a constructor option; sockets made by `net.Server` cannot take it.
 * This uses the same three per-socket fields that option fills (found by their symbol
 * descriptions) and the handle's `useUserBuffer`. When any of them is missing (another Node
 * version), `readIntoUserBuffer` returns false and the caller keeps using 'data' events: both
 * paths are covered by the relay's tests.
 *
 * Contract, as for `onread`: `onChunk(nread, buf)` runs for every read; bytes are
 * buf[0, nread). After each call `nextBuffer()` names the buffer for the next read (it may
 * return the same one when its bytes have been consumed). EOF still emits 'end';
 * `pause()` / `resume()` stop and start reading.
 */

type OnChunk = (nread: number, buf: Buffer) => void;
type NextBuffer = () => Buffer;

interface UserBufferHandle {
  useUserBuffer(buf: Uint8Array): void;
}

const symbols = (() => {
  const probe = new Socket();
  const own = Object.getOwnPropertySymbols(probe);
  const find = (d: string): symbol | undefined => own.find((s) => s.description === d);
  probe.destroy();
  const kBuffer = find('kBuffer');
  const kBufferCb = find('kBufferCb');
  const kBufferGen = find('kBufferGen');
  if (kBuffer === undefined || kBufferCb === undefined || kBufferGen === undefined) return undefined;
  return { kBuffer, kBufferCb, kBufferGen };
})();

/** Whether this Node.js has what `readIntoUserBuffer` needs. */
export const userReadBufferSupported = symbols !== undefined;

/**
 * Switches `socket` to read into `buf`. Call only while nothing is waiting in the socket's
 * Readable buffer (`readableLength === 0`), or those bytes would come out after newer ones.
 * Returns false (and changes nothing) when unsupported or the socket has no open handle.
 */
export function readIntoUserBuffer(socket: Socket, buf: Buffer, onChunk: OnChunk, nextBuffer: NextBuffer): boolean {
  if (symbols === undefined || socket.destroyed || socket.readableLength !== 0) return false;
  const handle = (socket as unknown as { _handle?: Partial<UserBufferHandle> | null })._handle;
  if (handle === null || handle === undefined || typeof handle.useUserBuffer !== 'function') return false;
  const s = socket as unknown as Record<symbol, unknown>;
  s[symbols.kBuffer] = buf;
  s[symbols.kBufferCb] = onChunk;
  s[symbols.kBufferGen] = nextBuffer;
  handle.useUserBuffer(buf);
  return true;
}
