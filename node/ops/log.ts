/**
 * Structured logs: JSON lines through pino, one logger per component (`component` field).
 * Peer-supplied bytes are never logged at info level; log their size and a hash instead.
 * Every string of a log call (its message and its fields) is escaped first (core
 * `safeLogValue`): text a caller or a peer chose never reaches a log line with its control,
 * bidi or lone-surrogate characters. (Levels that are off cost nothing: pino makes them no-ops.)
 */
import { pino, type Logger as PinoLogger } from 'pino';
import { safeLogValue } from '../../core/index.js';

export type Logger = PinoLogger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** A root logger writing JSON lines to `destination` (stderr by default). */
export function createLogger(level: LogLevel = 'info', destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) (args as unknown[])[i] = safeLogValue(args[i]);
          return method.apply(this, args);
        },
      },
    },
    destination,
  );
}

/** A logger that drops everything (tests, tools). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
