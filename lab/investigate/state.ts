// The campaign's state file (state.json in the campaign's run directory), written after every
// run and before each one starts, so a resumed campaign (--resume, or a re-run after Ctrl-C or a
// crash) skips what finished and runs again what was interrupted. A run still marked `running`
// when the state is read was interrupted: its directory stays (marked interrupted by the runner)
// and it is redone.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Provenance } from '../provenance.ts';
import type { PhaseTimes } from '../runner/phases.ts';

export type RunStatus = 'pending' | 'running' | 'done' | 'failed';

export interface RunRecord {
  key: string;
  question: string;
  variant: string;
  seed: number;
  status: RunStatus;
  /** The run directory, relative to the campaign's run directory. */
  dir?: string;
  nodes: number;
  durationSec: number;
  wallSec?: number;
  /**
   * Seconds per phase (lab/runner/phases.ts), and whether the run reused the last run's cluster.
   */
  phases?: PhaseTimes;
  start?: 'warm' | 'cold';
  error?: string;
  /** Directories of earlier attempts that were interrupted. */
  interrupted?: string[];
  /** The seed's block (plan.ts): runs go block by block. */
  block?: number;
  /**
   * The key of the run with the same scenario and seed that this one shares: it is not run; its
   * status, directory and results are that run's (resolveShared).
   */
  sameAs?: string;
}

export interface Machine {
  cores: number;
  cpuModel: string;
  memGiB: number;
  platform: string;
}

export interface CampaignState {
  version: 1;
  campaign: string;
  /** The campaign file as given, and the command that regenerates the findings. */
  campaignFile: string;
  command: string;
  budgetSec: number | null;
  /** Seeds the shuffle within blocks (plan.ts); kept on resume so the order stays. */
  orderSeed?: number;
  /** Runs whose rate did not keep up count in the figures (--include-unkept). */
  includeUnkept?: boolean;
  /** Seeds per variant for every question when --seeds set them (a resume keeps the count). */
  seeds?: number;
  machine: Machine;
  /** What ran the runs: one entry per invocation that ran any, with when it started. */
  provenance?: (Provenance & { at: string })[];
  startedAt: string;
  updatedAt: string;
  runs: RunRecord[];
}

export const STATE_FILE = 'state.json';

export function readState(dir: string): CampaignState | null {
  const f = join(dir, STATE_FILE);
  if (!existsSync(f)) return null;
  const s = JSON.parse(readFileSync(f, 'utf8')) as CampaignState;
  if (s.version !== 1 || !Array.isArray(s.runs))
    throw new Error(`${f}: not a campaign state file (version 1)`);
  return s;
}

/** Written to a temp file and renamed, so a crash mid-write never leaves half a state. */
export function writeState(dir: string, s: CampaignState): void {
  const f = join(dir, STATE_FILE);
  writeFileSync(`${f}.tmp`, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(`${f}.tmp`, f);
}

/**
 * The state's runs merged with a plan's: finished runs are kept as they are, an interrupted one
 * (`running`) goes back to pending with its directory remembered, planned runs not yet in the
 * state are added. Runs of the state that the plan no longer holds are kept (their results still
 * count) but not run.
 */
export function mergeRuns(
  existing: readonly RunRecord[],
  planned: readonly Omit<RunRecord, 'status'>[],
): RunRecord[] {
  const byKey = new Map(existing.map((r) => [r.key, r]));
  const out: RunRecord[] = [];
  for (const p of planned) {
    const old = byKey.get(p.key);
    byKey.delete(p.key);
    // A pending record takes the plan's view (its block, whether it shares another run).
    if (!old || old.status === 'pending') {
      const { sameAs: _s, block: _b, ...keep } = old ?? ({} as Partial<RunRecord>);
      out.push({ ...keep, ...p, status: 'pending' });
    } else if (old.status === 'running') {
      const { dir, ...rest } = old;
      out.push({
        ...rest,
        status: 'pending',
        interrupted: [...(old.interrupted ?? []), ...(dir ? [dir] : [])],
      });
    } else out.push(old);
  }
  for (const rest of byKey.values())
    out.push(
      rest.status === 'running'
        ? { ...rest, status: 'failed', error: 'interrupted, and no longer in the plan' }
        : rest,
    );
  return out;
}

/** Runs a resumed campaign still has to do, in plan order (a shared run is done by its owner). */
export function toRun(runs: readonly RunRecord[], planned: ReadonlySet<string>): RunRecord[] {
  return runs.filter((r) => r.status === 'pending' && planned.has(r.key) && r.sameAs === undefined);
}

/**
 * Records with a shared run's outcome filled in from the run it shares (status, directory, wall
 * time, error); `sameAs` stays so reports can say so.
 */
export function resolveShared(runs: readonly RunRecord[]): RunRecord[] {
  const byKey = new Map(runs.map((r) => [r.key, r]));
  return runs.map((r) => {
    const owner = r.sameAs !== undefined ? byKey.get(r.sameAs) : undefined;
    if (!owner) return r;
    const { dir: _d, wallSec: _w, error: _e, ...rest } = r;
    return {
      ...rest,
      status: owner.status,
      ...(owner.dir !== undefined ? { dir: owner.dir } : {}),
      ...(owner.wallSec !== undefined ? { wallSec: owner.wallSec } : {}),
      ...(owner.error !== undefined ? { error: owner.error } : {}),
    };
  });
}

/** Shared records take their owner's outcome in place once the owner has finished (or failed). */
export function syncShared(runs: RunRecord[]): void {
  const resolved = resolveShared(runs);
  runs.forEach((r, i) => {
    const owner = r.sameAs !== undefined ? runs.find((x) => x.key === r.sameAs) : undefined;
    if (owner && (owner.status === 'done' || owner.status === 'failed')) runs[i] = resolved[i]!;
  });
}
