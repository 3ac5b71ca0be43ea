// The lab's standard output and error may be a pipe whose reader has gone (`bbs-lab run … | head`).
// Node reports that as an 'error' event (EPIPE) on the stream; with no listener it becomes an
// uncaught exception, and a handler that logs it writes to the same broken pipe, raising the next
// one on the next tick: the process spins and never reaches its timers or signal handlers.
// guardStandardOutput makes a stream that failed silent instead: the run goes on, keeps writing
// its run directory, and only stops printing.

type Std = NodeJS.WriteStream;

const closed = new Set<Std>();
let installed = false;

/**
 * True once `stream` (process.stdout or process.stderr) has failed and writes to it are dropped.
 */
export function outputClosed(stream: Std): boolean {
  return closed.has(stream);
}

/** Makes `stream` drop every write from now on (a callback given to write still runs). */
export function silence(stream: Std): void {
  if (closed.has(stream)) return;
  closed.add(stream);
  const drop = (_chunk: unknown, encOrCb?: unknown, cb?: unknown): boolean => {
    const done =
      typeof encOrCb === 'function' ? encOrCb : typeof cb === 'function' ? cb : undefined;
    if (done) process.nextTick(done as () => void);
    return true;
  };
  stream.write = drop as Std['write'];
}

/** Installs the listeners once per process; any error on either stream silences that stream. */
export function guardStandardOutput(streams: Std[] = [process.stdout, process.stderr]): void {
  if (installed) return;
  installed = true;
  for (const s of streams) s.on('error', () => silence(s));
}
