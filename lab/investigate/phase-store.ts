// What runs measured on this machine, kept between campaigns so `investigate --plan` estimates a
// new campaign from this machine's own phase times (plan.ts) instead of a guess:
// <runs dir>/phase-times.json, the last RECENT runs per machine (its cores, CPU model and memory).

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Measured } from './plan.ts';
import type { Machine } from './state.ts';

export const PHASE_STORE = 'phase-times.json';
/**
 * Enough runs for a median per node count and start; old enough ones fall out as the machine
 * changes.
 */
export const RECENT = 60;

interface Store {
  version: 1;
  machines: Record<string, Measured[]>;
}

export const machineId = (m: Machine): string =>
  `${m.cores} × ${m.cpuModel}, ${Math.round(m.memGiB)} GiB`;

function read(runsDir: string): Store {
  const f = join(runsDir, PHASE_STORE);
  if (!existsSync(f)) return { version: 1, machines: {} };
  try {
    const s = JSON.parse(readFileSync(f, 'utf8')) as Store;
    return s && typeof s.machines === 'object' ? s : { version: 1, machines: {} };
  } catch {
    return { version: 1, machines: {} };
  }
}

/** The runs measured on this machine, oldest first. */
export function storedMeasured(runsDir: string, machine: Machine): Measured[] {
  return read(runsDir).machines[machineId(machine)] ?? [];
}

/** Adds a finished run's figures (written whole, then renamed: a crash leaves the old file). */
export function recordMeasured(runsDir: string, machine: Machine, m: Measured): void {
  const s = read(runsDir);
  const id = machineId(machine);
  s.machines[id] = [...(s.machines[id] ?? []), m].slice(-RECENT);
  const f = join(runsDir, PHASE_STORE);
  writeFileSync(`${f}.tmp`, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(`${f}.tmp`, f);
}
