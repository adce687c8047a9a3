import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * External programs the feature tests drive. A missing tool is an error, never a skip: run
 * `bash scripts/install-test-tools.sh` (npm test does it) to install them.
 */
export const PYTHON = '/usr/bin/python3'; // Debian's Python, where python3-socks installs PySocks

export function requireTool(path: string, hint: string): string {
  if (path.includes('/') ? existsSync(path) : whichOk(path)) return path;
  throw new Error(`required test tool "${path}" is missing (${hint}); run: bash scripts/install-test-tools.sh`);
}

function whichOk(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function requirePySocks(): string {
  requireTool(PYTHON, 'Debian python3');
  try {
    execFileSync(PYTHON, ['-c', 'import socks'], { stdio: 'ignore' });
  } catch {
    throw new Error('PySocks is missing for /usr/bin/python3 (Debian package python3-socks); run: bash scripts/install-test-tools.sh');
  }
  return PYTHON;
}
