import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePortRange } from './ports';

void test('ports: valid entries are normalised to strings', () => {
  const table: [unknown, string, number, number][] = [
    ['25', '25', 25, 25],
    [25, '25', 25, 25],
    ['1', '1', 1, 1],
    ['65535', '65535', 65535, 65535],
    ['0', '0', 0, 0],
    [0, '0', 0, 0],
    ['8000-8080', '8000-8080', 8000, 8080],
    ['1-65535', '1-65535', 1, 65535],
    ['80-80', '80-80', 80, 80],
  ];
  for (const [input, text, lo, hi] of table) {
    assert.deepEqual(parsePortRange(input), { text, lo, hi }, `input ${JSON.stringify(input)}`);
  }
});

void test('ports: invalid entries give a specific message', () => {
  const table: [unknown, string][] = [
    ['65536', 'port 65536 is out of range (1-65535)'],
    [70000, 'port 70000 is out of range (1-65535)'],
    [-1, 'port -1 is out of range (1-65535)'],
    [80.5, '80.5 is not a whole number; expected a port number (1-65535) or a range "LO-HI" such as "8000-8080"'],
    ['0-80', '"0-80": port 0 is allowed only on its own ("0"), not in a range'],
    ['90-80', '"90-80": the range is backwards; write "80-90"'],
    ['80-70000', '"80-70000": port 70000 is out of range (1-65535)'],
    ['025', '"025": port "025" has a leading zero; write "25"'],
    ['80,443', '"80,443" is not a port number (1-65535) or a range "LO-HI" such as "8000-8080"; list each port as a separate entry'],
    ['80 - 90', '"80 - 90" is not a port number (1-65535) or a range "LO-HI" such as "8000-8080"; remove the spaces'],
    ['http', '"http" is not a port number (1-65535) or a range "LO-HI" such as "8000-8080"'],
    ['', '"" is not a port number (1-65535) or a range "LO-HI" such as "8000-8080"'],
    ['-80', '"-80" is not a port number (1-65535) or a range "LO-HI" such as "8000-8080"'],
    ['80-', '"80-" is not a port number (1-65535) or a range "LO-HI" such as "8000-8080"'],
  ];
  for (const [input, message] of table) {
    assert.equal(parsePortRange(input), message, `input ${JSON.stringify(input)}`);
  }
});
