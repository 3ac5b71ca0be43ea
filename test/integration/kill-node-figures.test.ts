// A fault run of scenarios/kill-node.yaml on a real Galera cluster: the report's outage, in-flight
// and absorbed-retry figures must equal what this test recomputes from history.jsonl with its own
// simple code (not the lab's report modules). The BBS client retries every error it may (the
// 2017-06 policy) so that retries have something to absorb while a node dies.

import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../lab/runner/run.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';
import { wholeBbsStretches } from './helpers.ts';

const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-runs-'));
test.after.always(() => rmSync(runsDir, { recursive: true, force: true }));

interface Line {
  type: string;
  time: number;
  op?: number;
  client?: number;
  key?: string;
  value?: unknown;
  f?: string;
  phase?: string;
  fault?: string;
  kind?: string;
  attempts?: number;
  retried?: unknown[];
}

/**
 * The longest stretch between consecutive success times (with 0 and end as bounds) that meets
 * [from, to].
 */
function longestMeeting(oks: number[], end: number, from: number, to: number): number {
  const points = [0, ...[...oks].sort((a, b) => a - b), end];
  let best = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (a <= to && b >= from) best = Math.max(best, b - a);
  }
  return best;
}

test('kill-node: outage per client and for the BBS, ops in flight and absorbed errors agree with the history', async (t) => {
  const base = parseScenario(
    readFileSync('scenarios/kill-node.yaml', 'utf8'),
    'scenarios/kill-node.yaml',
  );
  // The scenario's faults brought forward to keep the test short: the first kill (2–8 s) heals and
  // recovers inside the workload; the second (from 25 s) is still on when it ends at 29 s.
  const [first, second] = base.nemesis.schedule;
  const schedule = [
    { ...first!, at: 2, duration: 6 },
    { ...second!, at: 25, duration: 12 },
  ];
  const scenario = {
    ...base,
    nemesis: { ...base.nemesis, schedule },
    bbs: { ...base.bbs, version: '2017-06' as const },
  };
  const res = await runScenario(scenario, {
    duration: 29,
    seed: 3,
    runsDir,
    addressBase: '127.0.60',
    log: (m) => t.log(m),
  });
  const lines: Line[] = readFileSync(res.dir.history, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);
  const results = JSON.parse(readFileSync(res.dir.results, 'utf8')) as {
    stats: import('../../lab/report/stats.ts').RunStats;
  };
  const st = results.stats;

  // The test's own pairing: invoke → completion by op id; the final read is not the workload's.
  const invokes = new Map<number, Line>();
  const done = new Map<number, Line>();
  for (const l of lines) {
    if (l.f === 'FinalRead') continue;
    if (l.type === 'invoke') invokes.set(l.op!, l);
    else if (l.type === 'ok' || l.type === 'fail' || l.type === 'info') done.set(l.op!, l);
  }
  const t0 = Math.min(...[...invokes.values()].map((l) => l.time));
  // Every task result seen: by an ok op (at its invoke time) or in the final read (at +∞).
  const sightings: { key: string; result: string; at: number }[] = [];
  for (const l of lines) {
    if (l.type !== 'ok') continue;
    const v = l.value as
      | { record?: { result?: string } | null; tasks?: { taskGuid: string; result: string }[] }
      | undefined;
    if (l.f === 'FinalRead')
      for (const x of v?.tasks ?? [])
        sightings.push({ key: `task/${x.taskGuid}`, result: x.result, at: Infinity });
    else if (l.key?.startsWith('task/') && v?.record?.result)
      sightings.push({ key: l.key, result: v.record.result, at: invokes.get(l.op!)!.time });
  }
  const sec = (ns: number) => (ns - t0) / 1e9;
  let end = 0;
  for (const [id, inv] of invokes)
    end = Math.max(end, sec(inv.time), done.has(id) ? sec(done.get(id)!.time) : 0);
  const clients = [...new Set([...invokes.values()].map((l) => l.client!))].sort((a, b) => a - b);
  const oksOf = (c: number | null) =>
    [...done.values()]
      .filter((l) => l.type === 'ok' && (c === null || l.client === c))
      .map((l) => sec(l.time));

  const nem = lines.filter((l) => l.type === 'nemesis');
  const starts = nem.filter((l) => l.phase === 'start');
  t.deepEqual(
    starts.map((l) => l.fault),
    ['kill-1', 'kill-2'],
  );
  t.is(st.availability.faults.length, 2);
  for (const [i, s] of starts.entries()) {
    const id = s.fault!;
    const start = sec(s.time);
    const stop = nem.find((l) => l.phase === 'stop' && l.fault === id);
    const rec = nem.find((l) => l.phase === 'event' && l.kind === 'recovered' && l.fault === id);
    const wEnd = rec ? sec(rec.time) : stop ? sec(stop.time) : end;
    const f = st.availability.faults[i]!;
    t.is(f.fault, id);
    t.is(f.recovered, rec ? sec(rec.time) : null);
    const perClient = clients.map((c) => longestMeeting(oksOf(c), end, start, wEnd));
    t.deepEqual(
      clients.map((c) => Math.round(f.clientOutageSec[String(c)]! * 1e6)),
      perClient.map((x) => Math.round(x * 1e6)),
      `${id}: each client's outage`,
    );
    const worst = Math.max(...perClient);
    t.is(Math.round(f.worstClientOutageSec * 1e6), Math.round(worst * 1e6), `${id}: worst client`);
    t.is(f.clientOutageSec[f.worstClient!], f.worstClientOutageSec);
    const sorted = [...perClient].sort((a, b) => a - b);
    const median =
      sorted.length % 2
        ? sorted[(sorted.length - 1) / 2]!
        : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    t.is(
      Math.round(f.medianClientOutageSec * 1e6),
      Math.round(median * 1e6),
      `${id}: median client`,
    );
    // The whole BBS: its stretches with a lone success merged over (the reports' rule), the longest
    // meeting the window.
    const bbs = Math.max(
      0,
      ...wholeBbsStretches(oksOf(null), end)
        .filter((g) => g.from <= wEnd && g.to >= start)
        .map((g) => g.to - g.from),
    );
    t.is(Math.round(f.bbsOutageSec * 1e6), Math.round(bbs * 1e6), `${id}: whole BBS`);
    // In flight: invoked before the fault, completed after it (or never).
    const flight = {
      ops: 0,
      ok: 0,
      fail: 0,
      info: 0,
      unfinished: 0,
      unknown: { seen: 0, notSeen: 0, cannotTell: 0 },
    };
    for (const [opId, inv] of invokes) {
      const c = done.get(opId);
      if (sec(inv.time) < start && (!c || sec(c.time) > start)) {
        flight.ops++;
        flight[(c?.type ?? 'unfinished') as 'ok' | 'fail' | 'info' | 'unfinished']++;
        if (c && c.type !== 'info') continue;
        // Committed? Only a CompleteTask's unique result, read back later or in the final read,
        // says so.
        const result =
          inv.f === 'CompleteTask' ? (inv.value as { args: { result: string } }).args.result : null;
        if (!result) flight.unknown.cannotTell++;
        else if (
          sightings.some((x) => x.key === inv.key && x.result === result && x.at >= inv.time)
        )
          flight.unknown.seen++;
        else flight.unknown.notSeen++;
      }
    }
    t.deepEqual(f.inFlight, flight, `${id}: ops in flight`);
    // Failed and unknown completions in the window, whatever their label.
    const inWindow = [...done.values()].filter(
      (l) => l.type !== 'ok' && sec(l.time) >= start && sec(l.time) <= wEnd,
    ).length;
    t.is(
      Object.values(f.errors).reduce((a, b) => a + b, 0),
      inWindow,
      `${id}: errors in its window`,
    );
  }
  // The first kill heals inside the workload and the system comes back: its window ends at the
  // recovery.
  const k1 = st.availability.faults[0]!;
  t.not(k1.healed, null);
  t.not(
    k1.recovered,
    null,
    'kill-1: the restarted node rejoined and the proxy saw it healthy within the run',
  );
  t.true(k1.recovered! >= k1.healed!);
  t.true(
    k1.worstClientOutageSec > 0 && k1.worstClientOutageSec >= k1.bbsOutageSec,
    'the worst client waited at least as long as the whole BBS',
  );

  // Absorbed by retries: every `retried` error, and every op attempted more than once.
  const completions = [...done.values()];
  const absorbed = completions.reduce((a, l) => a + (l.retried?.length ?? 0), 0);
  const retriedOps = completions.filter(
    (l) => (l.retried?.length ?? 0) > 0 || (l.attempts ?? 1) > 1,
  );
  t.is(
    Object.values(st.retries.absorbed).reduce((a, b) => a + b, 0),
    absorbed,
  );
  t.is(st.retries.opsRetried, retriedOps.length);
  t.deepEqual(st.retries.retriedOutcome, {
    ok: retriedOps.filter((l) => l.type === 'ok').length,
    fail: retriedOps.filter((l) => l.type === 'fail').length,
    info: retriedOps.filter((l) => l.type === 'info').length,
  });
  t.log(`absorbed ${absorbed} error(s) in ${retriedOps.length} retried op(s)`);

  // report.md prints the same figures, the fault first.
  const md = readFileSync(res.dir.report, 'utf8');
  // The short answer names the outage; the fault-by-fault sentences are in its "In detail"
  // paragraph.
  const answer = md.split('\n').find((l) => l.startsWith('**In detail.**'))!;
  // kill-node.yaml kills the node proxy1 routes to (a role target), named with the node it resolved
  // to.
  const target =
    k1.node !== undefined && k1.node !== k1.target ? `${k1.target} \\(${k1.node}\\)` : k1.target;
  const cell =
    k1.node !== undefined && k1.node !== k1.target ? `${k1.target} → ${k1.node}` : k1.target;
  t.regex(
    answer,
    new RegExp(`^\\*\\*In detail\\.\\*\\* 2 fault\\(s\\)\\. kill ${target} at `),
    answer.slice(0, 200),
  );
  t.true(
    answer.includes(
      `no client had a success for ${k1.bbsOutageSec.toFixed(1)} s; the worst client (client ${k1.worstClient}) had none for ${k1.worstClientOutageSec.toFixed(1)} s`,
    ),
  );
  t.regex(
    md,
    new RegExp(
      `\\| kill-1 \\| ${cell} \\| [0-9.]+ – [0-9.]+ – [0-9.]+ \\| ${k1.bbsOutageSec.toFixed(1)} s \\| ${k1.medianClientOutageSec.toFixed(1)} s \\| ${k1.worstClientOutageSec.toFixed(1)} s \\(client ${k1.worstClient}\\) \\| ${k1.inFlight.ops}`,
    ),
  );
  if (absorbed > 0)
    t.true(md.includes(`Retries absorbed ${absorbed.toLocaleString('en-US')} error(s)`));
  t.regex(md, /## Lab events\n\nSeconds since the first op\.\n\n- -?\d+\.\d s: /);
  t.regex(md, /\d+\.\d s: kill-1: the system is back to its pre-fault state/);
});
