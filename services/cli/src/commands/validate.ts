import { formatIssue, loadPolicyPaths, objectKey } from '@sockscale/common';

/** `sockscale validate PATH...`: checks policy files without starting anything. */
export async function validateCommand(paths: readonly string[]): Promise<number> {
  if (paths.length === 0) {
    process.stderr.write('usage: sockscale validate FILE|DIR...\n');
    return 2;
  }
  const { objects, issues, files } = await loadPolicyPaths([...paths], { allowPlaintextPasswords: true });
  if (issues.length > 0) {
    process.stderr.write(`${issues.map(formatIssue).join('\n')}\n${issues.length} problem(s) in ${files.length} file(s)\n`);
    return 1;
  }
  process.stdout.write(`${objects.map((o) => `${objectKey(o)}\n`).join('')}${objects.length} object(s) in ${files.length} file(s): valid\n`);
  return 0;
}
