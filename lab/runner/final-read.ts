// The run's last op: once every node is Synced again, one FinalRead of every BBS table, straight
// from the first node, recorded in the history like any op (process -1).

import type mysql from 'mysql2/promise';
import { FINAL_READ } from '../history/event.ts';
import type { HistoryWriter } from '../history/writer.ts';
import type { Cluster } from '../providers/cluster.ts';
import type { Workload } from '../workload/types.ts';

export interface FinalReadInput {
  cluster: Cluster;
  workload: Workload;
  /** A pool straight to the first node. */
  direct: mysql.Pool;
  writer: HistoryWriter;
  nextOpId: () => number;
  /** Lab events worth a line in the report. */
  notes: string[];
}

export async function finalRead(x: FinalReadInput): Promise<void> {
  await allSynced(x.cluster, x.notes);
  const n1 = x.cluster.nodes[0]!;
  const base = { op: x.nextOpId(), process: -1, client: -1, f: FINAL_READ, key: 'final' } as const;
  x.writer.append({ type: 'invoke', ...base });
  try {
    const value = await x.workload.finalRead(x.direct);
    x.writer.append({ type: 'ok', ...base, value, node: n1.name, proxy: n1.name });
  } catch (e) {
    x.writer.append({ type: 'fail', ...base, error: { message: (e as Error).message } });
    x.notes.push(`final read failed: ${(e as Error).message}`);
  }
}

/**
 * Waits up to 60 s in all for every node to be Synced and Primary; a node that is not gets a note,
 * and the read goes on.
 */
async function allSynced(cluster: Cluster, notes: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (const n of cluster.nodes) {
    for (;;) {
      const st = await cluster.status(n.name).catch(() => null);
      if (st && st.localState === 4 && st.clusterStatus === 'Primary') break;
      if (Date.now() > deadline) {
        notes.push(`final read: ${n.name} was not Synced within 60 s after the workload`);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
