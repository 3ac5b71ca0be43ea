// The steady workload of the migration stories and the upgrade DUST: a few clients calling the BBS
// API (api-client.ts) with the ops every generation of the lab's BBS serves (the legacy etcd node
// serves only these), over a small key space so creates collide and reads see writes. Every call is
// written to history.jsonl as it happens (invoke, then ok / fail / info), so the checkers judge the
// story from the history alone: a write acknowledged by one store and missing from the next is a
// linearizability violation of that key.
//
// After the story, `finalReads` reads every key once through the serving node, recorded like any
// op:
// lost data shows as a read of null (or an older record) after an acknowledged create.

import { keyOf, type BbsOp } from '../../bbs/ops.ts';
import type { HistoryWriter } from '../history/writer.ts';
import { seededRng, type Rng } from '../random/seeded-rng.ts';
import type { BbsApiClient } from './api-client.ts';

export interface MigrationWorkloadOptions {
  clients: number;
  seed: number;
  /**
   * Keys in play at once per entity kind: tasks t-k, desired LRPs lrp-k, actual LRPs lrp-k/0..1.
   */
  keys: number;
  /**
   * The window of keys in play moves up by one every this many ops, so fresh keys are created all
   * through a story (a write lost at any moment has a key of its own to show it).
   */
  advanceEvery: number;
  /** Pause after a call that did not succeed, so an outage is sampled, not flooded (ms). */
  pauseAfterFailMs: number;
  /** Pause between calls of one client (ms). */
  thinkMs: number;
}

export const DEFAULT_WORKLOAD: MigrationWorkloadOptions = {
  clients: 3,
  seed: 1,
  keys: 12,
  advanceEvery: 40,
  pauseAfterFailMs: 50,
  thinkMs: 10,
};

/** One op from the subset every BBS generation serves. Pure given the generator. */
export function nextOp(rng: Rng, base: number, keys: number, prefix: string): BbsOp {
  const k = base + Math.floor(rng() * keys);
  const r = rng();
  const task = `${prefix}t-${k}`;
  const lrp = `${prefix}lrp-${k}`;
  if (r < 0.2) return { f: 'DesireTask', args: { taskGuid: task, domain: 'cf-tasks' } } as BbsOp;
  if (r < 0.4) return { f: 'TaskByGuid', args: { taskGuid: task } } as BbsOp;
  if (r < 0.55)
    return {
      f: 'DesireLRP',
      args: { processGuid: lrp, domain: 'cf-apps', instances: 2, annotation: `app ${k}` },
    } as BbsOp;
  if (r < 0.7) return { f: 'DesiredLRPByProcessGuid', args: { processGuid: lrp } } as BbsOp;
  const index = rng() < 0.5 ? 0 : 1;
  if (r < 0.85)
    return {
      f: 'CreateUnclaimedActualLRP',
      args: { processGuid: lrp, index, domain: 'cf-apps' },
    } as BbsOp;
  return { f: 'ActualLRPByIndex', args: { processGuid: lrp, index } } as BbsOp;
}

/** A read of every key below `keys`. */
export function readsOfAllKeys(keys: number, prefix: string): BbsOp[] {
  const out: BbsOp[] = [];
  for (let k = 0; k < keys; k++) {
    out.push({ f: 'TaskByGuid', args: { taskGuid: `${prefix}t-${k}` } } as BbsOp);
    out.push({ f: 'DesiredLRPByProcessGuid', args: { processGuid: `${prefix}lrp-${k}` } } as BbsOp);
    for (const index of [0, 1])
      out.push({
        f: 'ActualLRPByIndex',
        args: { processGuid: `${prefix}lrp-${k}`, index },
      } as BbsOp);
  }
  return out;
}

export class MigrationWorkload {
  private running = false;
  private loops: Promise<void>[] = [];
  private nextOpId = 0;
  private nextProcess: number;
  private issued = 0;

  constructor(
    private readonly history: HistoryWriter,
    private readonly client: (c: number) => BbsApiClient,
    readonly o: MigrationWorkloadOptions = DEFAULT_WORKLOAD,
    /** Key prefix, so a story's keys never meet the seeded legacy data. */
    readonly prefix = 'w-',
  ) {
    this.nextProcess = o.clients;
  }

  /**
   * Runs one op through a client and records it; returns the outcome and the process to use next.
   */
  private async record(
    client: number,
    process: number,
    api: BbsApiClient,
    op: BbsOp,
  ): Promise<{ ok: boolean; process: number }> {
    const id = this.nextOpId++;
    const key = keyOf(op);
    this.history.append({ type: 'invoke', op: id, process, client, f: op.f, key, value: op });
    const a = await api.call(op);
    this.history.append({
      type: a.outcome,
      op: id,
      process,
      client,
      f: op.f,
      key,
      value: a.outcome === 'ok' ? a.value : op,
      proxy: a.url,
      ...(a.node ? { node: a.node } : {}),
      ...(a.error ? { error: a.error } : {}),
    });
    // As in Jepsen, a process whose op ended unknown is crashed: the client goes on as a new one.
    return { ok: a.outcome === 'ok', process: a.outcome === 'info' ? this.nextProcess++ : process };
  }

  start(): void {
    this.running = true;
    for (let c = 0; c < this.o.clients; c++) {
      const rng = seededRng(this.o.seed * 7919 + c);
      const api = this.client(c);
      this.loops.push(
        (async () => {
          let process = c;
          while (this.running) {
            const base = Math.floor(this.issued++ / this.o.advanceEvery);
            const r = await this.record(
              c,
              process,
              api,
              nextOp(rng, base, this.o.keys, this.prefix),
            );
            process = r.process;
            await sleep(r.ok ? this.o.thinkMs : this.o.pauseAfterFailMs);
          }
        })(),
      );
    }
  }

  /** Every key index the workload may have touched is below this. */
  get keysUsed(): number {
    return Math.floor(Math.max(0, this.issued - 1) / this.o.advanceEvery) + this.o.keys;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /**
   * Reads every key once, retrying a read that did not succeed (a read changes nothing) until it
   * succeeds or `deadlineMs` passes; every attempt is in the history.
   */
  async finalReads(deadlineMs = 20_000): Promise<{ read: number; unread: number }> {
    const api = this.client(this.o.clients);
    const process = this.nextProcess++;
    let p = process;
    const end = Date.now() + deadlineMs;
    let read = 0;
    let unread = 0;
    for (const op of readsOfAllKeys(this.keysUsed, this.prefix)) {
      for (;;) {
        const r = await this.record(this.o.clients, p, api, op);
        p = r.process;
        if (r.ok) {
          read++;
          break;
        }
        if (Date.now() > end) {
          unread++;
          break;
        }
        await sleep(this.o.pauseAfterFailMs);
      }
    }
    return { read, unread };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
