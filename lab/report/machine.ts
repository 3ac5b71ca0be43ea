// The machine's load through a run: one sample a second of the 1-min load average (/proc/loadavg)
// and of the CPU's busy and steal shares since the previous sample (/proc/stat's aggregate "cpu"
// line). The runner appends each sample to machine.jsonl as it is taken (lab/runner/machine-
// sampler.ts), so an interrupted run keeps them; results.json stores the summary as `machine`.
// Pure: text in, numbers out.

export interface CpuTimes {
  /** All jiffies of the aggregate line (user … steal; guest time is already inside user). */
  total: number;
  /** idle + iowait: the CPU had nothing to run. */
  idle: number;
  /** Time a hypervisor gave this machine's CPUs to someone else. */
  steal: number;
}

export interface MachineSample {
  /** Seconds since the workload's start. */
  t: number;
  load1: number;
  /**
   * Share of CPU time spent running anything (neither idle, iowait nor steal), %; null for the
   * first sample.
   */
  busyPct: number | null;
  stealPct: number | null;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface MachineSummary {
  samples: number;
  cores: number | null;
  load1: Spread | null;
  busyPct: Spread | null;
  stealPct: Spread | null;
}

/** The aggregate `cpu` line of /proc/stat, or null when there is none. */
export function parseCpuTimes(procStat: string): CpuTimes | null {
  const line = procStat.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return null;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((x) => !Number.isFinite(x))) return null;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return {
    total: user + nice + system + idle + iowait + irq + softirq + steal,
    idle: idle + iowait,
    steal,
  };
}

/** The 1-min load average of /proc/loadavg, or null. */
export function parseLoad1(procLoadavg: string): number | null {
  const x = Number(procLoadavg.trim().split(/\s+/)[0]);
  return procLoadavg.trim() === '' || !Number.isFinite(x) ? null : x;
}

/** Busy and steal shares between two readings (%); null when no time passed. */
export function cpuShares(
  prev: CpuTimes,
  cur: CpuTimes,
): { busyPct: number; stealPct: number } | null {
  const total = cur.total - prev.total;
  if (total <= 0) return null;
  const steal = cur.steal - prev.steal;
  const busy = total - (cur.idle - prev.idle) - steal;
  return { busyPct: (100 * busy) / total, stealPct: (100 * steal) / total };
}

/** Median of the middle two for an even count. */
function spread(xs: number[]): Spread | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return {
    min: s[0]!,
    median: s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2,
    max: s[s.length - 1]!,
  };
}

export function summarizeMachine(
  samples: readonly MachineSample[],
  cores: number | null,
): MachineSummary {
  const of = (k: 'busyPct' | 'stealPct') =>
    samples.map((x) => x[k]).filter((v): v is number => v !== null);
  return {
    samples: samples.length,
    cores,
    load1: spread(samples.map((x) => x.load1)),
    busyPct: spread(of('busyPct')),
    stealPct: spread(of('stealPct')),
  };
}

/** machine.jsonl's samples; lines that do not parse (a torn last line) are left out. */
export function parseMachineJsonl(text: string): MachineSample[] {
  const out: MachineSample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const x = JSON.parse(line) as MachineSample;
      if (typeof x.t === 'number' && typeof x.load1 === 'number') out.push(x);
    } catch {
      // torn
    }
  }
  return out;
}
