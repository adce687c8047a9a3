import { ConfigError } from '@sockscale/common';
import { SERVE_SETTINGS, parseServeConfig } from './config';
import { hashPasswordCommand } from './commands/hash-password';
import { serve } from './commands/serve';
import { validateCommand } from './commands/validate';
import { explainCommand } from './commands/explain';

const VERSION = '0.1.0';

const USAGE = `sockscale ${VERSION} — SOCKS5 proxy with per-user policy

Usage:
  sockscale serve --policy FILE|DIR [options]   run the proxy (embedded mode)
  sockscale validate FILE|DIR...                check policy files
  sockscale explain --policy PATH --user NAME --dest HOST:PORT [...]
                                               what the policy decides for one request, and why
  sockscale hash-password [--cost 15]           print a password hash for SocksUser spec.password.hash
  sockscale version

Run "sockscale serve --help" for serve options.
`;

function serveHelp(): string {
  const rows = SERVE_SETTINGS.map((s) => `  --${s.flag.padEnd(18)} ${s.help}\n  ${''.padEnd(20)} env ${s.env}; default ${s.default}`);
  return `Usage: sockscale serve --policy FILE|DIR [options]\n\nOptions (flags win over environment variables):\n${rows.join('\n')}\n\nSignals: SIGHUP reloads the policy; SIGTERM/SIGINT drain and exit.\n`;
}

/** Entry point used by bin/sockscale.js. Sets process.exitCode; never throws. */
export function run(argv: readonly string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
      if (argv[0] === 'serve') setImmediate(() => process.exit(code));
    },
    (err: unknown) => {
      process.stderr.write(`sockscale: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve': {
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(serveHelp());
        return 0;
      }
      let config;
      try {
        // eslint-disable-next-line no-restricted-properties -- the CLI entry hands the environment to the config module
        config = parseServeConfig(rest, process.env, process.stdout.isTTY);
      } catch (err) {
        if (err instanceof ConfigError) {
          process.stderr.write(`sockscale serve: ${err.message}\nRun "sockscale serve --help" for options.\n`);
          return 2;
        }
        throw err;
      }
      return serve(config);
    }
    case 'hash-password':
      return hashPasswordCommand(rest);
    case 'validate':
      return validateCommand(rest);
    case 'explain':
      return explainCommand(rest);
    case 'version':
    case '--version':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      process.stderr.write(`sockscale: unknown command "${cmd}"\n\n${USAGE}`);
      return 2;
  }
}
