import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { POLICY_KINDS } from '@sockscale/common';
import { REPO_ROOT } from '../helpers/sockscale-process';

interface GenCrds {
  renderCrdFiles(this: void): { file: string; text: string }[];
  staleCrdFiles(this: void): string[];
}
const gen = (): Promise<GenCrds> => import(pathToFileURL(join(REPO_ROOT, 'scripts', 'gen-crds.mjs')).href) as Promise<GenCrds>;

void test('CRDs: the chart holds exactly what npm run crds:gen generates from the policy schema', async () => {
  const { staleCrdFiles } = await gen();
  assert.deepEqual(staleCrdFiles(), [], 'stale CRDs in charts/sockscale/templates/crds: run `npm run crds:gen` and commit the result');
});

void test('CRDs: one per kind, structural, with status, printer columns and short names', async () => {
  const { renderCrdFiles } = await gen();
  const files = renderCrdFiles();
  assert.equal(files.length, POLICY_KINDS.length);
  for (const f of files) {
    // Drop the Helm template lines to read the YAML itself.
    const yamlText = f.text.split('\n').filter((l) => !l.trim().startsWith('{{')).join('\n');
    const crd = parse(yamlText) as { spec: { group: string; names: { shortNames: string[] }; versions: { name: string; subresources: unknown; additionalPrinterColumns: unknown[]; schema: { openAPIV3Schema: { properties: Record<string, unknown> } } }[] } };
    assert.equal(crd.spec.group, 'sockscale.io');
    const v = crd.spec.versions[0];
    assert.ok(v !== undefined);
    assert.equal(v.name, 'v1alpha1');
    assert.deepEqual(v.subresources, { status: {} });
    assert.ok(v.additionalPrinterColumns.length >= 4);
    assert.ok(crd.spec.names.shortNames.length >= 1);
    assert.ok(v.schema.openAPIV3Schema.properties.spec !== undefined && v.schema.openAPIV3Schema.properties.status !== undefined);
    assert.match(f.text, /\{\{- if \.Values\.crds\.keep \}\}\n {2}annotations:\n {4}helm\.sh\/resource-policy: keep/);
  }
});
