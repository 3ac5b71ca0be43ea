// Mitigation stories: what the team should change, generated from this run's evidence. Every rule
// is one row of STORY_RULES below (when it fires, the story's title, why with this run's numbers,
// acceptance criteria), so what the lab recommends, and when, is read in one place. Pure: stats,
// checker verdicts and ops in, stories out; also rendered as stories.md for a tracker.

import { classifyError } from '../client/errors.ts';
import type { CheckReport } from '../checkers/index.ts';
import type { Op } from '../history/event.ts';
import { READ_OPS, type BbsOpName } from '../../models/bbs/ops.ts';
import type { RunStats } from './stats.ts';

export interface StoryContext {
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
const pctOf = (n: number, d: number) => (d === 0 ? '0%' : `${((100 * n) / d).toFixed(n * 1000 < d ? 2 : 1)}%`);
const sum = (m: Record<string, number> | undefined) => Object.values(m ?? {}).reduce((a, b) => a + b, 0);
const completed = (s: RunStats) => s.byOutcome.ok + s.byOutcome.fail + s.byOutcome.info;
const top = (m: Record<string, number>, n = 3) =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([k, v]) => `${k} ×${fmt(v)}`)
    .join(', ');
const isRead = (f: string) => READ_OPS.has(f as BbsOpName);
const seconds = (xs: readonly number[]) => (xs.length <= 5 ? xs.map((s) => `${s}`).join(', ') : `${xs.slice(0, 5).join(', ')}, …`) + ' s';

/** 1213 labels: '1213 deadlock' (statement) and '1213 deadlock-on-commit' (certification failure). */
function deadlocks(s: RunStats): { total: number; onCommit: number; byOp: Record<string, number>; byNode: Record<string, number> } {
  let total = 0;
  let onCommit = 0;
  const byOp: Record<string, number> = {};
  const byNode: Record<string, number> = {};
  for (const [label, n] of Object.entries(s.errors)) {
    if (!label.startsWith('1213 ')) continue;
    total += n;
    if (label.includes('on-commit')) onCommit += n;
    for (const [f, c] of Object.entries(s.errorsByOp[label] ?? {})) byOp[f] = (byOp[f] ?? 0) + c;
    for (const [node, c] of Object.entries(s.errorsByNode[label] ?? {})) byNode[node] = (byNode[node] ?? 0) + c;
  }
  return { total, onCommit, byOp, byNode };
}

/** Ops retried after an attempt whose outcome was unknown (lost connection, error on COMMIT). */
function retriedAfterUnknown(ops: readonly Op[]): Op[] {
  return ops.filter((o) => (o.complete?.retried ?? []).some((e) => classifyError(e).outcome === 'info'));
}

export const STORY_RULES: readonly StoryRule[] = [
  {
    rule: 'deadlock-multi-writer',
    title: 'Retry BBS transactions on deadlock (1213), or route every write to one Galera node',
    when: 'ops ended in MySQL 1213 and, in the same run, ok writes reached more than one node within a second',
    find: ({ stats: s, ops }) => {
      const d = deadlocks(s);
      if (d.total === 0 || s.writeWindows.multiNode === 0) return null;
      const ww = s.writeWindows;
      return {
        why: [
          `${fmt(d.total)} of ${fmt(completed(s))} completed ops (${pctOf(d.total, completed(s))}) ended in 1213 deadlock${d.onCommit > 0 ? `, ${fmt(d.onCommit)} of them on COMMIT (Galera certification failures)` : ''}.`,
          `By op: ${top(d.byOp)}; by node: ${top(d.byNode)}.`,
          `Writes reached more than one node at once in ${fmt(ww.multiNode)} of ${fmt(ww.total)} one-second windows (${seconds(ww.seconds)}): multi-master writes, which Galera resolves by aborting one side.`,
        ],
        ops: ops
          .filter((o) => o.complete?.error?.errno === 1213)
          .slice(0, 5)
          .map((o) => o.op),
      };
    },
    acceptance: [
      'Either the BBS SQL layer retries a transaction that fails with 1213 (a bounded number of times, with jitter), or every BBS writes through one node (a single active proxy backend).',
      'Re-running this scenario with the same seed: no BBS op returns a 1213 to its caller, and no checker finds an anomaly.',
      'The report shows 0 multi-master seconds when routing to one node is the chosen fix.',
    ],
  },
  {
    rule: 'stale-reads',
    title: 'Make BBS reads causal on Galera: set wsrep_sync_wait for read transactions',
    when: 'a key is not linearizable and its shrunk evidence contains a read, in a run with faults or with ops served by more than one node',
    find: ({ stats: s, check, ops }) => {
      const byId = new Map(ops.map((o) => [o.op, o]));
      const bad = (check.linearizability?.keys ?? []).filter((k) => k.verdict === 'not-linearizable' && k.failure?.ops.some((f) => isRead(byId.get(f.op)?.f ?? '')));
      const nodes = Object.keys(s.servedByNode).length;
      if (bad.length === 0 || (s.faults.length === 0 && nodes < 2)) return null;
      const reads = bad.flatMap((k) => k.failure!.ops.filter((f) => isRead(byId.get(f.op)?.f ?? '')).map((f) => f.op));
      const why = [
        `${fmt(bad.length)} key${bad.length === 1 ? '' : 's'} not linearizable with a read in the evidence (${bad
          .slice(0, 5)
          .map((k) => k.key)
          .join(', ')}${bad.length > 5 ? ', …' : ''}): a read saw a state older than a write that had already completed.`,
        `Ops were served by ${nodes} node${nodes === 1 ? '' : 's'} (${Object.keys(s.servedByNode).sort().join(', ')}).`,
      ];
      if (s.faults.length > 0) {
        const fo = s.availability.faults;
        const worst = fo.length > 0 ? fo.reduce((a, b) => (b.worstClientOutageSec > a.worstClientOutageSec ? b : a)) : null;
        why.push(
          `${s.faults.length} fault window(s) (${s.faults.map((f) => `${f.kind} ${f.node ?? f.target} at ${f.start.toFixed(1)} s`).join(', ')})` +
            (worst ? `; the longest outage: a client had no success for ${worst.worstClientOutageSec.toFixed(1)} s (median client ${worst.medianClientOutageSec.toFixed(1)} s, no client at all ${worst.bbsOutageSec.toFixed(1)} s) in ${worst.kind} ${worst.node ?? worst.target}` : '') +
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
    when: 'a lost update, write skew (G2-item, G-single), or a BBS invariant that two concurrent writers break (task started on two cells, instance held by two cells)',
    find: ({ check }) => {
      const iso = check.isolation?.counts;
      const lost = iso?.['lost-update'] ?? 0;
      const skew = (iso?.['G2-item'] ?? 0) + (iso?.['G-single'] ?? 0);
      const inv = check.invariants?.counts;
      const twoCells = (inv?.['task-started-on-two-cells'] ?? 0) + (inv?.['instance-held-by-two-cells'] ?? 0);
      if (lost + skew + twoCells === 0) return null;
      const why: string[] = [];
      if (lost > 0) why.push(`${fmt(lost)} lost update${lost === 1 ? '' : 's'}: transactions read the same version of a row and all wrote it; one write silently replaced the others.`);
      if (skew > 0) why.push(`${fmt(skew)} write-skew / read-skew cycle${skew === 1 ? '' : 's'} (G2-item, G-single) among ${fmt(check.isolation?.txns ?? 0)} transactions.`);
      if (twoCells > 0) why.push(`${fmt(twoCells)} BBS invariant violation${twoCells === 1 ? '' : 's'} of the two-writers kind (a task started on two cells, or an instance held by two cells).`);
      const ops = [
        ...(check.invariants?.violations ?? []).filter((v) => v.invariant === 'task-started-on-two-cells' || v.invariant === 'instance-held-by-two-cells').flatMap((v) => v.ops),
        ...(check.isolation?.anomalies['lost-update'] ?? []).flatMap((a) => (a.type === 'lost-update' ? a.txns.map((t) => t.txn) : [])),
      ];
      return { why, ops: [...new Set(ops)].slice(0, 6) };
    },
    acceptance: [
      'Every BBS read-modify-write takes the row with SELECT … FOR UPDATE, or writes with UPDATE … WHERE modification_tag_index = <read index> and treats 0 rows as a conflict.',
      'Re-running this scenario with the same seed: 0 lost updates, 0 G2-item / G-single, no task on two cells, no instance held by two cells.',
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
        for (const o of retried) for (const e of o.complete!.retried ?? []) if (classifyError(e).outcome === 'info') kinds[classifyError(e).kind] = (kinds[classifyError(e).kind] ?? 0) + 1;
        const okAfter = retried.filter((o) => o.complete?.type === 'ok').length;
        why.push(`${fmt(retried.length)} op${retried.length === 1 ? ' was' : 's were'} retried after an attempt with unknown outcome (${top(kinds)}); ${fmt(okAfter)} of them then reported ok, so the first attempt may have committed too and the write ran twice.`);
      }
      if (fa.length > 0) why.push(`${fmt(fa.length)} op${fa.length === 1 ? '' : 's'} reported failed took effect anyway (${fa.slice(0, 3).map((f) => `op ${f.op} ${f.f} ${f.error}, seen by op ${f.seenBy}`).join('; ')}).`);
      return { why, ops: [...new Set([...retried.map((o) => o.op), ...fa.flatMap((f) => [f.op, f.seenBy])])].slice(0, 6) };
    },
    acceptance: [
      'A retried BBS write is idempotent (it checks the row’s modification tag or a request id before applying), or the retry policy never retries after a lost connection or an error on COMMIT.',
      'Re-running this scenario with the same seed: 0 failed-but-applied ops and no duplicate effects in the checkers.',
    ],
  },
];

export function generateStories(ctx: StoryContext, rules: readonly StoryRule[] = STORY_RULES): Story[] {
  const out: Story[] = [];
  for (const r of rules) {
    const f = r.find(ctx);
    if (f) out.push({ rule: r.rule, title: r.title, why: f.why, acceptance: r.acceptance, ops: f.ops });
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
    parts.push(s.why.map((w) => `- ${w}`).join('\n') + '\n');
    if (s.ops.length > 0) parts.push(`Ops that show it (history op ids, see report.html): ${s.ops.map((o) => `op ${o}`).join(', ')}.\n`);
    parts.push('**Acceptance criteria:**\n');
    parts.push(s.acceptance.map((a) => `- [ ] ${a}`).join('\n') + '\n');
  }
  return parts.join('\n');
}
