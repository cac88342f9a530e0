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

export type LogFormat = 'json' | 'text' | 'auto';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text', 'auto'];

/**
 * A root logger writing to `destination` (stderr by default): JSON lines, or with format
 * `text` one readable line per entry (`12:04:05.123 INFO  [p2p] peer connected  peer=12D3...`);
 * `auto` is text when the destination is a terminal, JSON lines otherwise.
 */
export function createLogger(level: LogLevel = 'info', destination: NodeJS.WritableStream = process.stderr, format: LogFormat = 'json'): Logger {
  const text = format === 'text' || (format === 'auto' && (destination as { isTTY?: boolean }).isTTY === true);
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
    text ? textDestination(destination) : destination,
  );
}

/** A pino destination writing each JSON line as one readable line (a line that is not JSON passes as it is). */
export function textDestination(out: NodeJS.WritableStream): { write(s: string): boolean } {
  return {
    write(s: string): boolean {
      for (const line of s.split('\n')) if (line.length > 0) out.write(textLine(line) + '\n');
      return true;
    },
  };
}

/** `HH:MM:SS.mmm LEVEL [component] message  key=value ...` of one JSON log line. */
export function textLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, component, ...rest } = o;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)}`)
    .join(' ');
  const tag = typeof component === 'string' ? `[${component}] ` : '';
  return `${clock} ${String(level ?? '').toUpperCase().padEnd(5)} ${tag}${typeof msg === 'string' ? msg : ''}${fields ? `  ${fields}` : ''}`;
}

/** A logger that drops everything (tests, tools). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
