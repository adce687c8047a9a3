import { hashPassword, SCRYPT_DEFAULTS } from '@sockscale/common';
import { parseArgs } from 'node:util';

/**
 * `sockscale hash-password`: prints a `$scrypt$...` hash for `password.hash`. Reads the
 * password from stdin (first line) when piped, or prompts twice without echo on a terminal.
 */
export async function hashPasswordCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { cost: { type: 'string' } }, strict: true });
  const ln = values.cost !== undefined ? Number(values.cost) : SCRYPT_DEFAULTS.ln;
  if (!Number.isInteger(ln) || ln < 10 || ln > 20) {
    process.stderr.write('sockscale hash-password: --cost must be an integer 10-20 (log2 of scrypt N; default 15)\n');
    return 2;
  }
  let password: string;
  if (process.stdin.isTTY) {
    password = await promptHidden('Password: ');
    const again = await promptHidden('Again: ');
    if (again !== password) {
      process.stderr.write('sockscale hash-password: the passwords differ\n');
      return 1;
    }
  } else {
    password = (await readAll(process.stdin)).split(/\r?\n/)[0] ?? '';
  }
  if (password === '') {
    process.stderr.write('sockscale hash-password: empty password\n');
    return 1;
  }
  process.stdout.write(`${await hashPassword(password, { ln })}\n`);
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let s = '';
    const onData = (b: Buffer): void => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.removeListener('data', onData);
          process.stderr.write('\n');
          resolve(s);
          return;
        }
        if (ch === '\u0003') process.exit(130);
        if (ch === '\u007f') s = s.slice(0, -1);
        else s += ch;
      }
    };
    stdin.on('data', onData);
  });
}
