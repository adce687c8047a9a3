/**
 * Properties: for random addresses and ports, parse(encode(x)) == x, through a request and
 * through a UDP header.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeAddress, type SocksAddress } from './address';
import { assertOk } from './assert-parse';
import { Rng } from './fuzz-input';
import { formatIPv4Bytes } from './ipv4';
import { formatIPv6Bytes } from './ipv6';
import { parseRequest } from './request';
import { encodeUdpHeader, parseUdpHeader } from './udp-header';

const SEED = Number(process.env.SOCKS5_ROUNDTRIP_SEED ?? 0x0c0ffee);
const LABEL = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'];
const WIDE = ['é', 'ü', 'ж', '中', '😀', 'ß'];

/** A random address, and what it must parse back as (IPv4-mapped IPv6 comes back as IPv4). */
function randomAddress(rng: Rng): { host: string; expected: SocksAddress } {
  const kind = rng.below(3);
  if (kind === 0) {
    const host = formatIPv4Bytes(Buffer.from([rng.byte(), rng.byte(), rng.byte(), rng.byte()]), 0);
    return { host, expected: { type: 'ipv4', host } };
  }
  if (kind === 1) {
    const b = Buffer.alloc(16);
    const zeroBias = rng.below(4) / 4;
    for (let k = 0; k < 8; k++) b.writeUInt16BE(rng.chance(zeroBias) ? 0 : rng.u32() & 0xffff, 2 * k);
    if (rng.chance(0.1)) b.fill(0, 0, 10).writeUInt16BE(0xffff, 10);
    const host = formatIPv6Bytes(b, 0);
    const mapped = host.startsWith('::ffff:') && host.includes('.');
    return { host, expected: mapped ? { type: 'ipv4', host: host.slice(7) } : { type: 'ipv6', host } };
  }
  // A domain: a letter first so it is never an IP literal, then up to 255 bytes of labels.
  let host = rng.pick([...'abcdefghijklmnopqrstuvwxyz']);
  const target = rng.chance(0.1) ? 255 : rng.range(1, 80);
  while (Buffer.byteLength(host) < target) {
    const next = rng.chance(0.05) ? rng.pick(WIDE) : rng.chance(0.1) ? '.' : rng.pick(LABEL);
    if (Buffer.byteLength(host + next) > target) break;
    host += next;
  }
  return { host, expected: { type: 'domain', host } };
}

describe('round trips', () => {
  it('request: parseRequest([5, CMD, 0] + encodeAddress(host, port)) gives host and port back', () => {
    const rng = new Rng(SEED);
    for (let i = 0; i < 20_000; i++) {
      const { host, expected } = randomAddress(rng);
      const port = rng.below(65536);
      const command = rng.range(1, 3);
      const wire = Buffer.concat([Buffer.from([5, command, 0]), encodeAddress(host, port)]);
      const r = assertOk(parseRequest(wire), `seed ${SEED} case ${i}: ${host}:${port}`);
      assert.deepEqual(r.value, { command, address: expected, port }, `seed ${SEED} case ${i}`);
      assert.equal(r.consumed, wire.length);
    }
  });

  it('UDP: parseUdpHeader(encodeUdpHeader(host, port) + data) gives host, port and data back', () => {
    const rng = new Rng(SEED + 1);
    for (let i = 0; i < 20_000; i++) {
      const { host, expected } = randomAddress(rng);
      const port = rng.below(65536);
      const data = Buffer.from(Array.from({ length: rng.below(8) }, () => rng.byte()));
      const header = encodeUdpHeader(host, port);
      const datagram = Buffer.concat([header, data]);
      const r = assertOk(parseUdpHeader(datagram), `seed ${SEED + 1} case ${i}: ${host}:${port}`);
      assert.deepEqual(r.value, { frag: 0, address: expected, port, dataOffset: header.length }, `seed ${SEED + 1} case ${i}`);
      assert.deepEqual(datagram.subarray(r.value.dataOffset), data);
    }
  });
});
