// The evidence of a non-linearizable key: a witness, small enough to read, that a reviewer can
// check by hand. The guarantee: if the ops shown, from the start states shown, cannot be
// linearized, then neither can the key's history. Why it holds:
//
// - The window starts at a cut T where no state-changing `ok` op is open. In any linearization of
//   the full history, the ops that completed before T come first, so the state there is one the
//   state-changing ops before T can leave: the start states are those, computed from them alone
//   (reads before T are left out, which only adds states). Ops of unknown outcome invoked before
//   T and not taken by then may take effect after it, so the window shows them as pending. The
//   witness thus proves alone: with every state-changing op before it, it cannot be linearized.
// - The window ends at a completion R that the search could not get past: ops invoked after R
//   are left out (they come after every op that completed by R), and an `ok` op that completes
//   after R is checked as if its outcome were unknown (it may take effect after R or not).
// - Inside the window, only ops that cannot change the state are ever dropped (the model says
//   which: a read, a cas answered false, a BBS op refused by its own state check); dropping one
//   from a linearization leaves a linearization. A write, a swapping or unknown cas, or any op of
//   unknown outcome stays.
// Every candidate is re-proved by the search from every start state; 'unknown' keeps the ops.

import type { Model } from '../../../specs/model.ts';
import { DEFAULT_MEMORY, searchLinearization, type SearchOp, type SearchResult } from './search.ts';
import { prune, type Config, type KeySearch } from './segments.ts';
import type { StepCache } from './steps.ts';

export interface Witness {
  /** Start state ids. */
  starts: number[];
  /** The ops shown, in invoke order (ok ops as recorded). */
  ops: SearchOp[];
  /** Ops of unknown outcome invoked before the window, shown because they may take effect in it. */
  pendingBefore: number;
  /** The window: from the cut (-Infinity: the start of the history) to the blocking completion. */
  from: number;
  to: number;
  /** The proof for display: the search from the start state that got furthest. */
  proof: SearchResult;
  proofStart: number;
}

export interface ShrinkOptions {
  budget: number;
  memoryBytes?: number;
  /** Re-checks in all. */
  maxChecks?: number;
  /**
   * performance.now() past which no further re-check starts (the witness found so far, if any,
   * stands).
   */
  deadline?: number;
}

/**
 * A window with fewer state-changing ops than this is widened, if it can be without exceeding
 * MAX_STORY.
 */
const STORY_OPS = 2;
const MAX_STORY = 9;

/** Conservative: an op the model cannot vouch for changes the state. */
export function changesState(model: Model, op: SearchOp): boolean {
  return model.changesState ? model.changesState(op.input, op.known ? op.output : undefined) : true;
}

export function shrinkFailure(
  cache: StepCache,
  ops: readonly SearchOp[],
  ks: KeySearch,
  opts: ShrinkOptions,
): Witness | null {
  const model = cache.model;
  const memoryBytes = opts.memoryBytes ?? DEFAULT_MEMORY;
  let budget = opts.budget;
  let checks = opts.maxChecks ?? 400;
  const j = ks.failedSegment;
  if (j === undefined) return null;
  const changes = ops.map((o) => changesState(model, o));

  /**
   * The proofs from every start, or null when some start can be linearized (or the budget ran out).
   */
  const proves = (starts: number[], window: SearchOp[]): SearchResult[] | null => {
    checks--;
    const proofs: SearchResult[] = [];
    for (const s of starts) {
      const r = searchLinearization(cache, window, {
        budget: Math.max(0, budget),
        memoryBytes,
        start: s,
        ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}),
      });
      budget -= r.steps;
      if (r.verdict !== 'not-linearizable') return null;
      proofs.push(r);
    }
    return proofs;
  };
  /**
   * The window's ops: pending ones, then those invoked from `from` up to R, ok ones completing
   * after R relaxed.
   */
  const windowOf = (
    pending: Iterable<number>,
    body: Iterable<number>,
    R: number,
  ): { idx: number[]; ops: SearchOp[] } => {
    const idx: number[] = [];
    const out: SearchOp[] = [];
    for (const i of new Set([...pending, ...body])) {
      const o = ops[i]!;
      if (o.call > R) continue;
      if (o.known && o.ret > R) {
        if (!changes[i]) continue;
        out.push({ ...o, known: false, output: undefined, ret: Infinity });
      } else out.push(o);
      idx.push(i);
    }
    return { idx, ops: out };
  };
  const statesOf = (cs: readonly Config[]) => [...new Set(cs.map((c) => c.state))];
  const pendingOf = (cs: readonly Config[]) => new Set(cs.flatMap((c) => c.pending));

  // Candidate windows start at cuts where no state-changing ok op is open. The configurations at
  // a cut are those the state-changing ops before it can leave: never the full search's, which
  // reads before the cut narrowed (a read of 2 can force an info write of 2 to have taken effect
  // already). An info op invoked before the cut that the state-changing ops leave untaken is then
  // pending, so it belongs to the window and may take effect inside it. The witness therefore
  // proves alone: it, with every state-changing op before it, cannot be linearized.
  const seg = ks.segments[j]!;
  const limit = seg.to;
  const parts = changerParts(ops, changes).filter((p, k) => k === 0 || p.from <= limit);
  const cands: { configs: Config[]; from: number }[] = [
    { configs: [{ state: cache.init, pending: [] }], from: -Infinity },
  ];
  let chain = Math.max(opts.budget, 20 * ops.length);
  for (let k = 0; k < parts.length - 1 && chain > 0; k++) {
    const part = parts[k]!;
    const next: Config[] = [];
    let complete = true;
    for (const c of cands[cands.length - 1]!.configs) {
      // One ok op and nothing pending: one way through, one model step (most parts, on a
      // history whose writes barely overlap).
      if (c.pending.length === 0 && part.ops.length === 1 && ops[part.ops[0]!]!.known) {
        const o = ops[part.ops[0]!]!;
        chain--;
        const to = cache.step(cache.slot(o), o, c.state);
        if (to !== -1) next.push({ state: to, pending: [] });
        continue;
      }
      const r = searchLinearization(
        cache,
        [...c.pending, ...part.ops].map((i) => ops[i]!),
        {
          budget: Math.max(0, chain),
          memoryBytes,
          start: c.state,
          ends: true,
          ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}),
        },
      );
      chain -= r.steps;
      if (r.verdict === 'unknown') {
        complete = false;
        break;
      }
      for (const e of r.ends) {
        const taken = new Set(e.taken);
        next.push({
          state: e.state,
          pending: [...c.pending, ...part.ops.filter((i) => !ops[i]!.known)].filter(
            (i) => !taken.has(ops[i]!.id),
          ),
        });
      }
    }
    // No end: the state-changing ops alone cannot be linearized up to here; earlier cuts prove it.
    if (!complete || next.length === 0) break;
    cands.push({ configs: prune(next), from: parts[k + 1]!.from });
  }
  cands.reverse();
  const bodyOf = (from: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < ops.length; i++)
      if (ops[i]!.call >= from && ops[i]!.call <= limit) out.push(i);
    return out;
  };

  type Chosen = {
    starts: number[];
    idx: number[];
    proofs: SearchResult[];
    from: number;
    R: number;
    pending: Set<number>;
  };
  const attempt = (c: (typeof cands)[number], R: number): Chosen | null => {
    const starts = statesOf(c.configs);
    const pending = pendingOf(c.configs);
    const w = windowOf(pending, bodyOf(c.from), R);
    const proofs = proves(starts, w.ops);
    return proofs ? { starts, idx: w.idx, proofs, from: c.from, R, pending } : null;
  };
  const stateChanging = (c: Chosen) => c.idx.filter((i) => changes[i]).length;
  let chosen: Chosen | null = null;
  for (const R of ks.blockedRet !== null && ks.blockedRet < seg.to
    ? [ks.blockedRet, Infinity]
    : [Infinity]) {
    for (let n = 0; n < cands.length && checks > 0 && budget > 0; n++) {
      chosen = attempt(cands[n]!, R);
      if (!chosen) continue;
      // The smallest proof can be "from value 2, a read saw 1": sound, but the reader asks where
      // 2 came from. While the window has fewer than two state-changing ops, an earlier cut that
      // still proves and stays small tells the story ("1, then 2 written, then a read saw 1").
      for (
        let m = n + 1;
        m < cands.length && stateChanging(chosen) < STORY_OPS && checks > 0 && budget > 0;
        m++
      ) {
        const wider = attempt(cands[m]!, R);
        if (!wider || stateChanging(wider) > MAX_STORY) break;
        chosen = wider;
      }
      break;
    }
    if (chosen) break;
  }
  if (!chosen) return null;

  // Drop what cannot change the state, one op at a time, re-proving each time.
  let idx = chosen.idx;
  let proofs = chosen.proofs;
  for (const i of [...idx].reverse()) {
    if (changes[i] || checks <= 0 || budget <= 0) continue;
    const trial = idx.filter((x) => x !== i);
    const p = proves(chosen.starts, windowOf([], trial, chosen.R).ops);
    if (p) {
      idx = trial;
      proofs = p;
    }
  }
  const shown = idx.map((i) => ops[i]!).sort((a, b) => a.call - b.call || a.id - b.id);
  let bestAt = 0;
  proofs.forEach((p, n) => {
    if (p.order.length > proofs[bestAt]!.order.length) bestAt = n;
  });
  return {
    starts: chosen.starts,
    ops: shown,
    pendingBefore: idx.filter((i) => chosen!.pending.has(i)).length,
    from: chosen.from,
    to: chosen.R,
    proof: proofs[bestAt]!,
    proofStart: chosen.starts[bestAt]!,
  };
}

interface ChangerPart {
  /** The cut opening the part (-Infinity for the first): no state-changing ok op is open there. */
  from: number;
  /** Its state-changing ops: the ok ones clustered by overlap, and the info ones invoked in it. */
  ops: number[];
}

/**
 * The key's state-changing ops cut where none of the ok ones is open. Ops that cannot change the
 * state are never in a part: the configurations at a cut do not rely on them.
 */
function changerParts(ops: readonly SearchOp[], changes: readonly boolean[]): ChangerPart[] {
  const strong = ops
    .map((_, i) => i)
    .filter((i) => ops[i]!.known && changes[i])
    .sort((a, b) => ops[a]!.call - ops[b]!.call);
  const parts: { from: number; to: number; ops: number[] }[] = [];
  for (const i of strong) {
    const o = ops[i]!;
    const last = parts[parts.length - 1];
    if (last && o.call <= last.to) {
      last.ops.push(i);
      last.to = Math.max(last.to, o.ret);
    } else parts.push({ from: o.call, to: o.ret, ops: [i] });
  }
  if (parts.length === 0)
    return [{ from: -Infinity, ops: ops.map((_, i) => i).filter((i) => changes[i]) }];
  parts[0]!.from = -Infinity;
  const weak = ops
    .map((_, i) => i)
    .filter((i) => !ops[i]!.known && changes[i])
    .sort((a, b) => ops[a]!.call - ops[b]!.call);
  let k = 0;
  for (const i of weak) {
    while (k < parts.length - 1 && ops[i]!.call >= parts[k + 1]!.from) k++;
    parts[k]!.ops.push(i);
  }
  return parts.map((p) => ({ from: p.from, ops: p.ops }));
}
