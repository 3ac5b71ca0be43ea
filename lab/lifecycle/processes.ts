// Child processes the lab started, tracked so that none survives the lab: they are stopped on a
// normal end, on Ctrl-C, on an uncaught error, and (synchronously, by pid) when Node exits.
// Every child runs in a process group of its own (detached) so that a kill also reaches what it
// spawned (mariadbd runs the rsync SST script and rsync daemons as children).

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Tracked {
  name: string;
  child: ChildProcess;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
}

const live = new Map<number, Tracked>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: 'exit' handlers may only do synchronous work, and a SIGKILL to a group is.
  process.on('exit', () => {
    for (const t of live.values()) killGroup(t.pid, 'SIGKILL');
  });
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function spawnTracked(
  name: string,
  cmd: string,
  args: string[],
  opts: SpawnOptions = {},
): Tracked {
  installExitHook();
  const child = spawn(cmd, args, { stdio: 'ignore', ...opts, detached: true });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${cmd})`);
  const pid = child.pid;
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      live.delete(pid);
      resolve({ code, signal });
    });
    child.on('error', () => {
      done = true;
      live.delete(pid);
      resolve({ code: null, signal: null });
    });
  });
  // The lab must not wait on its children to exit its own event loop.
  child.unref();
  const t: Tracked = { name, child, pid, exited, hasExited: () => done };
  live.set(pid, t);
  return t;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export async function stopTracked(t: Tracked, graceMs = 15_000): Promise<void> {
  if (t.hasExited()) return;
  // A paused (SIGSTOPped) process cannot act on SIGTERM until it is continued.
  killGroup(t.pid, 'SIGCONT');
  killGroup(t.pid, 'SIGTERM');
  const timer = setTimeout(() => killGroup(t.pid, 'SIGKILL'), graceMs);
  await t.exited;
  clearTimeout(timer);
  // Anything the process left in its group (an SST helper) goes too.
  killGroup(t.pid, 'SIGKILL');
}

/** SIGKILLs every live child's group (a signalled lab whose teardown takes too long). */
export function killAllTracked(): void {
  for (const t of live.values()) {
    killGroup(t.pid, 'SIGCONT');
    killGroup(t.pid, 'SIGKILL');
  }
}

export function liveProcesses(): Tracked[] {
  return [...live.values()];
}
