// Writes a lab history as Jepsen EDN, one op map a line (what Jepsen stores as history.edn and
// what Knossos's and Elle's command lines read), so a user can get a second opinion from them.
// lab/history/edn.ts reads it back with the same verdict, except where Knossos's conventions
// cannot say what the lab recorded (docs/history-format.md, "--export edn"):
// - register-shaped ops ({ f, value } inputs) get Knossos's shape: :value is the written value,
//   the [from to] of a cas, the value read; a cas that answered false is a :fail (Knossos has no
//   "cas returned false"). With several keys, values are independent-key tuples [k v];
// - :txn ops keep their micro-ops with keyword names ([:append 3 12] [:r 4 [1 5]]) for Elle;
// - any other op (BBS API calls, kv ops) carries :key and the lab's own :value as an EDN map;
// - lab events go to the :nemesis process as :info ops (:f :start / :stop / :event).

import { writeFileSync } from 'node:fs';
import { toEDNString, type EDNVal } from 'edn-data';
import { pairOps, type HistoryEvent, type Op } from './event.ts';

const KEYWORD = /^[A-Za-z_*+!?<>=-][A-Za-z0-9_*+!?<>=.-]*$/;
const kw = (s: string): EDNVal => (KEYWORD.test(s) ? { key: s } : s);

/** A JSON-like lab value as EDN: objects become maps with keyword keys where the name allows. */
export function ednOf(v: unknown): EDNVal {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map(ednOf);
  if (typeof v === 'object')
    return {
      map: Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [kw(k), ednOf(x)] as [EDNVal, EDNVal]),
    };
  return String(v);
}

type Shape = 'register' | 'txn' | 'lab';

/**
 * The input shape of the generic register-like models: `{ f, value? }` with f the op's own name.
 */
function isRegisterShaped(o: Op): boolean {
  const v = o.invoke.value;
  if (o.key === undefined || v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return (v as { f?: unknown }).f === o.f && keys.every((k) => k === 'f' || k === 'value');
}

const READS = new Set(['read', 'r', 'get']);
const keyEdn = (k: string): EDNVal => (/^-?\d{1,15}$/.test(k) ? Number(k) : k);
const txnEdn = (v: unknown): EDNVal =>
  Array.isArray(v)
    ? v.map((m) =>
        Array.isArray(m) && typeof m[0] === 'string'
          ? [kw(m[0]), ...m.slice(1).map(ednOf)]
          : ednOf(m),
      )
    : ednOf(v);

export function toJepsenEdn(events: readonly HistoryEvent[]): string {
  const ops = new Map<number, { op: Op; shape: Shape }>();
  for (const o of pairOps(events))
    ops.set(o.op, {
      op: o,
      shape: o.f === 'txn' ? 'txn' : isRegisterShaped(o) ? 'register' : 'lab',
    });
  const registerKeys = new Set(
    [...ops.values()].filter((x) => x.shape === 'register').map((x) => x.op.key),
  );
  const tupled = registerKeys.size > 1;

  const lines: string[] = [];
  let index = 0;
  for (const e of events) {
    const entries: [EDNVal, EDNVal][] = [];
    const put = (k: string, v: EDNVal) => entries.push([{ key: k }, v]);
    if (e.type === 'nemesis') {
      put('type', { key: 'info' });
      put('process', { key: 'nemesis' });
      put('f', { key: e.phase });
      put(
        'value',
        ednOf({
          fault: e.fault,
          kind: e.kind,
          ...(e.detail !== undefined ? { detail: e.detail } : {}),
        }),
      );
    } else {
      const known = ops.get(e.op);
      if (!known) continue; // a completion with no invoke: nothing Jepsen could pair it with
      const { op, shape } = known;
      let type: string = e.type;
      let value: EDNVal;
      if (shape === 'txn') value = txnEdn(e.value);
      else if (shape === 'lab') value = ednOf(e.value);
      else {
        const input = op.invoke.value as { f: string; value?: unknown };
        let inner: EDNVal = ednOf(input.value);
        if (e.type === 'ok' && READS.has(op.f)) inner = ednOf(e.value);
        if (e.type === 'ok' && op.f === 'cas' && e.value === false) type = 'fail';
        value = tupled ? [keyEdn(op.key!), inner] : inner;
      }
      put('type', { key: type });
      put('process', e.process);
      put('f', kw(e.f));
      if (shape === 'lab') put('key', e.key ?? op.key ?? null);
      put('value', value);
      if (e.type !== 'invoke' && e.error) put('error', ednOf(e.error));
    }
    put('time', e.time);
    put('index', index++);
    lines.push(toEDNString({ map: entries }));
  }
  return lines.join('\n') + (lines.length > 0 ? '\n' : '');
}

export function writeEdnHistory(path: string, events: readonly HistoryEvent[]): void {
  writeFileSync(path, toJepsenEdn(events));
}
