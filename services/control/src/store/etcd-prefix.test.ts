import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prefixRangeEnd } from './etcd-prefix';

test('prefix range end: the prefix with its last byte incremented (keys are UTF-8, never 0xff)', () => {
  assert.deepEqual(prefixRangeEnd('/sockscale/v1/objects/'), Buffer.from('/sockscale/v1/objects0'));
  assert.deepEqual(prefixRangeEnd('ab'), Buffer.from('ac'));
  assert.deepEqual(prefixRangeEnd('é'), Buffer.from([0xc3, 0xaa]));
});
