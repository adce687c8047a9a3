import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ByteGate } from './byte-gate';
import { relayTcp, startRelayTcp, type RelayOptions } from './tcp-relay';
import type { PumpTuning } from './tcp-pump';
import { userReadBufferSupported } from './user-read-buffer';

/** Two connected loopback sockets: [the side we keep, the side the relay gets]. */
async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer({ allowHalfOpen: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const a = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
  await once(a, 'connect');
  const [b] = await accepted;
  server.close();
  return [a, b];
}

/**
 * user <-> [client | relay | target] <-> destination, all real sockets on loopback.
 * The relay gets `client` (as accepted by a proxy) and `target` (as dialed by it).
 */
async function tunnel(opts?: RelayOptions) {
  const [user, client] = await socketPair();
  const [target, destination] = await socketPair();
  client.pause();
  const counters = { up: 0, down: 0 };
  const done = relayTcp(client, target, counters, opts);
  return { user, client, target, destination, counters, done };
}

function collect(s: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (c: Buffer) => parts.push(c));
  return once(s, 'end').then(() => Buffer.concat(parts));
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A gate that pauses for `pauseMs` every time `every` bytes have passed; records every call. */
class StepGate implements ByteGate {
  total = 0;
  calls = 0;
  pauses = 0;
  private since = 0;
  /** Bytes charged while a pause was in force (must stay 0: no reads while paused). */
  chargedWhilePaused = 0;
  private pausedUntil = 0;
  constructor(
    private readonly every: number,
    private readonly pauseMs: number,
  ) {}
  consume(n: number): number {
    this.calls++;
    if (n > 0 && Date.now() < this.pausedUntil - 1) this.chargedWhilePaused += n;
    this.total += n;
    this.since += n;
    if (this.since >= this.every) {
      this.since = 0;
      this.pauses++;
      this.pausedUntil = Date.now() + this.pauseMs;
      return this.pauseMs;
    }
    return 0;
  }
}

const MODES: [string, PumpTuning | undefined][] = [
  ['default tuning', undefined],
  ['data events only', { bulkAfterBytes: 0, bulkBufferBytes: 0 }],
  ['bulk buffer from the first KiB', { bulkAfterBytes: 1024, bulkBufferBytes: 16 * 1024 }],
];

describe('relayTcp bulk path', () => {
  it('bytes read while paused (Node restarted reading on its own) are held, then relayed before the FIN', async () => {
    let pauses = 0;
    const gate: ByteGate = {
      consume(n) {
        return n > 0 && pauses++ === 0 ? 60 : 0; // one pause, after the first chunk
      },
    };
    const t = await tunnel({ tuning: { bulkAfterBytes: 1024, bulkBufferBytes: 16 * 1024 }, upGate: gate });
    const got = collect(t.destination);
    const first = randomBytes(2048);
    t.user.write(first);
    await new Promise((r) => setTimeout(r, 20)); // relayed, switched to the user buffer, gated
    assert.equal(t.counters.up, first.length);
    // What Node's Readable may do behind our back: start reading although we paused.
    (t.client as unknown as { _handle: { readStart(): number } })._handle.readStart();
    const second = randomBytes(500);
    t.user.end(second);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(t.counters.up, first.length, 'bytes were relayed (or charged) during the pause');
    assert.equal(sha(await got), sha(Buffer.concat([first, second])));
    t.destination.end();
    t.user.resume();
    await t.done;
    assert.equal(t.counters.up, first.length + second.length);
  });
});

describe('relayTcp', () => {
  const open: Socket[] = [];
  after(() => {
    for (const s of open) s.destroy();
  });

  it('reports whether the reused read buffer is available on this Node.js', () => {
    // Node 20 has it; if a future Node drops it the relay falls back to 'data' events, and the
    // tests below still run both ways.
    assert.equal(userReadBufferSupported, true);
  });

  for (const [name, tuning] of MODES) {
    describe(name, () => {
      it('relays both directions exactly, passes half-close, counts bytes exactly', async () => {
        const t = await tunnel({ tuning });
        open.push(t.user, t.destination);
        const up = randomBytes(3 * 1024 * 1024 + 17);
        const down = randomBytes(2 * 1024 * 1024 + 5);
        const gotUp = collect(t.destination);
        const gotDown = collect(t.user);
        t.user.end(up); // half-close: the user stops sending but still reads
        const upBytes = await gotUp;
        assert.equal(sha(upBytes), sha(up));
        // After the user's FIN the other direction still works.
        t.destination.end(down);
        const downBytes = await gotDown;
        assert.equal(sha(downBytes), sha(down));
        const r = await t.done;
        assert.equal(r.error, undefined);
        assert.deepEqual(t.counters, { up: up.length, down: down.length });
      });

      it('stops reading while the receiver does not read (backpressure), then delivers everything', async () => {
        const t = await tunnel({ tuning });
        open.push(t.user, t.destination);
        t.destination.pause();
        const total = 64 * 1024 * 1024;
        const block = randomBytes(256 * 1024);
        let written = 0;
        const writeMore = (): void => {
          while (written < total) {
            written += block.length;
            if (!t.user.write(block)) return;
          }
          t.user.end();
        };
        t.user.on('drain', writeMore);
        writeMore();
        await new Promise((r) => setTimeout(r, 300));
        // Kernel buffers on both hops hold some; the relay must not have swallowed it all.
        assert.ok(t.counters.up < total / 2, `relay read ${t.counters.up} of ${total} bytes while the receiver was paused`);
        const h = createHash('sha256');
        let got = 0;
        t.destination.on('data', (c: Buffer) => {
          got += c.length;
          h.update(c);
        });
        t.destination.resume();
        await once(t.destination, 'end');
        assert.equal(got, total);
        const expect = createHash('sha256');
        for (let i = 0; i < total / block.length; i++) expect.update(block);
        assert.equal(h.digest('hex'), expect.digest('hex'));
        t.destination.end();
        await t.done;
        assert.equal(t.counters.up, total);
      });

      it('honours a gate per direction: pauses reading, loses no byte, charges exactly what it relayed', async () => {
        const upGate = new StepGate(256 * 1024, 40);
        const downGate = new StepGate(64 * 1024, 25);
        const t = await tunnel({ tuning, upGate, downGate });
        open.push(t.user, t.destination);
        const up = randomBytes(1024 * 1024 + 3);
        const down = randomBytes(512 * 1024 + 1);
        const gotUp = collect(t.destination);
        const gotDown = collect(t.user);
        const t0 = Date.now();
        t.user.end(up);
        t.destination.end(down);
        const [u, d] = await Promise.all([gotUp, gotDown]);
        const ms = Date.now() - t0;
        assert.equal(sha(u), sha(up));
        assert.equal(sha(d), sha(down));
        await t.done;
        assert.deepEqual(t.counters, { up: up.length, down: down.length });
        assert.equal(upGate.total, up.length);
        assert.equal(downGate.total, down.length);
        assert.equal(upGate.chargedWhilePaused, 0, 'read while the up gate said pause');
        assert.equal(downGate.chargedWhilePaused, 0, 'read while the down gate said pause');
        // A chunk can be larger than a step, so count pauses loosely: several, each honoured.
        assert.ok(upGate.pauses >= 2, `up gate paused ${upGate.pauses} times`);
        assert.ok(downGate.pauses >= 2, `down gate paused ${downGate.pauses} times`);
        // The last pause may follow the last chunk, so it need not delay delivery.
        const minMs = Math.max((upGate.pauses - 1) * 40, (downGate.pauses - 1) * 25) - 10;
        assert.ok(ms >= minMs, `transfer took ${ms} ms despite pauses worth ${minMs} ms`);
      });

      it('re-asks a gate with consume(0) until it allows reading again', async () => {
        let denials = 3;
        const asked: number[] = [];
        const gate: ByteGate = {
          consume(n) {
            asked.push(n);
            if (n > 0) return 10; // pause after every chunk ...
            return denials-- > 0 ? 10 : 0; // ... and say "not yet" three times
          },
        };
        const t = await tunnel({ tuning, upGate: gate });
        open.push(t.user, t.destination);
        const got = collect(t.destination);
        const data = randomBytes(1000);
        t.user.write(data.subarray(0, 400));
        await new Promise((r) => setTimeout(r, 5));
        t.user.end(data.subarray(400)); // read only after the pause is over
        assert.equal(sha(await got), sha(data));
        t.destination.end();
        await t.done;
        assert.ok(asked.filter((n) => n === 0).length >= 3, `consume(0) asked ${asked.filter((n) => n === 0).length} times`);
        assert.equal(
          asked.reduce((a, b) => a + b, 0),
          data.length,
        );
      });

      it('keeps every byte in order when a busy direction goes quiet and busy again', async () => {
        const t = await tunnel({ tuning });
        open.push(t.user, t.destination);
        const got = collect(t.destination);
        const sent: Buffer[] = [];
        const send = async (b: Buffer): Promise<void> => {
          sent.push(b);
          if (!t.user.write(b)) await once(t.user, 'drain');
        };
        await send(randomBytes(1024 * 1024)); // bulk: switches to the reused buffer
        for (let i = 0; i < 5; i++) {
          await new Promise((r) => setTimeout(r, 10));
          await send(randomBytes(100 + i)); // quiet: small reads shrink the buffer
        }
        await send(randomBytes(2 * 1024 * 1024 + 7)); // busy again: it grows back
        t.user.end();
        const all = Buffer.concat(sent);
        assert.equal(sha(await got), sha(all));
        t.destination.end();
        await t.done;
        assert.equal(t.counters.up, all.length);
      });

      it('resolves with the error and closes both sides when one side resets', async () => {
        const t = await tunnel({ tuning });
        t.user.on('error', () => undefined);
        t.user.write(randomBytes(1000));
        await new Promise((r) => setTimeout(r, 20));
        t.destination.resetAndDestroy();
        const r = await t.done;
        assert.ok(r.error !== undefined, 'no error reported');
        assert.equal(t.client.destroyed, true);
        assert.equal(t.target.destroyed, true);
        // The user learns that the tunnel is gone (FIN or RST).
        t.user.resume();
        await new Promise((r) => {
          t.user.once('end', r);
          t.user.once('close', r);
        });
        t.user.destroy();
      });
    });
  }
});

/** A rate gate: each charge reserves n / rate seconds after the previous reservation. */
class RateGate implements ByteGate {
  total = 0;
  private until = 0;
  constructor(private readonly bytesPerSecond: number) {}
  consume(n: number): number {
    const now = Date.now();
    this.total += n;
    if (n > 0) this.until = Math.max(now, this.until) + (n * 1000) / this.bytesPerSecond;
    return this.until > now ? Math.ceil(this.until - now) : 0;
  }
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('startRelayTcp setGates (limits that appear or go while a tunnel runs)', () => {
  for (const [name, tuning] of MODES) {
    it(`${name}: a gate added mid-stream throttles, a removed pausing gate resumes at once, no byte lost`, async () => {
      const [user, client] = await socketPair();
      const [target, destination] = await socketPair();
      client.pause();
      const counters = { up: 0, down: 0 };
      const relay = startRelayTcp(client, target, counters, tuning === undefined ? undefined : { tuning });
      const got = collect(destination);

      // Ungated: 512 KiB passes at loopback speed (and goes bulk in the default tuning).
      const a = randomBytes(512 * 1024);
      user.write(a);
      await until(() => counters.up === a.length, 2000, 'the ungated bytes');

      // A 1 MB/s gate added now governs the next 512 KiB: at least ~0.4 s, every byte charged.
      const rate = new RateGate(1_000_000);
      relay.setGates(rate, undefined);
      const b = randomBytes(512 * 1024);
      const t0 = Date.now();
      user.write(b);
      await until(() => counters.up === a.length + b.length, 5000, 'the gated bytes');
      const ms = Date.now() - t0;
      assert.ok(ms >= 350, `512 KiB through a 1 MB/s gate took only ${ms} ms`);
      assert.equal(rate.total, b.length, 'the new gate is charged exactly the bytes relayed after it was set');

      // A gate that pauses for a minute holds the direction; removing it resumes at once.
      relay.setGates({ consume: () => 60_000 }, undefined);
      const c = randomBytes(1024 * 1024);
      user.write(c);
      await new Promise((r) => setTimeout(r, 150));
      assert.ok(counters.up < a.length + b.length + c.length, 'the pausing gate held nothing back');
      const t1 = Date.now();
      relay.setGates(undefined, undefined);
      await until(() => counters.up === a.length + b.length + c.length, 2000, 'the bytes after the gate was removed');
      assert.ok(Date.now() - t1 < 1000, 'resumed late');

      user.end();
      assert.equal(sha(await got), sha(Buffer.concat([a, b, c])));
      destination.end();
      await relay.done;
      user.destroy();
    });
  }
});

describe('startRelayTcp result delivery (listener or promise, several tunnels sharing the socket listeners)', () => {
  it('tells whenDone once per tunnel, with the error of a reset tunnel; done made late still resolves', async () => {
    const tunnels = await Promise.all([0, 1, 2].map(async () => {
      const [user, client] = await socketPair();
      const [target, destination] = await socketPair();
      const counters = { up: 0, down: 0 };
      const relay = startRelayTcp(client, target, counters);
      const results: { error?: Error }[] = [];
      relay.whenDone({ relayDone: (r) => results.push(r) });
      return { user, destination, counters, relay, results };
    }));
    // Different bytes per tunnel, both ways: each socket's shared listeners must reach its own pumps.
    tunnels.forEach((t, i) => {
      t.user.write(Buffer.alloc(10 + i, 0x61 + i));
      t.destination.write(Buffer.alloc(20 + i, 0x71 + i));
    });
    await Promise.all(tunnels.map(async (t, i) => {
      const [up] = (await once(t.destination, 'data')) as [Buffer];
      const [down] = (await once(t.user, 'data')) as [Buffer];
      assert.deepEqual(up, Buffer.alloc(10 + i, 0x61 + i));
      assert.deepEqual(down, Buffer.alloc(20 + i, 0x71 + i));
    }));
    // Tunnel 0 ends cleanly (both halves), tunnel 1 is reset by the destination, tunnel 2 cleanly.
    for (const i of [0, 2]) {
      const t = tunnels[i]!;
      t.user.on('data', () => undefined);
      t.destination.on('data', () => undefined);
      t.user.end();
      t.destination.end();
    }
    tunnels[1]!.user.on('error', () => undefined);
    tunnels[1]!.destination.resetAndDestroy();
    for (const t of tunnels) {
      const r = await t.relay.done; // made after the relay may already be over
      assert.equal(t.results.length, 1);
      assert.equal(t.results[0], r);
    }
    assert.equal(tunnels[0]!.results[0]!.error, undefined);
    assert.ok(tunnels[1]!.results[0]!.error instanceof Error, 'reset reported');
    assert.equal(tunnels[2]!.results[0]!.error, undefined);
    tunnels.forEach((t, i) => assert.deepEqual(t.counters, { up: 10 + i, down: 20 + i }));
    // A listener added after the end is told at once.
    let late = 0;
    tunnels[0]!.relay.whenDone({ relayDone: () => late++ });
    assert.equal(late, 1);
    for (const t of tunnels) {
      t.user.destroy();
      t.destination.destroy();
    }
  });
});

describe('startRelayTcp with gates not ready at the start (a quota session that joined when the grant was spent)', () => {
  for (const [name, tuning] of MODES) {
    it(`${name}: nothing is read or sent, not even the first bytes, until the gates admit; then the first bytes go first, counted and charged`, async () => {
      const [user, client] = await socketPair();
      const [target, destination] = await socketPair();
      client.pause();
      /** Pauses (asks again in 10 ms) until `ready`; records what it was charged. */
      const gate = (): ByteGate & { ready: boolean; charged: number } => {
        const g = { ready: false, charged: 0, consume: (n: number): number => ((g.charged += n), g.ready ? 0 : 10) };
        return g;
      };
      const up = gate();
      const down = gate();
      const counters = { up: 0, down: 0 };
      const first = Buffer.from('early bytes;');
      const relay = startRelayTcp(client, target, counters, { upGate: up, downGate: down, first, ...(tuning === undefined ? {} : { tuning }) });
      const atDestination = collect(destination);
      let atUser = 0;
      user.on('data', (b: Buffer) => (atUser += b.length));
      const rest = randomBytes(200 * 1024);
      user.write(rest);
      user.end();
      const fromDestination = randomBytes(300 * 1024);
      destination.write(fromDestination);
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual({ up: counters.up, down: counters.down, upCharged: up.charged, downCharged: down.charged, atUser }, { up: 0, down: 0, upCharged: 0, downCharged: 0, atUser: 0 });
      up.ready = true;
      down.ready = true;
      await until(() => counters.down === fromDestination.length && atUser === fromDestination.length, 3000, 'the download');
      assert.equal(sha(await atDestination), sha(Buffer.concat([first, rest])), 'first bytes first, then the rest, then the FIN');
      assert.equal(counters.up, first.length + rest.length);
      assert.equal(up.charged, first.length + rest.length);
      assert.equal(down.charged, fromDestination.length);
      destination.end();
      await relay.done;
      user.destroy();
    });
  }
});
