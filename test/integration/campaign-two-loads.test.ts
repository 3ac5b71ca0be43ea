// One small campaign file run twice on real 1-node Galera clusters, the second time with a CPU hog
// per core beside it (issue 22's acceptance: answers that reproduce under another load). At an
// offered rate, every run of both sittings keeps it, and each variant's headline figure (ops run)
// differs between the sittings by no more than the keep-up rule lets a run miss; the variants'
// BBS commits are named the same in both. Asserts no speed: only the rule's verdicts and counts.

import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCampaign } from '../../lab/investigate/campaign.ts';
import { investigate } from '../../lab/investigate/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-two-loads-'));
const hogs = new Set<ChildProcess>();
const killHogs = () => {
  for (const h of hogs) h.kill('SIGKILL');
  hogs.clear();
};
process.on('exit', killHogs);
test.after.always(() => {
  killHogs();
  rmSync(dir, { recursive: true, force: true });
});

// 4 clients × 10 ops/s × 6 s = 240 slots per run.
const SLOTS = 240;
writeFileSync(
  join(dir, 'small.yaml'),
  'name: small\nquestion: q\nduration: 6s\ntopology: { nodes: 1, proxies: 0 }\nclients: { count: 4, via: nodes, rate: 10 }\nworkload: { tasks: 2, desiredLRPs: 2, instances: 2, cells: 3 }\n',
);
const CAMPAIGN = `
name: two-loads
title: One campaign, two machine loads
questions:
  - id: q
    question: Do the figures follow the offered load rather than the machine?
    scenario: small.yaml
    variants:
      - { name: v2016-05, overrides: { bbs.version: 2016-05 } }
      - { name: today, overrides: { bbs.version: today } }
    seeds: [1, 2]
    metrics: [ops, okShare, anomalyEvents]
`;

interface Fig {
  median: number;
  low: number;
  high: number;
}
interface Findings {
  questions: {
    variants: {
      name: string;
      systemUnderTest: string[];
      metrics: Record<string, Fig>;
      runs: { keptUp?: boolean | null }[];
    }[];
  }[];
}

async function sitting(
  name: string,
  hog: boolean,
  base: string,
  log: (m: string) => void,
): Promise<Findings> {
  const file = join(dir, 'two-loads.yaml');
  writeFileSync(file, CAMPAIGN);
  if (hog)
    for (let i = 0; i < cpus().length; i++)
      hogs.add(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  try {
    const findingsDir = join(dir, name, 'findings');
    const r = await investigate(parseCampaign(CAMPAIGN, file), {
      budgetSec: null,
      command: `node bin/bbs-lab.js investigate ${file}`,
      runsDir: join(dir, name, 'runs'),
      findingsDir,
      addressBase: base,
      log,
    });
    if (!r.complete) throw new Error(`${name}: the campaign did not complete`);
    return JSON.parse(readFileSync(join(findingsDir, 'findings.json'), 'utf8')) as Findings;
  } finally {
    killHogs();
  }
}

test('a campaign at an offered rate gives the same headline figures idle and beside CPU hogs', async (t) => {
  const idle = await sitting('idle', false, '127.0.99', (m) => t.log(m));
  const busy = await sitting('busy', true, '127.0.99', (m) => t.log(m));
  for (const [i, v] of idle.questions[0]!.variants.entries()) {
    const w = busy.questions[0]!.variants[i]!;
    t.is(w.name, v.name);
    t.deepEqual(w.systemUnderTest, v.systemUnderTest, `${v.name}: the same BBS commit named`);
    t.true(
      v.systemUnderTest.length === 1 &&
        /^BBS (2016-05|today) \([0-9a-f]{8}, /.test(v.systemUnderTest[0]!),
      v.systemUnderTest.join(),
    );
    for (const [sit, x] of [
      ['idle', v],
      ['busy', w],
    ] as const) {
      t.true(
        x.runs.length === 2 && x.runs.every((r) => r.keptUp === true),
        `${sit} ${x.name}: every run kept its rate (${JSON.stringify(x.runs)})`,
      );
    }
    // Kept up means at most 5% of the slots missed: the medians can differ by that much, no more.
    const a = v.metrics.ops!.median;
    const b = w.metrics.ops!.median;
    t.log(
      `${v.name}: ops idle ${a} [${v.metrics.ops!.low}–${v.metrics.ops!.high}], beside hogs ${b} [${w.metrics.ops!.low}–${w.metrics.ops!.high}]`,
    );
    t.true(
      Math.abs(a - b) <= 0.05 * SLOTS,
      `${v.name}: ops medians ${a} and ${b} within the keep-up tolerance`,
    );
    t.true(
      a >= 0.95 * SLOTS && b >= 0.95 * SLOTS,
      `${v.name}: both sittings ran their slots (${a}, ${b} of ${SLOTS})`,
    );
    t.is(v.metrics.anomalyEvents!.high, 0, `${v.name}: a clean run reports no anomaly (idle)`);
    t.is(
      w.metrics.anomalyEvents!.high,
      0,
      `${v.name}: a clean run reports no anomaly (beside hogs)`,
    );
  }
});
