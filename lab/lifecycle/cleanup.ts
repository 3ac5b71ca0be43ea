// One place that knows how to undo what a run set up. Providers, proxies and (later) the nemesis
// register an async undo; it runs on a normal end, on SIGINT/SIGTERM, and on an uncaught error, in
// reverse order of registration (last set up, first torn down).

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
export function runCleanups(log: (msg: string) => void = (m) => process.stderr.write(m + '\n')): Promise<void> {
  if (running) return running;
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

/**
 * For the CLI: Ctrl-C and SIGTERM tear everything down, then exit (130 / 143). A second Ctrl-C
 * while tearing down is ignored with a note, because leaving a half-stopped cluster is worse.
 */
export function installSignalHandlers(log: (msg: string) => void = (m) => process.stderr.write(m + '\n')): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals, code: number) => {
    if (stopping) {
      log(`${sig} again: still cleaning up, please wait`);
      return;
    }
    stopping = true;
    log(`${sig}: stopping the run and cleaning up…`);
    void runCleanups(log).finally(() => process.exit(code));
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  process.on('uncaughtException', (err) => {
    log(`uncaught error: ${err.message}; cleaning up`);
    void runCleanups(log).finally(() => process.exit(1));
  });
  process.on('unhandledRejection', (err) => {
    log(`unhandled rejection: ${(err as Error)?.message ?? String(err)}; cleaning up`);
    void runCleanups(log).finally(() => process.exit(1));
  });
}
