// bbs-lab compare --repeat 2 of scenarios/client-configs.yaml on two configurations (its fault
// times scaled down to keep the test short): comparison.json's figures must equal what this test
// recomputes from each run's history.jsonl with its own simple code, and the partition's role
// target must have hit the node proxy1 routed to at that moment.

import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareConfigs } from '../../lab/runner/compare.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';
import { wholeBbsStretches } from './helpers.ts';

const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-compare-'));
test.after.always(() => rmSync(runsDir, { recursive: true, force: true }));

interface Ev {
  type: string;
  time: number;
  op?: number;
  client?: number;
  f?: string;
  node?: string;
  error?: { errno?: number };
  phase?: string;
  fault?: string;
  kind?: string;
  detail?: { target?: string; node?: string; to?: string | null };
}

const READS = new Set(['TaskByGuid', 'DesiredLRPByProcessGuid', 'ActualLRPByIndex']);
const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;

/** The figures of one run, recomputed from its history alone. */
function recompute(events: Ev[]) {
  const work = events.filter((e) => e.f !== 'FinalRead');
  const t0 = work.find((e) => e.type === 'invoke')!.time;
  const s = (t: number) => (t - t0) / 1e9;
  const completions = work.filter((e) => e.type === 'ok' || e.type === 'fail' || e.type === 'info');
  const ops = work.filter((e) => e.type === 'invoke').length;
  const end = Math.max(...work.filter((e) => e.type !== 'nemesis').map((e) => s(e.time)));
  // Longest stretches without an ok completion, from 0 to the workload's end.
  const gapsOf = (oks: number[]) => {
    const ts = [...oks].sort((a, b) => a - b);
    const gaps: { from: number; to: number }[] = [];
    let from = 0;
    for (const t of ts) {
      gaps.push({ from, to: t });
      from = t;
    }
    gaps.push({ from, to: end });
    return gaps;
  };
  const oks = completions.filter((e) => e.type === 'ok');
  const bbsGaps = gapsOf(oks.map((e) => s(e.time)));
  // The whole BBS's longest stretch, a lone success merged over (the reports' rule).
  const bbsOutageSec = Math.max(
    ...wholeBbsStretches(
      oks.map((e) => s(e.time)),
      end,
    ).map((g) => g.to - g.from),
  );
  const down = bbsGaps.filter((g) => g.to - g.from >= 1).reduce((a, g) => a + g.to - g.from, 0);
  // Writes per second in completion order; a second counts when the writers go back to a node
  // they had left (more node changes than distinct nodes − 1), not for a switchover.
  const perSec = new Map<number, string[]>();
  for (const e of [...oks].sort((a, b) => a.time - b.time)) {
    if (READS.has(e.f!) || !e.node) continue;
    const k = Math.floor(s(e.time));
    if (!perSec.has(k)) perSec.set(k, []);
    perSec.get(k)!.push(e.node);
  }
  const interleaved = (xs: string[]) =>
    xs.filter((x, i) => i > 0 && x !== xs[i - 1]).length > new Set(xs).size - 1;
  const clients = [...new Set(work.filter((e) => e.type === 'invoke').map((e) => e.client!))];
  const nem = events.filter((e) => e.type === 'nemesis');
  const faults = nem
    .filter((e) => e.phase === 'start')
    .map((st) => {
      const stop = nem.find((e) => e.phase === 'stop' && e.fault === st.fault);
      const rec = nem.find(
        (e) => e.phase === 'event' && e.kind === 'recovered' && e.fault === st.fault,
      );
      const from = s(st.time);
      const to = rec ? s(rec.time) : stop ? s(stop.time) : end;
      let worst = 0;
      for (const c of clients) {
        for (const g of gapsOf(oks.filter((e) => e.client === c).map((e) => s(e.time))))
          if (g.from <= to && g.to >= from) worst = Math.max(worst, g.to - g.from);
      }
      return { fault: st.fault!, node: st.detail?.node, worst, at: st.time };
    });
  return {
    ops,
    unknownOps: completions.filter((e) => e.type === 'info').length,
    deadlocksPerK: (1000 * completions.filter((e) => e.error?.errno === 1213).length) / ops,
    multiNodeSeconds: [...perSec.values()].filter(interleaved).length,
    bbsOutageSec,
    timeShare: 1 - down / end,
    faults,
  };
}

test('compare --repeat 2: every configuration on 2 seeds; comparison.json equals the figures recomputed from each history', async (t) => {
  // Six runs of ~45 s each (cluster start, 16 s of workload, final read, stop): one test, so AVA's
  // inactivity timeout is lifted for it.
  t.timeout(12 * 60_000);
  const text = readFileSync('scenarios/client-configs.yaml', 'utf8')
    .replace('duration: 60s', 'duration: 16s')
    .replace('at: 10s, duration: 10s', 'at: 3s, duration: 4s')
    .replace('at: 30s, duration: 15s', 'at: 9s, duration: 5s');
  const scenario = parseScenario(text, 'client-configs (short)');
  t.is(scenario.nemesis.schedule[1]!.target, 'isolate:active-of:proxy1');
  const res = await compareConfigs(scenario, ['single-proxy', 'multi-ip'], {
    seed: 11,
    repeat: 2,
    runsDir,
    addressBase: '127.0.65',
    log: (m) => t.log(m),
  });
  t.deepEqual(res.seeds, [11, 12]);
  const json = JSON.parse(readFileSync(join(res.dir, 'comparison.json'), 'utf8'));
  t.deepEqual(json.seeds, [11, 12]);
  t.is(json.figures.length, 4);
  for (const f of json.figures) {
    const where = `${f.config} seed ${f.seed}`;
    t.falsy(f.error, where);
    const events = readFileSync(join(res.dir, f.runId, 'history.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Ev);
    const r = recompute(events);
    t.is(f.ops, r.ops, `${where}: ops`);
    t.is(f.unknownOps, r.unknownOps, `${where}: unknown ops`);
    t.true(
      close(f.deadlocksPerK, r.deadlocksPerK),
      `${where}: 1213/1k ${f.deadlocksPerK} vs ${r.deadlocksPerK}`,
    );
    t.is(f.multiNodeSeconds, r.multiNodeSeconds, `${where}: multi-node s`);
    t.true(
      close(f.bbsOutageSec, r.bbsOutageSec),
      `${where}: BBS outage ${f.bbsOutageSec} vs ${r.bbsOutageSec}`,
    );
    t.true(
      close(f.timeShare, r.timeShare),
      `${where}: time share ${f.timeShare} vs ${r.timeShare}`,
    );
    t.deepEqual(
      f.faults.map((x: { fault: string }) => x.fault),
      r.faults.map((x) => x.fault),
      `${where}: faults`,
    );
    for (const [i, x] of (
      f.faults as { worstClientOutageSec: number; node?: string }[]
    ).entries()) {
      t.true(
        close(x.worstClientOutageSec, r.faults[i]!.worst),
        `${where}: ${r.faults[i]!.fault} worst client ${x.worstClientOutageSec} vs ${r.faults[i]!.worst}`,
      );
    }
    // The role target hit the node proxy1 routed to when the partition started: the last
    // active-backend change of proxy1 recorded before it.
    const part = r.faults.find((x) => x.fault === 'partition-2')!;
    const changes = events.filter(
      (e) =>
        e.type === 'nemesis' &&
        e.fault === 'proxy1' &&
        e.kind === 'proxy-active-changed' &&
        e.time < part.at,
    );
    t.truthy(part.node, `${where}: the partition names its node`);
    t.is(
      part.node,
      changes[changes.length - 1]?.detail?.to ?? undefined,
      `${where}: isolate:active-of:proxy1 hit proxy1's active node`,
    );
    t.is(f.faults[1].node, part.node);
  }
  const md = readFileSync(res.report, 'utf8');
  t.regex(md, /over 2 seeds/);
  t.regex(md, /2 runs, 50% interval for the median/);
  t.regex(md, /Repeat with `--seeds 11,12`/);
});
