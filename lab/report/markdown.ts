// report.md: answers the scenario's question in a few sentences with numbers first, then the
// detail tables. Pure: scenario, stats and checker verdicts in, Markdown out. Credentials never
// reach this function, so they cannot reach the report.

import { bbsIdentity, scenarioBbs } from '../scenario/bbs-profile.ts';
import type { AnomalyEventSummary } from './anomaly-events.ts';
import { unplannedSentence } from './quorum-loss.ts';
import type { Scenario } from '../scenario/types.ts';
import { clientConfig } from '../client/configs/index.ts';
import {
  FAULT_TABLE_HEADER,
  faultNotes,
  faultSentence,
  faultTableRows,
  labelsText,
} from './fault-table.ts';
import { answerSentences } from './answer.ts';
import { MERGE_RULE } from './stretches.ts';
import { absorbedTotal } from './retries.ts';
import type { RunStats } from './stats.ts';
import { verdictHeadline, type CheckSummary } from './verdicts.ts';
import type { RateRecord } from './rate.ts';
import type { MachineSummary } from './machine.ts';
import { machineSentence, notKeptNotice, rateSentence } from './rate-text.ts';

export type { CheckSummary };

export interface ReportInput {
  scenario: Scenario;
  seed: number;
  runId: string;
  stats: RunStats;
  check?: CheckSummary;
  /** Set when the run did not end normally (Ctrl-C, a crash): the report says so first. */
  interrupted?: string;
  /**
   * Lab notes not in the history (cluster provider, a failed final read); timed lab events come
   * from the stats.
   */
  notes?: string[];
  /** The checkers' evidence section (report/evidence.ts), shown right after the answer. */
  evidence?: string;
  /** The workload reach section (report/reach.ts), after the ops table. */
  reach?: string;
  /** File name of the timeline chart beside the report (report/timeline.ts). */
  timeline?: string;
  /** The distinct anomaly events (report/anomaly-events.ts). */
  anomalies?: AnomalyEventSummary;
  /** Offered against achieved load (report/rate.ts); null for a history without a schedule. */
  rate?: RateRecord | null;
  /** The machine's load through the workload (report/machine.ts). */
  machine?: MachineSummary | null;
  /** The outage-by-part section (report/outage-parts-md.ts), after the fault table. */
  outageParts?: string;
  /** The command that repeats the run (report/repeat.ts); without it, the generic form. */
  repeat?: string;
}

/**
 * A share as a percentage; small non-zero shares keep two significant digits rather than rounding
 * to 0.
 */
export function pct(n: number, d: number): string {
  if (d === 0 || n === 0) return '0%';
  if (n === d) return '100%';
  const p = (100 * n) / d;
  return p < 0.1 ? `${p.toPrecision(2)}%` : `${p.toFixed(1)}%`;
}
const fmt = (n: number) => n.toLocaleString('en-US');

function table(header: string[], rows: (string | number)[][]): string {
  if (rows.length === 0) return '_none_\n';
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return `${[line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')}\n`;
}

function topologySentence(s: Scenario): string {
  const t = s.topology;
  const over =
    s.clients.via === 'nodes'
      ? `the ${t.nodes} nodes directly`
      : `${t.proxies} switchboard prox${t.proxies === 1 ? 'y' : 'ies'} (rule ${t.proxyRule})`;
  const route = `${s.clients.via === 'nodes' ? 'straight to' : 'through'} ${over}: ${clientConfig(s.clients.config).describe(s)}`;
  const what = s.workload.kind === 'bbs' ? 'BBS operations' : 'list-append transactions';
  return `${s.clients.count} clients ran ${what} for ${s.duration} s on a ${t.nodes}-node Galera cluster, ${route}; ${bbsSentence(s)}${s.clients.backoffMs > 0 ? `; after a failed or unknown op a client waited ${s.clients.backoffMs} ms${s.clients.backoffMs === 500 ? " (the real BBS's pause before it retries a transaction, db/sqldb/helpers/transact.go)" : ''}` : '; a client went on at once after a failed op (no backoff), so outages show as many fast failures'}.`;
}

/** "7.3 s" for a gap, or "—". */
const sec = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : `${x.toFixed(1)} s`;

/**
 * What happened first: each fault with the outage its clients saw, and how available the BBS was.
 */
function happenedSentences(st: RunStats): string[] {
  const out: string[] = [];
  const a = st.availability;
  if (a.faults.length > 0)
    out.push(`${a.faults.length} fault(s). ${a.faults.map(faultSentence).join(' ')}`);
  const done = st.byOutcome.ok + st.byOutcome.fail + st.byOutcome.info;
  if (done > 0) {
    out.push(
      `The BBS was available ${pct(Math.round(a.timeShare * 1000), 1000)} of the time (outside stretches of 1 s or more with no successful op by any client; ` +
        `${pct(Math.round(st.secondShare * 1000), 1000)} of whole seconds had one); its longest stretch with no success was ${sec(a.bbs.longest?.sec ?? 0)}` +
        (a.bbs.longest
          ? ` (${a.bbs.longest.from.toFixed(1)}–${a.bbs.longest.to.toFixed(1)} s)`
          : '') +
        '.',
    );
  }
  return out;
}

function checkerSentence(input: ReportInput): string {
  if (!input.check) return 'Checkers: not run on this history.';
  return `Checkers: ${verdictHeadline(input.check.valid)}.${input.check.summary.length > 0 ? ` ${input.check.summary.join(' ')}` : ''}${input.anomalies && input.anomalies.events > 0 ? ` ${eventsSentence(input.anomalies)}` : ''}`;
}

/** Anomalies counted once each, however many checkers reported them, and where they fell. */
export function eventsSentence(a: AnomalyEventSummary): string {
  if (a.events === 0) return '';
  return (
    `${a.events === 1 ? 'One distinct anomaly' : `${fmt(a.events)} distinct anomalies`} (${fmt(a.reports)} checker report${a.reports === 1 ? '' : 's'}): ` +
    `${fmt(a.inFault)} inside a fault window (start to recovery), ${fmt(a.outsideFaults)} outside every fault.`
  );
}

/** Seconds of writes on several nodes at once, apart from switchovers (write-windows.ts). */
export function writeWindowsText(ww: RunStats['writeWindows']): string {
  const c = ww.concurrent.length;
  const sw = ww.switchover.length;
  return (
    `writes reached several nodes at once in ${c} of ${ww.total} one-second windows${c > 0 ? ' (multi-master)' : ''}` +
    (sw > 0
      ? `; in ${sw} more, writes moved from one node to another (a switchover, not concurrent writing)`
      : '')
  );
}

/** The share of ops that paid at least the retry pause: what p99 alone hides with a retry. */
export function delayedText(st: RunStats): string {
  const d = st.delayed;
  return `${pct(d.count, d.ops)} of completed ops (${fmt(d.count)}) took at least the ${fmt(d.thresholdMs)} ms retry pause`;
}

/**
 * Errors a retry policy absorbed: the caller never saw them, so the error counts above leave them
 * out.
 */
export function absorbedSentence(st: RunStats): string | null {
  const r = st.retries;
  const total = absorbedTotal(r);
  if (total === 0 && r.opsRetried === 0) return null;
  return (
    `Retries absorbed ${fmt(total)} error(s) the caller never saw (${labelsText(r.absorbed, 4)}) in ${fmt(r.opsRetried)} retried op(s) ` +
    `(${fmt(r.retriedOutcome.ok)} then ok, ${fmt(r.retriedOutcome.fail)} failed, ${fmt(r.retriedOutcome.info)} unknown), costing ${(r.extraLatencyMs / 1000).toFixed(1)} s of latency over the ops that needed no retry.`
  );
}

/**
 * For a list-append run on several nodes: which baseline separates InnoDB's isolation level from
 * Galera. Wording only; the notebook `isolation` puts the runs side by side.
 */
export function isolationBaselineSentence(s: Scenario): string | null {
  if (s.workload.kind !== 'list-append' || s.topology.nodes < 2) return null;
  if (s.workload.isolation === 'repeatable-read') {
    return "At REPEATABLE READ one node alone shows the same anomaly classes (G-single-item, G2-item and lost update, the cycles also as their -realtime variants; scenarios/isolation-single-node.yaml): InnoDB's REPEATABLE READ (Jepsen's 2023 MySQL result), not Galera. Only what several writers show at SERIALIZABLE and one node does not (scenarios/isolation-serializable-multi-writer.yaml) is Galera-specific; `npm run notebook -- isolation` puts them side by side.";
  }
  if (s.workload.isolation === 'serializable') {
    return 'An anomaly here is Galera-specific only if one node at SERIALIZABLE does not show it too; `npm run notebook -- isolation` puts the one-node baseline beside this run.';
  }
  return null;
}

export function summarySentences(input: ReportInput): string[] {
  const { stats: st, scenario } = input;
  const done = st.byOutcome.ok + st.byOutcome.fail + st.byOutcome.info;
  // What happened (faults, the measured outage, anomalies) before how the run was set up.
  const out: string[] = [...happenedSentences(st), checkerSentence(input)];
  out.push(topologySentence(scenario));
  if (input.rate) out.push(rateSentence(input.rate));
  const machine = machineSentence(input.machine);
  if (machine) out.push(machine);
  out.push(
    `${fmt(st.ops)} ops: ${fmt(st.byOutcome.ok)} ok (${pct(st.byOutcome.ok, done)}), ${fmt(st.byOutcome.fail)} failed for sure (${pct(st.byOutcome.fail, done)}), ` +
      `${fmt(st.byOutcome.info)} with unknown outcome (${pct(st.byOutcome.info, done)})` +
      (st.unfinished > 0 ? `, ${fmt(st.unfinished)} never completed` : '') +
      `; ${st.throughput.toFixed(1)} ok ops/s, p50 ${st.latencyMs.ok.p50.toFixed(1)} ms, p99 ${st.latencyMs.ok.p99.toFixed(1)} ms; ${delayedText(st)}.`,
  );
  const errs = Object.entries(st.errors).sort((a, b) => b[1] - a[1]);
  if (errs.length > 0) {
    out.push(`Database errors: ${errs.map(([k, n]) => `${k} ×${fmt(n)}`).join(', ')}.`);
  } else {
    out.push('No database errors.');
  }
  const absorbed = absorbedSentence(st);
  if (absorbed) out.push(absorbed);
  const nodes = Object.entries(st.servedByNode).map(
    ([n, m]) => [n, Object.values(m).reduce((a, b) => a + b, 0)] as const,
  );
  const served = nodes.reduce((a, [, c]) => a + c, 0);
  if (nodes.length > 0) {
    const ww = st.writeWindows;
    out.push(
      `${nodes.length === 1 ? 'One node' : `${nodes.length} nodes`} served ops (${nodes
        .sort()
        .map(([n, c]) => `${n} ${pct(c, served)}`)
        .join(', ')}); ${writeWindowsText(ww)}.`,
    );
  }
  if (st.faults.length > 0) {
    out.push(
      `${fmt(st.errorsInFaults)} failed or unknown ops completed inside fault windows (from a fault's start until the system was back to its pre-fault state), ${fmt(st.errorsOutsideFaults)} outside.`,
    );
  }
  const unplanned = unplannedSentence(st.quorumLoss ?? []);
  if (unplanned) out.push(unplanned);
  const iso = isolationBaselineSentence(scenario);
  if (iso) out.push(iso);
  return out;
}

/** The lab events with their times, then the notes that have none. */
export function labEventLines(
  st: Pick<RunStats, 'labEvents'>,
  notes: readonly string[] = [],
): string[] {
  return [...st.labEvents.map((e) => `${e.at.toFixed(1)} s: ${e.text}`), ...notes];
}

export function renderMarkdown(input: ReportInput): string {
  const { scenario, stats: st } = input;
  const parts: string[] = [];
  parts.push(`# ${scenario.name}: run ${input.runId}\n`);
  if (input.interrupted)
    parts.push(
      `> **This run was interrupted** (${input.interrupted}); the history up to that point was checked.\n`,
    );
  const notKept = notKeptNotice(input.rate);
  if (notKept) parts.push(`> **${notKept.head}**${notKept.rest}\n`);
  parts.push(`**Question.** ${scenario.question.trim()}\n`);
  if (scenario.workload.kind === 'bbs')
    parts.push(`**System under test.** ${systemUnderTest(scenario)}\n`);
  parts.push(`**Answer from this run.** ${answerSentences(input).join(' ')}\n`);
  if (st.availability.faults.length > 0) {
    parts.push('## Faults and what the clients saw\n');
    parts.push(table(FAULT_TABLE_HEADER, faultTableRows(st)));
    parts.push(
      '\nOutages are the longest stretch with no successful op that overlaps the fault (from its start until the system was back to its pre-fault state, else its heal): ' +
        `for the whole BBS (no client at all), the median client and the worst client; for the whole BBS, ${MERGE_RULE}. Times are seconds since the first op.\n`,
    );
    const notes = faultNotes(st);
    if (notes.length > 0) parts.push(`${notes.map((n) => `- ${n}`).join('\n')}\n`);
    if (input.outageParts) parts.push(input.outageParts);
  }
  parts.push(`**In detail.** ${summarySentences(input).join(' ')}\n`);
  parts.push(
    `Seed ${input.seed} (repeat with \`${input.repeat ?? `node bin/bbs-lab.js run <scenario.yaml> --seed ${input.seed}`}\`).\n`,
  );
  if (input.timeline)
    parts.push(
      `![Completions per second: ok, unknown and failed, with fault windows shaded](${input.timeline})\n`,
    );
  if (input.evidence) parts.push(input.evidence);

  parts.push('## Ops by type and outcome\n');
  const outcomes = ['ok', 'fail', 'info', 'unfinished'];
  parts.push(
    table(
      ['op', ...outcomes, 'total'],
      Object.entries(st.byOp)
        .sort()
        .map(([f, m]) => [
          f,
          ...outcomes.map((o) => m[o] ?? 0),
          Object.values(m).reduce((a, b) => a + b, 0),
        ]),
    ),
  );

  if (input.reach) parts.push(input.reach);

  parts.push('\n## Errors by MySQL code\n');
  parts.push(
    table(
      ['error', 'count'],
      Object.entries(st.errors).sort((a, b) => b[1] - a[1]),
    ),
  );
  const nodesSeen = [
    ...new Set(Object.values(st.errorsByNode).flatMap((m) => Object.keys(m))),
  ].sort();
  parts.push('\n### By node\n');
  parts.push(
    table(
      ['error', ...nodesSeen],
      Object.entries(st.errorsByNode).map(([e, m]) => [e, ...nodesSeen.map((n) => m[n] ?? 0)]),
    ),
  );
  const buckets = Math.max(1, Math.ceil((st.perSecond.length || 1) / 10));
  if (Object.keys(st.errorsBySecond).length > 0) {
    parts.push('\n### Over time (10-second windows since the first op)\n');
    parts.push(
      table(
        ['error', ...Array.from({ length: buckets }, (_, b) => `${b * 10}–${b * 10 + 10} s`)],
        Object.entries(st.errorsBySecond).map(([e, m]) => {
          const row = new Array<number>(buckets).fill(0);
          for (const [sec, n] of Object.entries(m))
            row[Math.min(buckets - 1, Math.floor(Number(sec) / 10))]! += n;
          return [e, ...row];
        }),
      ),
    );
  }
  const opsSeen = [...new Set(Object.values(st.errorsByOp).flatMap((m) => Object.keys(m)))].sort();
  parts.push('\n### By op type\n');
  parts.push(
    table(
      ['error', ...opsSeen],
      Object.entries(st.errorsByOp).map(([e, m]) => [e, ...opsSeen.map((f) => m[f] ?? 0)]),
    ),
  );

  parts.push(...availabilitySection(st));
  parts.push(...retrySection(st));

  parts.push('\n## Ops served per node\n');
  if (st.writeWindows.multiNode > 0) {
    const secs = st.writeWindows.seconds;
    const list = (xs: number[]) => `${xs.slice(0, 20).join(', ')}${xs.length > 20 ? ', …' : ''}`;
    const ww = st.writeWindows;
    parts.push(
      `Writes reached more than one node in ${ww.multiNode} one-second windows (run seconds ${list(secs)}): ` +
        `at once in ${ww.concurrent.length}${ww.concurrent.length > 0 ? ` (${list(ww.concurrent)})` : ''}, as a switchover in ${ww.switchover.length}${ww.switchover.length > 0 ? ` (${list(ww.switchover)})` : ''}. ` +
        "A switchover second is one in which, in completion order, each node's writes form one unbroken run (the writers moved on and did not come back).\n\n",
    );
  }
  parts.push(
    table(
      ['node', 'ok', 'fail', 'info', 'total'],
      Object.entries(st.servedByNode)
        .sort()
        .map(([n, m]) => [
          n,
          m.ok ?? 0,
          m.fail ?? 0,
          m.info ?? 0,
          Object.values(m).reduce((a, b) => a + b, 0),
        ]),
    ),
  );

  parts.push('\n## BBS state-check results\n');
  parts.push(
    "Ops that ran and were refused by the BBS's own state check (e.g. starting a task that another cell runs). These are expected under contention and are evidence for the checkers, not failures.\n\n",
  );
  parts.push(
    table(
      ['BBS error', 'count'],
      Object.entries(st.bbsErrors).sort((a, b) => b[1] - a[1]),
    ),
  );

  parts.push('\n## Throughput and latency\n');
  parts.push(`${st.throughput.toFixed(1)} ok ops/s over ${st.durationSec.toFixed(1)} s.\n\n`);
  parts.push(
    table(
      ['outcome', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      (['ok', 'fail', 'info'] as const).map((o) => {
        const l = st.latencyMs[o];
        return [o, l.count, l.p50.toFixed(1), l.p90.toFixed(1), l.p99.toFixed(1), l.max.toFixed(1)];
      }),
    ),
  );
  const events = labEventLines(st, input.notes);
  if (events.length > 0) {
    parts.push('\n## Lab events\n');
    parts.push(`Seconds since the first op.\n\n${events.map((n) => `- ${n}`).join('\n')}\n`);
  }
  parts.push(
    '\n## How to read this\n' +
      '- **ok**: the op ran to the end (a BBS state-check refusal is still ok: it observed the state). **fail**: it surely did not take effect (e.g. 1213 rollback, 1047 non-Primary). **info**: unknown (lost connection, error during COMMIT); the checkers let it take effect or not.\n' +
      "- **Outage** (fault table): a client's outage is its longest stretch without a successful op that overlaps the fault's window (from the fault until every node was Synced and serving and the proxies were back on healthy backends); the BBS outage is the longest stretch in which no client had one. **Available … of the time**: the share of the workload not inside a stretch of 1 s or more with no success by any client.\n" +
      "- **Absorbed by retries**: errors the BBS client's retry policy retried away; the caller never saw them, so the error tables above leave them out.\n" +
      '- `history.jsonl` in this directory is the full record; `bbs-lab check <this dir>` re-checks it without a cluster.\n',
  );
  // Every part ends a block: a blank line between parts keeps headings, tables and paragraphs
  // apart.
  return `${parts.map((p) => p.trim()).join('\n\n')}\n`;
}

function availabilitySection(st: RunStats): string[] {
  const a = st.availability;
  const clients = Object.entries(a.perClient);
  if (clients.length === 0) return [];
  const out = ['\n## Availability as the clients saw it\n'];
  out.push(
    `Available ${pct(Math.round(a.timeShare * 1000), 1000)} of the time, ${pct(Math.round(st.secondShare * 1000), 1000)} of whole seconds. ` +
      (a.bbs.gaps.length === 0
        ? 'No stretch of 1 s or more without a successful op by any client.\n\n'
        : `Stretches of 1 s or more with no successful op by any client: ${a.bbs.gaps
            .slice(0, 10)
            .map((g) => `${g.from.toFixed(1)}–${g.to.toFixed(1)} s (${g.sec.toFixed(1)} s)`)
            .join(', ')}${a.bbs.gaps.length > 10 ? `, … (${a.bbs.gaps.length} in all)` : ''}.\n\n`),
  );
  out.push(
    table(
      ['client', 'ok ops', 'longest stretch without a success', 'from – to s'],
      clients
        .sort(
          (x, y) =>
            (y[1].longest?.sec ?? 0) - (x[1].longest?.sec ?? 0) || Number(x[0]) - Number(y[0]),
        )
        .map(([c, p]) => [
          c,
          fmt(p.oks),
          sec(p.longest?.sec ?? 0),
          p.longest ? `${p.longest.from.toFixed(1)} – ${p.longest.to.toFixed(1)}` : '—',
        ]),
    ),
  );
  return out;
}

function retrySection(st: RunStats): string[] {
  const r = st.retries;
  const line = absorbedSentence(st);
  if (!line) return [];
  const ops = [...new Set(Object.values(r.absorbedByOp).flatMap((m) => Object.keys(m)))].sort();
  const nodes = [...new Set(Object.values(r.absorbedByNode).flatMap((m) => Object.keys(m)))].sort();
  return [
    '\n## Errors absorbed by retries\n',
    `${line}\n\n`,
    table(
      ['error', 'absorbed', ...ops, ...nodes.map((n) => `on ${n}`)],
      Object.entries(r.absorbed)
        .sort((a, b) => b[1] - a[1])
        .map(([e, n]) => [
          e,
          n,
          ...ops.map((f) => r.absorbedByOp[e]?.[f] ?? 0),
          ...nodes.map((x) => r.absorbedByNode[e]?.[x] ?? 0),
        ]),
    ),
  ];
}

/** The system under test and the operator's settings, as the setup sentence names them. */
export function bbsSentence(s: Scenario): string {
  const id = bbsIdentity(s);
  const what = `the ${id.label}${id.hypotheticalLabel ? ` with a ${id.hypotheticalLabel}` : ''}, deadlock retry ${scenarioBbs(s).behaviour.deadlockRetry}`;
  return `${what}; operator setting wsrep_sync_wait ${s.database.syncWait}`;
}

/**
 * "BBS 2016-05 (db3234a7, 2016-05-03): first shipped SQL store …", with any hypothetical override
 * named.
 */
export function systemUnderTest(s: Scenario): string {
  const id = bbsIdentity(s);
  const hypo = id.hypotheticalLabel
    ? ` **Hypothetical** (not a real BBS): ${id.hypothetical.map((h) => `${h.field} = ${String(h.value)} where ${id.version} had ${String(h.profileValue)}`).join('; ')}.`
    : '';
  const db =
    s.database.syncWait > 0
      ? ` Operator setting: wsrep_sync_wait = ${s.database.syncWait} (${syncWaitWords(s.database.syncWait)}; docs/settings-explained.md).`
      : '';
  return `${id.label}: ${id.title} (docs/bbs-versions.md).${hypo}${db}`;
}

/**
 * What a wsrep_sync_wait value makes wait, in words: 1 "reads wait…", 7 "reads and every write…".
 */
export function syncWaitWords(v: number): string {
  if (v === 0) return 'off: no statement waits for the cluster';
  const parts: string[] = [];
  if (v & 1) parts.push('reads and transaction starts');
  if (v & 2) parts.push('UPDATE and DELETE');
  if (v & 4) parts.push('INSERT and REPLACE');
  if (v & 8) parts.push('SHOW');
  return `${parts.join(', ')} wait until the node has applied every commit the cluster made before them`;
}
