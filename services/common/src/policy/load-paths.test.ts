import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyPaths } from './load-paths';
import { LOCAL_EXAMPLE } from './testdata/local-example';

const user = (name: string): string => `apiVersion: sockscale.io/v1alpha1\nkind: SocksUser\nmetadata: {name: ${name}}\nspec: {password: {value: x}}\n`;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sockscale-policy-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void test('loadPolicyPaths: a directory contributes its *.yaml and *.yml files, sorted, not recursively', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, 'b.yml'), user('bea'));
    await writeFile(join(dir, 'a.yaml'), user('amy'));
    await writeFile(join(dir, 'c.json'), '{}');
    await writeFile(join(dir, 'README.md'), '# no');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'd.yaml'), user('dan'));
    await mkdir(join(dir, 'dir.yaml'));
    const r = await loadPolicyPaths([dir]);
    assert.deepEqual(r.issues, []);
    assert.deepEqual(r.files, [join(dir, 'a.yaml'), join(dir, 'b.yml')]);
    assert.deepEqual(
      r.objects.map((o) => o.metadata.name),
      ['amy', 'bea'],
    );
  }));

void test('loadPolicyPaths: files and directories mix; the same file is read once', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, 'local.yaml'), LOCAL_EXAMPLE);
    await mkdir(join(dir, 'more'));
    await writeFile(join(dir, 'more', 'extra.yaml'), user('zed'));
    await symlink(join(dir, 'more', 'extra.yaml'), join(dir, 'more', 'link.yaml'));
    const r = await loadPolicyPaths([join(dir, 'local.yaml'), join(dir, 'more'), dir]);
    assert.deepEqual(r.files, [join(dir, 'local.yaml'), join(dir, 'more', 'extra.yaml'), join(dir, 'more', 'link.yaml')]);
    assert.equal(r.objects.length, 5);
    // The symlink is a second definition of zed.
    assert.deepEqual(r.issues, [
      {
        file: join(dir, 'more', 'link.yaml'),
        document: 0,
        object: 'SocksUser/zed',
        path: 'metadata.name',
        line: 3,
        column: 18,
        message: `duplicate SocksUser "zed"; already defined at ${join(dir, 'more', 'extra.yaml')}:3:18 (document 1)`,
      },
    ]);
  }));

void test('loadPolicyPaths: duplicates across files and issues from every file are reported', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, '10-users.yaml'), user('amy'));
    await writeFile(join(dir, '20-more.yaml'), `${user('amy')}---\n${user('Bad')}`);
    const r = await loadPolicyPaths([dir]);
    assert.deepEqual(
      r.issues.map((i) => `${i.file === undefined ? '' : i.file.slice(dir.length + 1)}:${i.line}:${i.column} ${i.path}: ${i.message}`),
      [
        '20-more.yaml:8:18 metadata.name: "Bad" is not a valid name: use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit; did you mean "bad"?',
        `20-more.yaml:3:18 metadata.name: duplicate SocksUser "amy"; already defined at ${join(dir, '10-users.yaml')}:3:18 (document 1)`,
      ],
    );
    assert.deepEqual(
      r.objects.map((o) => o.metadata.name),
      ['amy'],
    );
  }));

void test('loadPolicyPaths: an unreadable path is an issue naming it; the rest still loads', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, 'ok.yaml'), user('amy'));
    const missing = join(dir, 'missing.yaml');
    await symlink(join(dir, 'nowhere.yaml'), join(dir, 'broken.yaml'));
    const r = await loadPolicyPaths([missing, dir]);
    assert.deepEqual(r.issues, [
      { file: missing, path: '', message: 'cannot read: no such file or directory (ENOENT)' },
      { file: join(dir, 'broken.yaml'), path: '', message: 'cannot read: no such file or directory (ENOENT)' },
    ]);
    assert.deepEqual(r.files, [join(dir, 'ok.yaml')]);
    assert.deepEqual(
      r.objects.map((o) => o.metadata.name),
      ['amy'],
    );
  }));

void test('loadPolicyPaths: an empty directory or no paths yields nothing and no issues', () =>
  withDir(async (dir) => {
    assert.deepEqual(await loadPolicyPaths([dir]), { objects: [], issues: [], files: [] });
    assert.deepEqual(await loadPolicyPaths([]), { objects: [], issues: [], files: [] });
  }));
