import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDestination } from './destinations';
import { formatCidr } from './network';

void test('destinations: valid entries and their normal form', () => {
  const table: [string, string, string][] = [
    ['127.0.0.0/8', 'cidr', '127.0.0.0/8'],
    ['127.0.0.1/32', 'cidr', '127.0.0.1/32'],
    ['10.1.2.3', 'cidr', '10.1.2.3'],
    ['0.0.0.0/0', 'cidr', '0.0.0.0/0'],
    ['::1/128', 'cidr', '::1/128'],
    ['2001:DB8::/32', 'cidr', '2001:db8::/32'],
    ['::/0', 'cidr', '::/0'],
    ['localhost', 'domain', 'localhost'],
    ['Example.COM', 'domain', 'example.com'],
    ['a-b.c1.example.org', 'domain', 'a-b.c1.example.org'],
    ['xn--bcher-kva.example', 'domain', 'xn--bcher-kva.example'],
    ['*.example.com', 'wildcard', '*.example.com'],
    ['*.COM', 'wildcard', '*.com'],
  ];
  for (const [input, kind, text] of table) {
    const d = parseDestination(input);
    assert.ok(typeof d !== 'string', `${input}: ${typeof d === 'string' ? d : ''}`);
    assert.equal(d.kind, kind, input);
    assert.equal(d.text, text, input);
  }
  const w = parseDestination('*.Example.com');
  assert.ok(typeof w !== 'string' && w.kind === 'wildcard');
  assert.equal(w.suffix, 'example.com');
});

void test('destinations: invalid entries give a specific message', () => {
  const long = `${'a'.repeat(63)}.`.repeat(4) + 'com';
  const table: [string, string][] = [
    ['*', '"*" alone is not allowed; omit destinations to match any destination'],
    ['10.0.0.1/8', '"10.0.0.1/8" has host bits set; the network address is "10.0.0.0/8"'],
    ['2001:db8::1/32', '"2001:db8::1/32" has host bits set; the network address is "2001:db8::/32"'],
    ['10.0.0.0/33', '"10.0.0.0/33" has an invalid prefix length (expected 0-32)'],
    ['10.0.0.300', '"10.0.0.300" is not an IPv4 or IPv6 address or CIDR'],
    ['fe80::1%eth0', '"fe80::1%eth0" is not an IPv4 or IPv6 address or CIDR'],
    ['example.com.', '"example.com." ends with a dot; write "example.com"'],
    ['exa_mple.com', '"exa_mple.com" is not a valid domain name: label "exa_mple" may contain only letters, digits and "-", and must not start or end with "-"'],
    ['-bad.example', '"-bad.example" is not a valid domain name: label "-bad" may contain only letters, digits and "-", and must not start or end with "-"'],
    ['a..b', '"a..b" has an empty label (two dots in a row or a leading dot)'],
    [`${'a'.repeat(64)}.com`, `"${'a'.repeat(64)}.com" has a label longer than 63 characters`],
    [long, `"${long}" is ${long.length} characters long; a domain name is at most 253`],
    ['', 'a domain name must not be empty'],
    ['*.', 'wildcard "*.": a domain name must not be empty'],
    ['*.*.example.com', '"*.*.example.com": "*" is allowed only as the whole first label, as in "*.example.com"'],
    ['foo.*.com', '"foo.*.com": "*" is allowed only as the whole first label, as in "*.example.com"'],
    ['*example.com', '"*example.com": "*" is allowed only as the whole first label, as in "*.example.com"'],
    ['*.exa mple.com', 'wildcard "*.exa mple.com": "exa mple.com" is not a valid domain name: label "exa mple" may contain only letters, digits and "-", and must not start or end with "-"'],
    ['foo.123', '"foo.123" is neither an IP address nor a domain name (the last label is all digits)'],
  ];
  for (const [input, message] of table) assert.equal(parseDestination(input), message, `input ${JSON.stringify(input)}`);
});

void test('destinations: IPv6 network addresses are printed compressed', () => {
  const table: [string, string][] = [
    ['2001:db8:0:0:1::1/64', '2001:db8::/64'],
    ['1:0:0:2:0:0:0:3/128', '1:0:0:2::3/128'],
    ['::1/127', '::/127'],
    ['1:2:3:4:5:6:7:8/128', '1:2:3:4:5:6:7:8/128'],
    ['1:0:2:3:4:5:6:7/128', '1:0:2:3:4:5:6:7/128'],
  ];
  for (const [input, network] of table) {
    const d = parseDestination(input);
    if (input.endsWith('/128')) {
      assert.ok(typeof d !== 'string' && d.kind === 'cidr', input);
      assert.equal(formatCidr(d.cidr), network);
    } else {
      assert.equal(d, `"${input}" has host bits set; the network address is "${network}"`);
    }
  }
});
