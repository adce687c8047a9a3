import { test, before, after } from 'node:test';
import { Etcd3 } from 'etcd3';
import { EtcdLedgerBackend, LEDGER_SCENARIOS } from '@sockscale/control';
import { EtcdProcess } from '../helpers/etcd';

// The ledger rules (services/control/src/quota/ledger-scenarios.ts) on a real etcd: every
// scenario gets its own key space by deleting the ledger prefix first.
let etcd: EtcdProcess;
let client: Etcd3;

before(async () => {
  etcd = await EtcdProcess.start();
  client = new Etcd3({ hosts: etcd.url });
});
after(async () => {
  client?.close();
  await etcd?.destroy();
});

for (const [name, run] of Object.entries(LEDGER_SCENARIOS)) {
  test(`etcd ledger: ${name}`, async () => {
    await client.delete().prefix('/sockscale/v1/quota/');
    await run(() => new EtcdLedgerBackend(client));
  });
}
