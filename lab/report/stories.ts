// Mitigation stories: what the team should change, generated from this run's evidence. Every rule
// is one row of STORY_RULES below (when it fires, the story's title, why with this run's numbers,
// acceptance criteria), so what the lab recommends, and when, is read in one place. Pure: stats,
// checker verdicts and ops in, stories out; also rendered as stories.md for a tracker.

import { scenarioBbs } from '../scenario/bbs-profile.ts';
import {
  hasElleNames,
  legacyCount,
  legacyMembers,
  type LooseIsolation,
} from '../checkers/isolation/legacy-names.ts';
import { classifyError } from '../history/errors.ts';
import type { CheckReport } from './verdicts.ts';
import type { Op } from '../history/event.ts';
import { READ_OPS, type BbsOpName } from '../../bbs/ops.ts';
import type { Scenario } from '../scenario/types.ts';
import { MIN_GAP_SEC } from './availability.ts';
import type { RunStats } from './stats.ts';
import { faultHas, kindsWith } from '../nemesis/faults/index.ts';

export interface StoryContext {
  /** The scenario as run: a rule's preconditions include its options (e.g. bbs.deadlockRetry). */
  scenario: Scenario;
  stats: RunStats;
  check: CheckReport;
  /** The run's ops (pairOps of the history). */
  ops: readonly Op[];
}

export interface Story {
  rule: string;
  title: string;
  /** Sentences with this run's numbers. */
  why: string[];
  acceptance: string[];
  /** A few op ids that show it (links in report.html). */
  ops: number[];
}

/** What a rule found: the why sentences and example ops; null when it does not apply. */
interface Finding {
  why: string[];
  ops: number[];
}

export interface StoryRule {
  rule: string;
  title: string;
  /** In words, for the reader of this table. */
  when: string;
  find(ctx: StoryContext): Finding | null;
  acceptance: string[];
}

const fmt = (n: number) => n.toLocaleString('en-US');
const pctOf = (n: number, d: number) =>
  d === 0 ? '0%' : `${((100 * n) / d).toFixed(n * 1000 < d ? 2 : 1)}%`;
const completed = (s: RunStats) => s.byOutcome.ok + s.byOutcome.fail + s.byOutcome.info;
const top = (m: Record<string, number>, n = 3) =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([k, v]) => `${k} ×${fmt(v)}`)
    .join(', ');
const isRead = (f: string) => READ_OPS.has(f as BbsOpName);
const seconds = (xs: readonly number[]) =>
  `${xs.length <= 5 ? xs.map((s) => `${s}`).join(', ') : `${xs.slice(0, 5).join(', ')}, …`} s`;

/** 1213 labels: '1213 deadlock' (statement) and '1213 deadlock-on-commit' (certification failure). */
export function deadlocks(s: RunStats): {
  total: number;
  onCommit: number;
  byOp: Record<string, number>;
  byNode: Record<string, number>;
  /** 1213s completed in a second in which ok writes reached more than one node (the multi-master seconds). */
  inMultiNodeSeconds: number;
} {
  let total = 0;
  let onCommit = 0;
  let inMultiNodeSeconds = 0;
  const multi = new Set(s.writeWindows.seconds.map(String));
  const byOp: Record<string, number> = {};
  const byNode: Record<string, number> = {};
  for (const [label, n] of Object.entries(s.errors)) {
    if (!label.startsWith('1213 ')) continue;
    total += n;
    if (label.includes('on-commit')) onCommit += n;
    for (const [f, c] of Object.entries(s.errorsByOp[label] ?? {})) byOp[f] = (byOp[f] ?? 0) + c;
    for (const [node, c] of Object.entries(s.errorsByNode[label] ?? {}))
      byNode[node] = (byNode[node] ?? 0) + c;
    for (const [sec, c] of Object.entries(s.errorsBySecond[label] ?? {}))
      if (multi.has(sec)) inMultiNodeSeconds += c;
  }
  return { total, onCommit, byOp, byNode, inMultiNodeSeconds };
}

/** 1213s a retry policy absorbed (in the `retried` field of ops), and how many ops they were on. */
function absorbedDeadlocks(ops: readonly Op[]): { errors: number; ops: number } {
  let errors = 0;
  let n = 0;
  for (const o of ops) {
    const k = (o.complete?.retried ?? []).filter((e) => e.errno === 1213).length;
    errors += k;
    if (k > 0) n++;
  }
  return { errors, ops: n };
}

/** Ops retried after an attempt whose outcome was unknown (lost connection, error on COMMIT). */
function retriedAfterUnknown(ops: readonly Op[]): Op[] {
  return ops.filter((o) =>
    (o.complete?.retried ?? []).some((e) => classifyError(e).outcome === 'info'),
  );
}

/** The first lost update's key, ops, the version they read and what each appended. */
function lostExample(check: CheckReport): string {
  const a = check.isolation?.anomalies['lost-update']?.[0];
  if (a?.type !== 'lost-update') return '';
  const read = a.version === null ? 'read it empty' : `read it ending in ${a.version}`;
  return ` E.g. key ${a.key}: ${a.txns.map((t) => `op ${t.txn}`).join(' and ')} ${read}, then appended ${a.txns.map((t) => t.appended.join(', ')).join(' and ')}.`;
}

/** The cycles with an rw edge a run counted, by name: "G-single-item ×1, G2-item-realtime ×2". */
function skewNames(iso: LooseIsolation): string {
  const names = hasElleNames(iso)
    ? [...legacyMembers('G-single'), ...legacyMembers('G2-item')]
    : ['G-single', 'G2-item'];
  const counts = iso.counts ?? {};
  return names
    .filter((n) => Number(counts[n] ?? 0) > 0)
    .map((n) => `${n} ×${fmt(Number(counts[n]))}`)
    .join(', ');
}

/** Faults that take a node or a proxy away (link faults and health flaps have stories of their own, or none). */
const isOutage = (kind: string): boolean =>
  faultHas(kind, 'node-down') || faultHas(kind, 'proxy-down');
/** Those kinds in words: "partition, kill, pause or proxy-kill". */
const outageKinds = (): string => {
  const k = kindsWith('node-down', 'proxy-down');
  return k.length > 1 ? `${k.slice(0, -1).join(', ')} or ${k.at(-1)}` : k.join('');
};

const writerNodes = (s: RunStats) => Object.keys(s.servedByNode).sort();
const deadlockOps = (ops: readonly Op[]) =>
  ops
    .filter((o) => o.complete?.error?.errno === 1213)
    .slice(0, 5)
    .map((o) => o.op);
/** A 1213 on COMMIT is a certification failure only when another node's writeset conflicted. */
const deadlockCounts = (s: RunStats, d: ReturnType<typeof deadlocks>, multiWriter: boolean) => [
  `${fmt(d.total)} of ${fmt(completed(s))} completed ops (${pctOf(d.total, completed(s))}) ended in 1213 deadlock${d.onCommit > 0 ? `, ${fmt(d.onCommit)} of them on COMMIT${multiWriter ? ' (Galera certification failures)' : ''}` : ''}.`,
  `By op: ${top(d.byOp)}; by node: ${top(d.byNode)}.`,
];

export const STORY_RULES: readonly StoryRule[] = [
  {
    rule: 'deadlock-multi-writer',
    title: 'Retry BBS transactions on deadlock (1213), or route every write to one Galera node',
    when: 'the run does not retry (deadlock retry: none at its BBS version), and ops ended in MySQL 1213 in seconds in which ok writes reached more than one node',
    find: ({ scenario, stats: s, ops }) => {
      const d = deadlocks(s);
      if (scenarioBbs(scenario).behaviour.deadlockRetry !== 'none' || d.inMultiNodeSeconds === 0)
        return null;
      const ww = s.writeWindows;
      const why = [
        ...deadlockCounts(s, d, true),
        `${fmt(d.inMultiNodeSeconds)} of the ${fmt(d.total)} came in seconds when ok writes reached more than one node (${fmt(ww.multiNode)} of ${fmt(ww.total)} one-second windows with writes: ${seconds(ww.seconds)}): multi-master writes, which Galera resolves by aborting one side.`,
      ];
      if (d.inMultiNodeSeconds < d.total)
        why.push(
          `The other ${fmt(d.total - d.inMultiNodeSeconds)} came in seconds with writes on one node only (InnoDB deadlocks between transactions on that node).`,
        );
      why.push(
        `The run's BBS ${scenario.bbs.version} did not retry a 1213, so every 1213 reached the caller.`,
      );
      return { why, ops: deadlockOps(ops) };
    },
    acceptance: [
      'Either the BBS SQL layer retries a transaction that fails with 1213 (a bounded number of times, with jitter), or every BBS writes through one node (a single active proxy backend).',
      'Re-running this scenario with the same seed: no BBS op returns a 1213 to its caller, and no checker finds an anomaly.',
      'The report shows 0 multi-master seconds when routing to one node is the chosen fix.',
    ],
  },
  {
    rule: 'deadlock-single-node',
    title: 'Retry BBS transactions on InnoDB deadlock (1213): they happen with one writer node too',
    when: 'the run does not retry (deadlock retry: none at its BBS version), and ops ended in MySQL 1213, none of them in a second in which ok writes reached more than one node',
    find: ({ scenario, stats: s, ops }) => {
      const d = deadlocks(s);
      if (
        scenarioBbs(scenario).behaviour.deadlockRetry !== 'none' ||
        d.total === 0 ||
        d.inMultiNodeSeconds > 0
      )
        return null;
      const nodes = writerNodes(s);
      return {
        why: [
          ...deadlockCounts(s, d, false),
          `Every one came in a second when ok writes reached at most one node${nodes.length === 1 ? ` (every op was served by ${nodes[0]})` : ''}: InnoDB deadlocks between transactions on the same node, not multi-master certification conflicts; routing every write to one node does not remove them.`,
          `The run's BBS ${scenario.bbs.version} did not retry a 1213, so every 1213 reached the caller.`,
        ],
        ops: deadlockOps(ops),
      };
    },
    acceptance: [
      'The BBS SQL layer retries a transaction that fails with 1213 (a bounded number of times, with jitter), or the transactions involved take their rows in one order.',
      'Re-running this scenario with the same seed: no BBS op returns a 1213 to its caller, and no checker finds an anomaly.',
    ],
  },
  {
    rule: 'deadlock-past-retry',
    title: 'Stop 1213s getting past the BBS deadlock retry',
    when: 'the run retries on 1213 (deadlock retry other than none at its BBS version) and ops still ended in 1213',
    find: ({ scenario, stats: s, ops }) => {
      const d = deadlocks(s);
      if (scenarioBbs(scenario).behaviour.deadlockRetry === 'none' || d.total === 0) return null;
      const a = absorbedDeadlocks(ops);
      const why = [
        ...deadlockCounts(s, d, d.inMultiNodeSeconds > 0),
        `The run's BBS ${scenario.bbs.version} retried (deadlock retry ${scenarioBbs(scenario).behaviour.deadlockRetry}): it absorbed ${fmt(a.errors)} 1213${a.errors === 1 ? '' : 's'} on ${fmt(a.ops)} op${a.ops === 1 ? '' : 's'}, and these ${fmt(d.total)} still reached the caller.`,
      ];
      if (d.inMultiNodeSeconds > 0) {
        why.push(
          `${fmt(d.inMultiNodeSeconds)} of the ${fmt(d.total)} came in seconds when ok writes reached more than one node (${fmt(s.writeWindows.multiNode)} such second${s.writeWindows.multiNode === 1 ? '' : 's'}): multi-master conflicts that a retry on the same nodes can meet again.`,
        );
      } else {
        why.push(
          'Every one came in a second when ok writes reached at most one node: InnoDB deadlocks on one node that outlasted the retry.',
        );
      }
      return { why, ops: deadlockOps(ops) };
    },
    acceptance: [
      'Where the 1213s came with writes on several nodes: every BBS writes through one node (a single active proxy backend), and the report shows 0 multi-master seconds.',
      'Otherwise the retry policy covers the failing statements (1213 on any statement, not only COMMIT) with enough attempts and jitter.',
      'Re-running this scenario with the same seed: no BBS op returns a 1213 to its caller.',
    ],
  },
  {
    rule: 'outage',
    title: 'Shorten the outage BBS clients see when a node or a proxy is lost',
    when: `a ${outageKinds()} fault ran and some client had no ok op for at least 1 s across it (the contract’s availability.faults)`,
    find: ({ stats: s, ops }) => {
      const hit = s.availability.faults.filter(
        (f) => isOutage(f.kind) && f.worstClientOutageSec >= MIN_GAP_SEC,
      );
      if (hit.length === 0) return null;
      const why = hit.slice(0, 5).flatMap((f) => {
        const back =
          f.recovered !== null
            ? `back to its pre-fault state ${(f.recovered - f.start).toFixed(1)} s after it started`
            : f.healed !== null
              ? `healed at ${f.healed.toFixed(1)} s, never back to its pre-fault state in the run`
              : 'never healed in the run';
        const errs =
          Object.keys(f.errors).length > 0
            ? `; failed or unknown inside its window: ${top(f.errors, 4)}`
            : '';
        const fl = f.inFlight;
        return [
          `${f.kind} ${f.node ?? f.target} at ${f.start.toFixed(1)} s: the worst client (client ${f.worstClient}) had no ok op for ${f.worstClientOutageSec.toFixed(1)} s, the median client for ${f.medianClientOutageSec.toFixed(1)} s, and no client at all for ${f.bbsOutageSec.toFixed(1)} s; ${back}.`,
          `In flight when it started: ${fmt(fl.ops)} op${fl.ops === 1 ? '' : 's'} (ok ×${fmt(fl.ok)}, failed ×${fmt(fl.fail)}, unknown ×${fmt(fl.info)}${fl.unfinished > 0 ? `, never completed ×${fmt(fl.unfinished)}` : ''})${errs}.`,
        ];
      });
      if (hit.length > 5)
        why.push(
          `${fmt(hit.length - 5)} more such fault${hit.length - 5 === 1 ? '' : 's'} in results.json (stats.availability.faults).`,
        );
      // The ops in flight at the first such fault that did not end ok: what a caller had to guess about.
      const f0 = hit[0]!;
      const t0 = ops.reduce((m, o) => Math.min(m, o.invoke.time), Infinity);
      const at = t0 + f0.start * 1e9;
      const shown = ops
        .filter(
          (o) =>
            o.invoke.time < at && (o.complete?.time ?? Infinity) > at && o.complete?.type !== 'ok',
        )
        .map((o) => o.op);
      return { why, ops: shown.slice(0, 5) };
    },
    acceptance: [
      'The team states an outage budget per fault kind for the worst client (not the first client to recover), e.g. the Galera eviction time plus one proxy health-check interval.',
      'Re-running this scenario with the same seed: every such fault’s worst-client outage is within that budget (report.html, fault table), and no client is still without an ok op when the system is back to its pre-fault state.',
    ],
  },
  {
    rule: 'stale-reads',
    title: 'Make BBS reads causal on Galera: set wsrep_sync_wait for read transactions',
    when: 'a key is not linearizable and its shrunk evidence contains a read, in a run with faults or with ops served by more than one node',
    find: ({ stats: s, check, ops }) => {
      const byId = new Map(ops.map((o) => [o.op, o]));
      const bad = (check.linearizability?.keys ?? []).filter(
        (k) =>
          k.verdict === 'not-linearizable' &&
          k.failure?.ops.some((f) => isRead(byId.get(f.op)?.f ?? '')),
      );
      const nodes = Object.keys(s.servedByNode).length;
      if (bad.length === 0 || (s.faults.length === 0 && nodes < 2)) return null;
      const reads = bad.flatMap((k) =>
        k.failure!.ops.filter((f) => isRead(byId.get(f.op)?.f ?? '')).map((f) => f.op),
      );
      const why = [
        `${fmt(bad.length)} key${bad.length === 1 ? '' : 's'} not linearizable with a read in the evidence (${bad
          .slice(0, 5)
          .map((k) => k.key)
          .join(
            ', ',
          )}${bad.length > 5 ? ', …' : ''}): a read saw a state older than a write that had already completed.`,
        `Ops were served by ${nodes} node${nodes === 1 ? '' : 's'} (${Object.keys(s.servedByNode).sort().join(', ')}).`,
      ];
      if (s.faults.length > 0) {
        const fo = s.availability.faults;
        const worst =
          fo.length > 0
            ? fo.reduce((a, b) => (b.worstClientOutageSec > a.worstClientOutageSec ? b : a))
            : null;
        why.push(
          `${s.faults.length} fault window(s) (${s.faults.map((f) => `${f.kind} ${f.node ?? f.target} at ${f.start.toFixed(1)} s`).join(', ')})` +
            (worst
              ? `; the longest outage: a client had no success for ${worst.worstClientOutageSec.toFixed(1)} s (median client ${worst.medianClientOutageSec.toFixed(1)} s, no client at all ${worst.bbsOutageSec.toFixed(1)} s) in ${worst.kind} ${worst.node ?? worst.target}`
              : '') +
            '.',
        );
      }
      return { why, ops: reads.slice(0, 5) };
    },
    acceptance: [
      'BBS read transactions run with wsrep_sync_wait=1 (or writes and reads go through one node).',
      'Re-running this scenario with the same seed and the fix: every key linearizable.',
      'Read latency p99 stays within the team’s budget (compare the latency chart before and after).',
    ],
  },
  {
    rule: 'lost-update',
    title: 'Guard read-modify-write BBS transactions with row locks or compare-and-set',
    when: 'a lost update, write skew or read skew (G2-item, G-nonadjacent-item, G-single-item, each with its -process / -realtime variants), or a BBS invariant that two concurrent writers break (task started on two cells, instance held by two cells)',
    find: ({ check }) => {
      const iso = check.isolation;
      const lost = iso?.counts['lost-update'] ?? 0;
      // Every cycle with an rw edge, whatever order edges close it; results of either age.
      const skew = iso ? legacyCount(iso, 'G2-item') + legacyCount(iso, 'G-single') : 0;
      const inv = check.invariants?.counts;
      const twoCells =
        (inv?.['task-started-on-two-cells'] ?? 0) + (inv?.['instance-held-by-two-cells'] ?? 0);
      if (lost + skew + twoCells === 0) return null;
      const why: string[] = [];
      if (lost > 0)
        why.push(
          `${fmt(lost)} lost update${lost === 1 ? '' : 's'} (as Elle defines it): in each, two or more transactions read the same version of a key and each then wrote that key, so neither write was based on the other.${lostExample(check)}`,
        );
      if (skew > 0)
        why.push(
          `${fmt(skew)} write-skew / read-skew cycle${skew === 1 ? '' : 's'} (${skewNames(iso!)}) among ${fmt(check.isolation?.txns ?? 0)} transactions.`,
        );
      if (twoCells > 0)
        why.push(
          `${fmt(twoCells)} BBS invariant violation${twoCells === 1 ? '' : 's'} of the two-writers kind (a task started on two cells, or an instance held by two cells).`,
        );
      const ops = [
        ...(check.invariants?.violations ?? [])
          .filter(
            (v) =>
              v.invariant === 'task-started-on-two-cells' ||
              v.invariant === 'instance-held-by-two-cells',
          )
          .flatMap((v) => v.ops),
        ...(check.isolation?.anomalies['lost-update'] ?? []).flatMap((a) =>
          a.type === 'lost-update' ? a.txns.map((t) => t.txn) : [],
        ),
      ];
      return { why, ops: [...new Set(ops)].slice(0, 6) };
    },
    acceptance: [
      'Every BBS read-modify-write takes the row with SELECT … FOR UPDATE, or writes with UPDATE … WHERE modification_tag_index = <read index> and treats 0 rows as a conflict.',
      'Re-running this scenario with the same seed: 0 lost updates, 0 cycles with an rw edge (G2-item, G-nonadjacent-item, G-single-item and their -process / -realtime variants), no task on two cells, no instance held by two cells.',
    ],
  },
  {
    rule: 'unknown-retried',
    title: 'Make BBS writes idempotent, or do not retry a transaction whose connection broke',
    when: 'a retry policy retried an attempt whose outcome was unknown (lost connection, error on COMMIT), or an op reported failed was applied anyway',
    find: ({ check, ops }) => {
      const retried = retriedAfterUnknown(ops);
      const fa = check.failedApplied;
      if (retried.length === 0 && fa.length === 0) return null;
      const why: string[] = [];
      if (retried.length > 0) {
        const kinds: Record<string, number> = {};
        for (const o of retried)
          for (const e of o.complete!.retried ?? [])
            if (classifyError(e).outcome === 'info')
              kinds[classifyError(e).kind] = (kinds[classifyError(e).kind] ?? 0) + 1;
        const ended = { ok: 0, fail: 0, info: 0 };
        for (const o of retried) ended[o.complete!.type]++;
        why.push(
          `${fmt(retried.length)} op${retried.length === 1 ? ' was' : 's were'} retried after an attempt whose outcome was unknown (${top(kinds)}); their last attempt ended ok ×${fmt(ended.ok)}, failed ×${fmt(ended.fail)}, unknown ×${fmt(ended.info)}.`,
        );
        if (ended.ok + ended.info > 0)
          why.push(
            `For the ${fmt(ended.ok + ended.info)} whose last attempt ended ok or unknown, the attempt with unknown outcome may have committed as well (the history cannot tell), which would apply the write twice.`,
          );
      }
      if (fa.length > 0)
        why.push(
          `${fmt(fa.length)} op${fa.length === 1 ? '' : 's'} reported failed took effect anyway (${fa
            .slice(0, 3)
            .map((f) => `op ${f.op} ${f.f} ${f.error}, seen by op ${f.seenBy}`)
            .join('; ')}).`,
        );
      return {
        why,
        ops: [
          ...new Set([...retried.map((o) => o.op), ...fa.flatMap((f) => [f.op, f.seenBy])]),
        ].slice(0, 6),
      };
    },
    acceptance: [
      'A retried BBS write is idempotent (it checks the row’s modification tag or a request id before applying), or the retry policy never retries after a lost connection or an error on COMMIT.',
      'Re-running this scenario with the same seed: 0 failed-but-applied ops and no duplicate effects in the checkers.',
    ],
  },
];

export function generateStories(
  ctx: StoryContext,
  rules: readonly StoryRule[] = STORY_RULES,
): Story[] {
  const out: Story[] = [];
  for (const r of rules) {
    const f = r.find(ctx);
    if (f)
      out.push({ rule: r.rule, title: r.title, why: f.why, acceptance: r.acceptance, ops: f.ops });
  }
  return out;
}

export function renderStoriesMarkdown(stories: readonly Story[], runId: string): string {
  const parts = [`# Mitigation stories from run ${runId}\n`];
  if (stories.length === 0) {
    parts.push('No story: nothing in this run triggered a mitigation rule.\n');
    return parts.join('\n');
  }
  for (const s of stories) {
    parts.push(`## ${s.title}\n`);
    parts.push(`**Why** (run ${runId}):\n`);
    parts.push(`${s.why.map((w) => `- ${w}`).join('\n')}\n`);
    if (s.ops.length > 0)
      parts.push(
        `Ops that show it (history op ids, see report.html): ${s.ops.map((o) => `op ${o}`).join(', ')}.\n`,
      );
    parts.push('**Acceptance criteria:**\n');
    parts.push(`${s.acceptance.map((a) => `- [ ] ${a}`).join('\n')}\n`);
  }
  return parts.join('\n');
}
