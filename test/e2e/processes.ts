// Child processes of the e2e harness: free loopback ports, spawning with logs to files, readiness
// polling, and a process-wide registry that kills every child when this Node process exits, is
// interrupted, or a test throws (tap ends the test process), so a failed run leaves nothing behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export { freePort } from '../support/loopback.js';

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logPath: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** True until the process has exited. */
  alive(): boolean;
  /** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const SETPRIV = '/usr/bin/setpriv';
const live = new Set<ManagedProcess>();
let handlersInstalled = false;

function killAllSync(): void {
  for (const p of live) if (p.alive()) p.child.kill('SIGKILL');
}

/** Kills every live child when this process ends, however it ends (normal exit, signal, crash). */
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllSync();
      // Re-raise so the default behaviour (exit with the signal) still happens.
      process.kill(process.pid, signal);
    });
  }
}

export interface StartOptions {
  /** Appends "name pid" here so scripts/cluster-down.sh can clean up after a killed test run. */
  readonly pidFile?: string;
  /**
   * Outlive this Node process (scripts/cluster-up.sh): own process group, not killed on exit.
   * Default false: the child dies with this process.
   */
  readonly daemon?: boolean;
}

/**
 * Starts a binary with stdout and stderr appended to logPath (the file descriptor is handed to the
 * child, so logs keep flowing even when this process is busy or gone).
 */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  logPath: string,
  opts: StartOptions = {},
): ManagedProcess {
  const daemon = opts.daemon ?? false;
  if (!daemon) installExitHandlers();
  const logFd = openSync(logPath, 'a');
  // setpriv (util-linux, always on Debian) sets a parent-death signal and then execs the binary
  // (same pid): even a SIGKILLed test run takes its control plane down with it.
  const [file, argv] =
    !daemon && existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, [...args]];
  const child = spawn(file, argv, { stdio: ['ignore', logFd, logFd], detached: daemon });
  closeSync(logFd);
  if (daemon) child.unref();
  if (opts.pidFile !== undefined && child.pid !== undefined) appendFileSync(opts.pidFile, `${name} ${child.pid} ${command}\n`);
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      live.delete(managed);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (err) => {
      running = false;
      live.delete(managed);
      appendFileSync(logPath, `spawn error: ${err.message}\n`);
      resolve(`spawn error: ${err.message}`);
    });
  });
  const managed: ManagedProcess = {
    name,
    child,
    logPath,
    exited,
    alive: () => running,
    async stop(graceMs = 5000) {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  if (!daemon) live.add(managed);
  return managed;
}

/**
 * Polls check() until it returns true. Fails early if the process died (the error names its log)
 * and after timeoutMs; the timeout bounds a hung start-up, it is not a performance assertion.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; process?: ManagedProcess; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError = '';
  for (;;) {
    if (opts.process !== undefined && !opts.process.alive()) {
      throw new Error(`${opts.process.name} exited (${String(await opts.process.exited)}) while waiting for ${what}; see ${opts.process.logPath}`);
    }
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      const where = opts.process === undefined ? '' : `; see ${opts.process.logPath}`;
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}${where}`);
    }
    await sleep(opts.intervalMs ?? 200);
  }
}
