import { test } from 'node:test';
import { MemoryLedgerBackend } from './ledger-backend';
import { LEDGER_SCENARIOS } from './ledger-scenarios';

// The same scenarios run against real etcd in test/feature/quota-ledger-etcd.test.ts.
for (const [name, run] of Object.entries(LEDGER_SCENARIOS)) {
  void test(`memory ledger: ${name}`, () => run(() => new MemoryLedgerBackend()));
}
