// multi-ip: the client holds every target's address and chooses among them per new connection, as
// a Go client with several addresses would: `clients.selector` orders the tries (ORDER: the first
// that connects, so it fails over and back; RR: rotated per dial; RANDOM: shuffled per dial), and
// the connections live in Go's pool (the dial pool), kept until they break or expire.

import { seededRng } from '../../random/seeded-rng.ts';
import { createDialPool } from '../dial-pool.ts';
import { defineClientConfig, describeGoPool, goPoolOf, type Target } from './types.ts';

/** The order one dial tries the targets in; `n` counts dials, `rand` is in [0, 1). */
export function selectorOrder(
  selector: 'ORDER' | 'RR' | 'RANDOM',
  targets: readonly Target[],
  n: number,
  rand: () => number,
): Target[] {
  if (selector === 'ORDER') return [...targets];
  if (selector === 'RR') return targets.map((_, i) => targets[(n + i) % targets.length]!);
  const out = [...targets];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export const multiIp = defineClientConfig({
  name: 'multi-ip',
  consul: null,
  serve: 'every-proxy',
  problem: () => null,
  describe: (s) =>
    `each client holding every address and choosing per new connection (selector ${s.clients.selector}, ${describeGoPool(s)})`,
  source: (s, ctx) => ({
    name: 'multi-ip',
    lender: ctx.shared('multi-ip', () => {
      const targets = ctx.targets;
      let dials = 0;
      // Seeded, so a run's RANDOM picks repeat with its seed.
      const rand = seededRng(ctx.seed ?? 0);
      const pool = createDialPool({
        candidates: async () => selectorOrder(s.clients.selector, targets, dials++, rand),
        ...ctx.login,
        pool: goPoolOf(s),
        connectTimeoutMs: 5000,
      });
      return { lender: pool, end: () => pool.end() };
    }),
  }),
});
