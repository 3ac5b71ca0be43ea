// Offered load against machine load: one small scenario run idle and with CPU hogs
// beside it, at the default offered rate and closed-loop. At the offered rate both runs keep it
// (the keep-up rule of lab/report/rate.ts) and their headline figures agree; closed-loop the op
// count follows the load. Asserts only what holds on a noisy shared 2-core machine: the rule's
// verdict, counts within tolerances, never a speed.

import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../lab/runner/run.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';
import { DEFAULT_RATE_PER_CLIENT, type ClientRate } from '../../lab/scenario/types.ts';
import type { RateRecord } from '../../lab/report/rate.ts';
import type { MachineSummary } from '../../lab/report/machine.ts';

const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-rate-'));
test.after.always(() => rmSync(runsDir, { recursive: true, force: true }));

// Busy-loop children, one per core: killed after each run, and on any failure or exit.
const HOGS = cpus().length;
const hogs = new Set<ChildProcess>();
const killHogs = () => {
  for (const h of hogs) h.kill('SIGKILL');
  hogs.clear();
};
process.on('exit', killHogs);
test.afterEach.always(killHogs);

// One node, clients straight to it: the smallest cluster, so the hog's share of the CPU shows.
const SCENARIO = `
name: offered-load
question: Does the offered rate hold whatever the machine's load?
duration: 10s
topology: { nodes: 1, proxies: 0 }
clients: { count: 6, via: nodes, poolSize: 2 }
workload: { tasks: 2, desiredLRPs: 2, instances: 2, cells: 3 }
`;

interface Outcome {
  ops: number;
  deadlocks: number;
  rate: RateRecord;
  machine: MachineSummary | null;
  provenance: { lab: { commit: string | null } } | null;
}

async function run(
  t: { log: (...m: unknown[]) => void },
  rate: ClientRate,
  hog: boolean,
  base: string,
): Promise<Outcome> {
  const s = parseScenario(SCENARIO);
  s.clients.rate = rate;
  if (hog)
    for (let i = 0; i < HOGS; i++)
      hogs.add(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  try {
    const res = await runScenario(s, { seed: 7, runsDir, addressBase: base, log: () => {} });
    const r = JSON.parse(readFileSync(res.dir.results, 'utf8')) as {
      stats: { ops: number; errors: Record<string, number> };
      rate: RateRecord;
      machine: MachineSummary | null;
      provenance: Outcome['provenance'];
    };
    const deadlocks = Object.entries(r.stats.errors)
      .filter(([k]) => k.startsWith('1213'))
      .reduce((a, [, n]) => a + n, 0);
    const out = {
      ops: r.stats.ops,
      deadlocks,
      rate: r.rate,
      machine: r.machine,
      provenance: r.provenance,
    };
    t.log(
      `${rate} ops/s, ${hog ? `${HOGS} hogs` : 'no hog'}: ${out.ops} ops, ${deadlocks} 1213s, achieved ${r.rate.achieved.toFixed(1)} ops/s, slots ${JSON.stringify(r.rate.slots)}, lag ${JSON.stringify(r.rate.lagMs)}, kept up ${r.rate.keptUp}; load ${JSON.stringify(r.machine?.load1)} busy ${JSON.stringify(r.machine?.busyPct)}`,
    );
    return out;
  } finally {
    killHogs();
  }
}

/**
 * Two counts of rare events agree within three standard deviations of a Poisson count (plus a few).
 */
const countsAgree = (a: number, b: number) => Math.abs(a - b) <= 3 * Math.sqrt((a + b) / 2) + 3;

test.serial(
  'at the offered rate, the run keeps it idle and beside CPU hogs, and its figures agree',
  async (t) => {
    const idle = await run(t, DEFAULT_RATE_PER_CLIENT, false, '127.0.72');
    const hogged = await run(t, DEFAULT_RATE_PER_CLIENT, true, '127.0.72');
    for (const [name, r] of [
      ['idle', idle],
      ['beside the hogs', hogged],
    ] as const) {
      t.is(r.rate.offered, 6 * DEFAULT_RATE_PER_CLIENT, name);
      t.true(r.rate.keptUp, `${name}: kept up (${JSON.stringify(r.rate.judged)})`);
      // The machine was sampled through the run, and the run knows what produced it.
      t.true((r.machine?.samples ?? 0) >= 5, `${name}: machine samples`);
      t.truthy(r.provenance?.lab.commit, `${name}: provenance`);
    }
    // Every slot is issued or skipped, and a kept-up run misses at most 5% of what it answers for,
    // so the op counts of the two runs agree closely: within 10%.
    t.true(Math.abs(idle.ops - hogged.ops) <= 0.1 * idle.ops, `ops ${idle.ops} and ${hogged.ops}`);
    t.true(
      countsAgree(idle.deadlocks, hogged.deadlocks),
      `1213s ${idle.deadlocks} and ${hogged.deadlocks}`,
    );
  },
);

test.serial(
  'closed loop, the op count follows the machine: fewer ops beside CPU hogs',
  async (t) => {
    const idle = await run(t, 'closed', false, '127.0.73');
    const hogged = await run(t, 'closed', true, '127.0.73');
    t.is(idle.rate.offered, null);
    t.true(idle.rate.keptUp && hogged.rate.keptUp, 'nothing offered, nothing to keep');
    // The closed loop's count is what the machine gave it; the hogs take a share of the CPU.
    t.true(hogged.ops < 0.9 * idle.ops, `ops ${idle.ops} idle, ${hogged.ops} beside the hogs`);
    // …and it ran far more ops than the offered rate would have: the loop is not paced.
    t.true(idle.ops > 2 * 6 * DEFAULT_RATE_PER_CLIENT * 10, `ops ${idle.ops}`);
  },
);
