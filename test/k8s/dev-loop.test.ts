import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../helpers/sockscale-process';
import { CHART_DIR, helm } from './kube-tools';

/**
 * skaffold.yaml and the Dockerfile cannot run here (no container engine, no registry, no
 * skaffold binary), so this keeps them consistent with the repository and the chart: the files
 * they name exist, and the chart renders with exactly the values skaffold passes.
 */
interface Skaffold {
  build: { artifacts: { image: string; context: string; docker: { dockerfile: string } }[] };
  deploy: { helm: { releases: { name: string; chartPath: string; setValueTemplates: Record<string, string>; setValues: Record<string, unknown> }[] } };
  portForward: { resourceName: string; port: number }[];
}

void test('skaffold.yaml: builds the Dockerfile and deploys the chart with values the chart accepts', () => {
  const sk = parse(readFileSync(join(REPO_ROOT, 'skaffold.yaml'), 'utf8')) as Skaffold;
  const art = sk.build.artifacts[0];
  assert.ok(art !== undefined);
  assert.ok(existsSync(join(REPO_ROOT, art.context, art.docker.dockerfile)));
  const rel = sk.deploy.helm.releases[0];
  assert.ok(rel !== undefined);
  assert.equal(join(REPO_ROOT, rel.chartPath), CHART_DIR);
  // Skaffold's template variables are named after the image: IMAGE_REPO_<image with _>.
  const id = art.image.replace(/[^A-Za-z0-9]/g, '_');
  assert.equal(rel.setValueTemplates['image.repository'], `{{.IMAGE_REPO_${id}}}`);
  assert.equal(rel.setValueTemplates['image.tag'], `{{.IMAGE_TAG_${id}}}`);
  const sets = Object.entries(rel.setValues).flatMap(([k, v]) => ['--set', `${k}=${String(v)}`]);
  const r = helm(['template', rel.name, CHART_DIR, '--set', `image.repository=${art.image}`, '--set', 'image.tag=dev', ...sets]);
  assert.equal(r.status, 0, r.stderr);
  const objs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: { replicas?: number } } | null);
  const svc = objs.find((o) => o?.kind === 'Service' && o.metadata.name === sk.portForward[0]?.resourceName);
  assert.ok(svc !== undefined, 'the port-forwarded Service exists under that name');
  assert.equal(objs.find((o) => o?.kind === 'StatefulSet')?.spec?.replicas, 1);
  assert.match(r.stdout, new RegExp(`image: ${art.image}:dev`));
});

void test('Dockerfile: multi-stage, Node 20, non-root, copies only paths that exist', () => {
  const text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const froms = [...text.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
  assert.equal(froms.length, 2, 'a build stage and a runtime stage');
  assert.ok(froms.every((f) => f?.includes('node') === true && f.includes('20')), `Node 20 images: ${froms.join(', ')}`);
  assert.match(text, /^USER 65532:65532$/m);
  assert.match(text, /^ENTRYPOINT \["\/nodejs\/bin\/node", "\/app\/services\/cli\/bin\/sockscale\.js"\]$/m);
  // Sources copied from the build context (not --from) must exist in the repository.
  for (const m of text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
    for (const src of (m[1] ?? '').split(/\s+/)) assert.ok(existsSync(join(REPO_ROOT, src)), `COPY source ${src} exists`);
  }
  const values = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as { podSecurityContext: { runAsUser: number } };
  assert.equal(values.podSecurityContext.runAsUser, 65532, 'the chart runs pods as the image user');
});
