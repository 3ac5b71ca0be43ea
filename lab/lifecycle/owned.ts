// What the local provider leaves on the machine while a cluster runs, and how `bbs-lab cleanup`
// finds it after a lab that was killed too hard to clean up (SIGKILL, power loss): temp dirs named
// with TEMP_PREFIX that hold OWNER_FILE. Only those dirs, and only processes whose command line
// names a config inside them, are touched; nothing else on a shared machine is.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killGroup } from './processes.ts';
import { processAlive } from './process-alive.ts';

export const TEMP_PREFIX = 'bbs-lab-';
export const OWNER_FILE = 'bbs-lab-owner.json';

/**
 * A fresh temp dir the lab owns: named with TEMP_PREFIX (plus `tag`, e.g. 'docker-'), holding
 * OWNER_FILE with this process's pid, the time and `purpose`, so `cleanup` finds it if the lab dies
 * before removing it. The caller removes it when done.
 */
export function ownedTempDir(
  purpose: Record<string, unknown>,
  opts: { tag?: string; root?: string } = {},
): string {
  const dir = mkdtempSync(join(opts.root ?? tmpdir(), `${TEMP_PREFIX}${opts.tag ?? ''}`));
  writeFileSync(
    join(dir, OWNER_FILE),
    JSON.stringify({ pid: process.pid, started: new Date().toISOString(), ...purpose }, null, 2),
  );
  return dir;
}

export interface LeftOver {
  dir: string;
  ownerPid: number | null;
  ownerAlive: boolean;
  /** Processes (pid, cmdline) whose command line points into the dir. */
  processes: { pid: number; cmdline: string }[];
}

function processesUsing(dir: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    if (cmdline.includes(`${dir}/`)) found.push({ pid: Number(entry), cmdline });
  }
  return found;
}

/** Lab temp dirs on this machine, with whether the lab that made them still runs. */
export function findLeftOvers(root = tmpdir()): LeftOver[] {
  const out: LeftOver[] = [];
  for (const name of readdirSync(root)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = join(root, name);
    const ownerPath = join(dir, OWNER_FILE);
    if (!existsSync(ownerPath)) continue;
    let ownerPid: number | null = null;
    try {
      ownerPid =
        Number((JSON.parse(readFileSync(ownerPath, 'utf8')) as { pid?: number }).pid) || null;
    } catch {
      ownerPid = null;
    }
    out.push({
      dir,
      ownerPid,
      ownerAlive: ownerPid !== null && processAlive(ownerPid),
      processes: processesUsing(dir),
    });
  }
  return out;
}

/**
 * Kills the processes of abandoned lab dirs and removes the dirs; a dir whose lab still runs is
 * left alone unless `force`.
 */
export function removeLeftOvers(opts: { force?: boolean; root?: string } = {}): LeftOver[] {
  const removed: LeftOver[] = [];
  for (const l of findLeftOvers(opts.root)) {
    if (l.ownerAlive && !opts.force) continue;
    for (const p of l.processes) killGroup(p.pid, 'SIGKILL');
    rmSync(l.dir, { recursive: true, force: true });
    removed.push(l);
  }
  return removed;
}
