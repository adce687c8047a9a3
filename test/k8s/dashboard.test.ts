import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { SOCKSCALE_BIN, REPO_ROOT, SockscaleProcess } from '../helpers/sockscale-process';
import { CHART_DIR } from './kube-tools';
import { PLANNED_METRICS, PROMETHEUS_BUILTIN } from './planned-metrics';

interface Target {
  refId: string;
  expr: string;
  datasource: { uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string }[] };
}

const DASHBOARD = join(CHART_DIR, 'files', 'grafana-dashboard.json');
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/** Metric names in a PromQL expression: identifiers starting with sockscale_, and Prometheus' own. */
function metricNames(expr: string): string[] {
  const out = new Set<string>();
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const m of noStrings.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const id = m[0];
    if (id.startsWith('sockscale_')) out.add(id);
    else if (PROMETHEUS_BUILTIN.includes(id) && /^\s*\{/.test(noStrings.slice((m.index ?? 0) + id.length))) out.add(id);
  }
  return [...out];
}

/**
 * Names on a real /metrics page: every `# TYPE` line (a labelled counter nobody has touched
 * yet has no sample, only its TYPE) plus every sample; histograms as _bucket/_sum/_count.
 */
function exportedNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/.exec(line);
    if (t?.[1] !== undefined) {
      if (t[2] === 'histogram' || t[2] === 'summary') for (const s of HISTOGRAM_SUFFIXES) out.add(t[1] + s);
      else out.add(t[1]);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (m?.[1] !== undefined) out.add(m[1]);
  }
  return out;
}

function known(name: string, exported: Set<string>): 'exported' | 'planned' | undefined {
  if (exported.has(name)) return 'exported';
  if (PROMETHEUS_BUILTIN.includes(name)) return 'exported';
  if (Object.hasOwn(PLANNED_METRICS, name)) return 'planned';
  for (const s of HISTOGRAM_SUFFIXES) if (name.endsWith(s) && Object.hasOwn(PLANNED_METRICS, name.slice(0, -s.length))) return 'planned';
  return undefined;
}

void test('dashboard: valid Grafana JSON with unique panel ids and a query per panel', () => {
  const d = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
  assert.equal(d.uid, 'sockscale-overview');
  assert.ok(d.schemaVersion >= 36);
  assert.ok(d.templating.list.some((v) => v.name === 'datasource'));
  const ids = d.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  for (const p of d.panels) {
    assert.ok(p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title}: fits the 24-column grid`);
    if (p.type === 'row') continue;
    assert.ok((p.targets ?? []).length > 0, `${p.title}: has a query`);
    for (const t of p.targets ?? []) {
      assert.equal(t.datasource.uid, '${datasource}', `${p.title}: uses the datasource variable`);
      assert.ok(metricNames(t.expr).length > 0, `${p.title} ${t.refId}: queries a metric`);
    }
  }
  const titles = d.panels.map((p) => p.title.toLowerCase()).join(' | ');
  for (const topic of ['sessions', 'throughput', 'top users', 'quota', 'policy decisions', 'denials', 'propagation', 'etcd']) assert.ok(titles.includes(topic), `a panel about ${topic}`);
});

/**
 * The control plane's /metrics, from `sockscale control --store memory` on loopback; undefined
 * while this tree has no `control` command yet (its metrics must then be planned ones).
 */
async function scrapeControlPlane(): Promise<string | undefined> {
  // Without the caller's SOCKSCALE_* variables: a shell's SOCKSCALE_ETCD (etcd endpoints) or
  // similar settings would change what `sockscale control --store memory` starts.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOCKSCALE_')));
  const child = spawn(process.execPath, [SOCKSCALE_BIN, 'control', '--store', 'memory', '--grpc', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--log-format', 'json'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = once(child, 'exit');
  try {
    const admin = await new Promise<string | undefined>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sockscale control did not report listening within 20 s\n${out}\n${err}`)), 20_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        for (const line of out.split('\n')) {
          const m = /"admin":"(http:\/\/[^"]+)"/.exec(line);
          if (line.includes('control plane listening') && m?.[1] !== undefined) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        if (err.includes('unknown command "control"')) resolve(undefined);
        else reject(new Error(`sockscale control exited:\n${out}\n${err}`));
      });
    });
    if (admin === undefined) return undefined;
    return await (await fetch(`${admin}/metrics`)).text();
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  }
}

void test('dashboard: every metric it queries is exported by a running sockscale or listed as planned', async () => {
  const d = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
  const used = new Set(d.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr))));
  // The real registries: a proxy (`sockscale serve`) and, once it exists, a control plane
  // (`sockscale control`) on loopback, scraped over HTTP.
  const proxy = await SockscaleProcess.start();
  let exported: Set<string>;
  try {
    exported = exportedNames(await proxy.metrics());
  } finally {
    proxy.child.kill('SIGTERM');
    await new Promise((r) => proxy.child.once('exit', r));
  }
  assert.ok(exported.has('sockscale_proxy_sessions_active'), 'the scrape worked');
  const control = await scrapeControlPlane();
  if (control === undefined) {
    // No control plane in this tree yet: every control-plane metric on the dashboard is planned.
    assert.deepEqual([...used].filter((n) => n.startsWith('sockscale_control_') && known(n, exported) !== 'planned'), []);
  } else {
    for (const n of exportedNames(control)) exported.add(n);
  }
  const unknown = [...used].filter((n) => known(n, exported) === undefined).sort();
  assert.deepEqual(unknown, [], 'dashboard metrics exported by no service and not in test/k8s/planned-metrics.ts');
  const plannedButExported = Object.keys(PLANNED_METRICS).filter((n) => exported.has(n) || HISTOGRAM_SUFFIXES.some((s) => exported.has(n + s)));
  assert.deepEqual(plannedButExported, [], 'these planned metrics are exported now: remove them from PLANNED_METRICS');
  const unusedPlanned = Object.keys(PLANNED_METRICS).filter((n) => ![...used].some((u) => u === n || HISTOGRAM_SUFFIXES.some((s) => u === n + s)));
  assert.deepEqual(unusedPlanned, [], 'planned metrics the dashboard no longer uses: remove them');
});
