import { ConfigError } from '@sockscale/common';
import { CLIENT_SETTINGS, CONTROL_SETTINGS, DISCOVERY_SETTINGS, SERVE_SETTINGS, UDP_SETTINGS, parseClientConfig, parseControlConfig, parseServeConfig, settingsHelp } from './config';
import { controlCommand } from './commands/control';
import { applyCommand, deleteCommand, getCommand } from './commands/objects-command';
import { quotaCommand } from './commands/quota-command';
import { hashPasswordCommand } from './commands/hash-password';
import { serve } from './commands/serve';
import { validateCommand } from './commands/validate';
import { explainCommand } from './commands/explain';

import { VERSION } from './version';

const USAGE = `sockscale ${VERSION} — SOCKS5 proxy with per-user policy

Usage:
  sockscale serve --policy FILE|DIR [options]      run the proxy (embedded mode)
  sockscale serve --control-plane HOST:PORT[,..]   run a proxy that gets policy from the control plane
  sockscale control --etcd URL[,URL] [options]     run a control-plane replica (or --store memory|file:PATH)
  sockscale apply -f FILE|DIR                      create or update policy objects via the admin API
  sockscale delete -f FILE|DIR | KIND NAME...      delete policy objects
  sockscale get policies|users|quotas|proxies [NAME]  list objects, or proxies and the versions they ACKed
  sockscale quota status [USER|QUOTA]              quota used, limit, remaining, resets at
  sockscale validate FILE|DIR...                   check policy files
  sockscale explain --policy PATH --user NAME --dest HOST:PORT [...]
                                                   what the policy decides for one request, and why
  sockscale hash-password [--cost 15]              print a password hash for SocksUser spec.password.hash
  sockscale version

Run "sockscale COMMAND --help" for options.
`;

function serveHelp(): string {
  const rows = SERVE_SETTINGS.map((s) => `  --${s.flag.padEnd(18)} ${s.help}\n  ${''.padEnd(20)} env ${s.env}; default ${s.default}`);
  return `Usage: sockscale serve --policy FILE|DIR [options]\n\nOptions (flags win over environment variables):\n${rows.join('\n')}\n\nControl-plane options (instead of --policy):\n${settingsHelp(DISCOVERY_SETTINGS)}\n\nUDP ASSOCIATE behind load balancers:\n${settingsHelp(UDP_SETTINGS)}\n\nSignals: SIGHUP reloads the policy; SIGTERM/SIGINT drain and exit.\n`;
}

const CLIENT_HELP = (cmd: string, usage: string): string =>
  `Usage: sockscale ${cmd} ${usage}\n\nOptions (flags win over environment variables):\n${settingsHelp(CLIENT_SETTINGS)}\n\nExit codes: 0 done, 1 refused (every problem printed), 2 bad usage.\n`;

const CLIENT_USAGE: Readonly<Record<string, string>> = {
  apply: '-f FILE|DIR [-f ...] [--dry-run]',
  delete: '-f FILE|DIR  |  policy|user NAME...',
  get: 'policies|users|proxies|quotas [NAME...] [-o table|json|yaml]',
  quota: 'status [USER|QUOTA|QUOTA/MEMBER] [-o table|json]',
};

function configProblem(cmd: string, err: unknown): number {
  if (err instanceof ConfigError) {
    process.stderr.write(`sockscale ${cmd}: ${err.message}\nRun "sockscale ${cmd} --help" for options.\n`);
    return 2;
  }
  throw err;
}

/** Entry point used by bin/sockscale.js. Sets process.exitCode; never throws. */
export function run(argv: readonly string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
      if (argv[0] === 'serve' || argv[0] === 'control') setImmediate(() => process.exit(code));
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
    case 'control': {
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(`Usage: sockscale control --etcd URL[,URL] | --store memory|file:PATH [options]\n\nOptions (flags win over environment variables):\n${settingsHelp(CONTROL_SETTINGS)}\n`);
        return 0;
      }
      let config;
      try {
        // eslint-disable-next-line no-restricted-properties -- the CLI entry hands the environment to the config module
        config = parseControlConfig(rest, process.env, process.stdout.isTTY);
      } catch (err) {
        return configProblem('control', err);
      }
      return controlCommand(config);
    }
    case 'apply':
    case 'delete':
    case 'quota':
    case 'get': {
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(CLIENT_HELP(cmd, CLIENT_USAGE[cmd] ?? ''));
        return 0;
      }
      let config;
      try {
        // eslint-disable-next-line no-restricted-properties -- the CLI entry hands the environment to the config module
        config = parseClientConfig(rest, process.env);
      } catch (err) {
        return configProblem(cmd, err);
      }
      if (cmd === 'quota') return quotaCommand(config);
      return cmd === 'apply' ? applyCommand(config) : cmd === 'delete' ? deleteCommand(config) : getCommand(config);
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
