// Samples the machine's load once a second while the workload runs and appends each sample to
// machine.jsonl at once (lab/report/machine.ts reads them back). Never fails a run: without
// /proc (not Linux) it records nothing.

import { appendFileSync, readFileSync } from 'node:fs';
import {
  cpuShares,
  parseCpuTimes,
  parseLoad1,
  type CpuTimes,
  type MachineSample,
} from '../report/machine.ts';

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

export function startMachineSampler(
  file: string,
  sinceStartSec: () => number,
  everyMs = 1000,
): { stop(): void } {
  let prev: CpuTimes | null = null;
  const sample = () => {
    const load1 = parseLoad1(read('/proc/loadavg') ?? '');
    const cpu = parseCpuTimes(read('/proc/stat') ?? '');
    if (load1 === null) return;
    const shares = prev && cpu ? cpuShares(prev, cpu) : null;
    if (cpu) prev = cpu;
    const s: MachineSample = {
      t: Math.round(sinceStartSec() * 1000) / 1000,
      load1,
      busyPct: shares ? round1(shares.busyPct) : null,
      stealPct: shares ? round1(shares.stealPct) : null,
    };
    try {
      appendFileSync(file, `${JSON.stringify(s)}\n`);
    } catch {
      // a full disk costs the samples, not the run
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
    },
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
