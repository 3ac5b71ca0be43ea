// The moments a Galera node's error log (logs/<node>.err) records that matter for an outage: when
// it suspected a silent peer ("evs::proto(...) suspecting node: <uuid>"), each new component it saw
// ("New COMPONENT: primary = yes|no, ..., memb_num = K"), and each state it shifted to ("Shifting
// SYNCED -> OPEN", "... JOINED -> SYNCED"). Pure: text in, marks out.
//
// MariaDB stamps these lines to the second ("2026-12-07 16:37:09", the server's local time, which
// on one machine is the lab's), so a mark stands for the whole second: it is placed in the middle
// of it, ±0.5 s.

export type NodeLogMark =
  | { node: string; wallMs: number; kind: 'suspect' }
  | { node: string; wallMs: number; kind: 'view'; primary: boolean; members: number }
  | { node: string; wallMs: number; kind: 'state'; from: string; to: string };

const STAMP = /^(\d{4})-(\d{2})-(\d{2}) +(\d{1,2}):(\d{2}):(\d{2}) /;

/**
 * Local-time "YYYY-MM-DD HH:MM:SS" at the start of a line, as ms since the epoch (the middle of
 * that second).
 */
function stampOf(line: string): number | null {
  const m = STAMP.exec(line);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(y!, mo! - 1, d!, h!, mi!, s!).getTime() + 500;
}

export function parseNodeLog(node: string, text: string): NodeLogMark[] {
  const out: NodeLogMark[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('WSREP')) continue;
    const wallMs = stampOf(line);
    if (wallMs === null) continue;
    if (/evs::proto\(.*\) suspecting node:/.test(line)) {
      out.push({ node, wallMs, kind: 'suspect' });
      continue;
    }
    const view = /New COMPONENT: primary = (yes|no),.*memb_num = (\d+)/.exec(line);
    if (view) {
      out.push({
        node,
        wallMs,
        kind: 'view',
        primary: view[1] === 'yes',
        members: Number(view[2]),
      });
      continue;
    }
    const shift = /Shifting ([A-Z/]+) -> ([A-Z/]+)/.exec(line);
    if (shift) out.push({ node, wallMs, kind: 'state', from: shift[1]!, to: shift[2]! });
  }
  return out;
}
