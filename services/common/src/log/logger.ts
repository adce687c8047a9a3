import pino, { type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = LevelWithSilent;
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Field paths that must never reach a log line. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'username_password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'spec.password.value',
];

export interface RootLoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Destination stream; defaults to stdout. */
  destination?: NodeJS.WritableStream;
}

/**
 * The one root logger of a process. Components take `root.child({ component })`, sessions
 * take `component.child({ session })`. Messages are fixed strings; facts go in fields.
 */
export function createRootLogger(opts: RootLoggerOptions): Logger {
  const base: pino.LoggerOptions = {
    level: opts.level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (opts.format === 'pretty') {
    return pino(base, pretty({ colorize: opts.destination === undefined && process.stdout.isTTY, destination: opts.destination ?? 1, sync: true, ignore: 'pid,hostname' }));
  }
  if (opts.destination !== undefined) return pino(base, opts.destination);
  return pino(base, pino.destination({ fd: 1, sync: false }));
}

/** Flushes buffered log output (call before exiting). */
export function flushLogger(logger: Logger): void {
  try {
    logger.flush();
  } catch {
    // nothing useful to do if stdout is gone
  }
}
