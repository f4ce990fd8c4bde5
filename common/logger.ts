// Structured logs (pino, JSON lines on stderr so stdout stays free for command output).
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? process.env.CLIMATIK_LOG_LEVEL ?? 'info',
    base: { component: options.name ?? 'climatik' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(opts, pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything, for tests and pure code paths that take a logger parameter. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
