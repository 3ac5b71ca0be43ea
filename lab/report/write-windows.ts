// Seconds in which acknowledged writes reached more than one Galera node, told apart by what made
// them: a switchover (the writers moved from one node to the next and did not come back within the
// second: a proxy failing over, one node after another) or concurrent writing (writes alternate
// between nodes within the second: clients on several nodes, or proxies that disagree). Only the
// second kind lets two nodes certify conflicting writesets against each other; counting both as
// "multi-node" made a clean failover look like multi-master writing.

export interface TimedWrite {
  /** Completion time, ns (the history's clock). */
  time: number;
  node: string;
}

export interface WriteWindows {
  /** Seconds with at least one acknowledged write. */
  total: number;
  /** Seconds with acknowledged writes on more than one node (switchover + concurrent). */
  multiNode: number;
  /** Those seconds, since the workload's start. */
  seconds: number[];
  /** Multi-node seconds in which each node's writes form one unbroken run: a switchover. */
  switchover: number[];
  /**
   * Multi-node seconds in which the writes go back to a node they had left: writing on several
   * nodes at once.
   */
  concurrent: number[];
}

/**
 * Whether, in completion order, each node's writes form one unbroken run (A…A B…B, never A B A).
 */
export function isSwitchover(nodesInOrder: readonly string[]): boolean {
  const left = new Set<string>();
  for (let i = 0; i < nodesInOrder.length; i++) {
    const n = nodesInOrder[i]!;
    if (left.has(n)) return false;
    const next = nodesInOrder[i + 1];
    if (next !== undefined && next !== n) left.add(n);
  }
  return true;
}

/** The write windows of acknowledged writes; `t0` is the workload's start (ns). */
export function writeWindows(writes: readonly TimedWrite[], t0: number): WriteWindows {
  const bySecond = new Map<number, TimedWrite[]>();
  for (const w of writes) {
    const sec = Math.floor((w.time - t0) / 1e9);
    let list = bySecond.get(sec);
    if (!list) {
      list = [];
      bySecond.set(sec, list);
    }
    list.push(w);
  }
  const seconds: number[] = [];
  const switchover: number[] = [];
  const concurrent: number[] = [];
  for (const [sec, list] of [...bySecond.entries()].sort((a, b) => a[0] - b[0])) {
    if (new Set(list.map((w) => w.node)).size < 2) continue;
    seconds.push(sec);
    const order = [...list].sort((a, b) => a.time - b.time).map((w) => w.node);
    (isSwitchover(order) ? switchover : concurrent).push(sec);
  }
  return { total: bySecond.size, multiNode: seconds.length, seconds, switchover, concurrent };
}
