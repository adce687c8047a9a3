import type { Socket } from 'node:net';
import type { ByteGate } from './byte-gate';
import { pauseForGate, type GateState } from './gate-pause';

/** Byte counters shared between a relay and its session (read by metrics and the access log). */
export interface ByteCounters {
  up: number;
  down: number;
}

/**
 * Relays bytes both ways between a client and a target socket until both directions have
 * finished. Half-close is passed through (a FIN one way does not stop the other way).
 * Backpressure: a side is paused while the other cannot take more, so memory per session is
 * bounded by the sockets' high-water marks. Counting is two additions per chunk.
 *
 * Resolves once both sockets are closed; `error` is the first socket error seen, if any.
 */
export function relayTcp(client: Socket, target: Socket, counters: ByteCounters, gates?: { up?: ByteGate; down?: ByteGate }): Promise<{ error?: Error }> {
  // Optional limits (ByteGate): a direction without a gate takes the plain path below.
  const upGate = gates?.up;
  const downGate = gates?.down;
  const upState: GateState = { active: false };
  const downState: GateState = { active: false };
  return new Promise((resolve) => {
    let firstError: Error | undefined;
    let closed = 0;
    const onClose = (): void => {
      closed++;
      if (closed === 2) resolve(firstError === undefined ? {} : { error: firstError });
    };
    const onError = (err: Error): void => {
      firstError ??= err;
      client.destroy();
      target.destroy();
    };
    client.on('error', onError);
    target.on('error', onError);
    client.once('close', onClose);
    target.once('close', onClose);
    // One socket closed abruptly (reset, destroy): the other cannot complete either.
    client.once('close', () => {
      if (!target.writableEnded || !target.readableEnded) target.destroy();
    });
    target.once('close', () => {
      if (!client.writableEnded || !client.readableEnded) client.destroy();
    });

    client.on('data', (chunk: Buffer) => {
      counters.up += chunk.length;
      if (!target.write(chunk)) client.pause();
      if (upGate !== undefined) pauseForGate(upGate, upState, client, target, chunk.length);
    });
    target.on('data', (chunk: Buffer) => {
      counters.down += chunk.length;
      if (!client.write(chunk)) target.pause();
      if (downGate !== undefined) pauseForGate(downGate, downState, target, client, chunk.length);
    });
    target.on('drain', () => {
      if (!upState.active) client.resume();
    });
    client.on('drain', () => {
      if (!downState.active) target.resume();
    });
    client.on('end', () => target.end());
    target.on('end', () => client.end());
    client.resume();
    target.resume();
  });
}
