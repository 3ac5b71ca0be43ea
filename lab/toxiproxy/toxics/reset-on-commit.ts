// reset_on_commit (the lab's own; real Toxiproxy has no such toxic): on the client -> MySQL link,
// hands every COMMIT on to the server, and at the `every`-th COMMIT of the connection resets it
// (TCP RST both ways) `timeout` ms after handing it on. The server may have committed or not (it
// races the reset), and the client never learns which: the outcome a store must answer "unknown".
// A COMMIT is recognised as the MySQL packet of a COM_QUERY "COMMIT" (length 7, sequence 0,
// command 0x03), the way mysql2 sends `query('COMMIT')`, wherever it falls in a chunk.

import type { ToxicKind } from './types.ts';

/** 3-byte length 7, sequence 0, COM_QUERY, "COMMIT". */
export const COMMIT_PACKET = Buffer.from([7, 0, 0, 0, 3, ...Buffer.from('COMMIT', 'latin1')]);

/** How many COMMIT packets a chunk holds. */
export function commitsIn(chunk: Buffer): number {
  let n = 0;
  for (
    let i = chunk.indexOf(COMMIT_PACKET);
    i !== -1;
    i = chunk.indexOf(COMMIT_PACKET, i + COMMIT_PACKET.length)
  )
    n++;
  return n;
}

export const resetOnCommit: ToxicKind = {
  type: 'reset_on_commit',
  attributes: { every: 1, timeout: 0 },
  validate: (a) =>
    !Number.isInteger(a.every) || (a.every ?? 0) < 1
      ? `every must be a whole number ≥ 1 (reset at the every-th COMMIT of a connection), got ${a.every}`
      : null,
  create(attrs, out, state) {
    let timer: NodeJS.Timeout | null = null;
    let fired = false;
    return {
      write(chunk) {
        if (fired) {
          out.discard(chunk.length);
          return;
        }
        out.push(chunk);
        const seen = (state.commits ?? 0) + commitsIn(chunk);
        state.commits = seen;
        if (!timer && seen >= (attrs.every ?? 1)) {
          timer = setTimeout(() => {
            timer = null;
            fired = true;
            out.reset();
          }, attrs.timeout ?? 0);
        }
      },
      end: () => out.end(),
      flush() {},
      dispose() {
        if (timer) clearTimeout(timer);
        timer = null;
      },
    };
  },
};
