// One place that knows how to undo what a run set up. Providers, proxies and (later) the nemesis
// register an async undo; it runs on a normal end, on SIGINT/SIGTERM, and on an uncaught error, in
// reverse order of registration (last set up, first torn down).

import { killAllTracked } from './processes.ts';

type Undo = () => Promise<void> | void;

interface Entry {
  id: number;
  name: string;
  undo: Undo;
}

let entries: Entry[] = [];
let nextId = 1;
let running: Promise<void> | null = null;
let signalsInstalled = false;

export function registerCleanup(name: string, undo: Undo): () => void {
  const id = nextId++;
  entries.push({ id, name, undo });
  return () => {
    entries = entries.filter((e) => e.id !== id);
  };
}

export function pendingCleanups(): string[] {
  return entries.map((e) => e.name);
}

/** Runs every registered undo once, newest first; errors are reported, never stop the others. */
export function runCleanups(
  log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`),
): Promise<void> {
  if (running !== null) return running;
  running = (async () => {
    while (entries.length > 0) {
      const e = entries.pop()!;
      try {
        await e.undo();
      } catch (err) {
        log(`cleanup: ${e.name} failed: ${(err as Error).message}`);
      }
    }
  })().finally(() => {
    running = null;
  });
  return running;
}

/** How long a signalled lab waits for its undos before it kills its children outright. */
export const GRACEFUL_STOP_MS = 10_000;
/** …and then how long the undos get to finish (remove temp dirs, chains, proxies) before exit. */
export const FORCED_STOP_MS = 5_000;

/**
 * For the CLI: Ctrl-C and SIGTERM tear everything down, then exit (130 / 143), always within
 * GRACEFUL_STOP_MS + FORCED_STOP_MS: a teardown that hangs must never keep the lab alive (a run
 * that ignores SIGTERM gets SIGKILLed, and then nothing is cleaned up). A second signal skips the
 * wait: the children are killed at once and the undos finish; a third exits now. The children die
 * with the process either way (processes.ts kills them on exit).
 */
export function installSignalHandlers(
  log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`),
): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  let stopping = 0;
  let exitCode = 1;
  let forced: (() => void) | null = null;
  const stop = (why: string, code: number) => {
    stopping++;
    if (stopping === 1) {
      exitCode = code;
      log(`${why}: stopping the run and cleaning up…`);
      const graceful = new Promise<void>((resolve) => {
        forced = resolve;
        setTimeout(resolve, GRACEFUL_STOP_MS).unref();
      });
      const cleanups = runCleanups(log);
      void Promise.race([cleanups, graceful]).then(async () => {
        // Still tearing down: kill the children hard so the undos waiting on them can finish.
        killAllTracked();
        await Promise.race([cleanups, new Promise((r) => setTimeout(r, FORCED_STOP_MS).unref())]);
        process.exit(exitCode);
      });
    } else if (stopping === 2) {
      log(
        `${why} again: killing the lab's processes and finishing the cleanup (once more to exit at once)`,
      );
      forced?.();
    } else {
      process.exit(exitCode);
    }
  };
  process.on('SIGINT', () => stop('SIGINT', 130));
  process.on('SIGTERM', () => stop('SIGTERM', 143));
  process.on('SIGHUP', () => stop('SIGHUP', 129));
  process.on('uncaughtException', (err) => {
    // Once stopping, a further error (a failing undo, a socket closing) must not restart anything.
    if (stopping > 0) return;
    stop(`uncaught error: ${err.message}`, 1);
  });
  process.on('unhandledRejection', (err) => {
    if (stopping > 0) return;
    stop(`unhandled rejection: ${(err as Error)?.message ?? String(err)}`, 1);
  });
}
