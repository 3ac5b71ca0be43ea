// Shared by the integration tests: what a test may assert about processes the lab left behind.

import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMP_PREFIX } from '../../lab/lifecycle/owned.ts';

/** Pids of live processes whose command line mentions `needle` (e.g. a cluster's temp dir). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(needle)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

export async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A regular expression source for a path the lab made under this machine's temp dir (TMPDIR
 * honoured): the lab's prefix and `tag`, then `rest` (by default the rest of a word).
 */
export function labTempPath(tag = '', rest = String.raw`\S+`): string {
  return `${escapeRegExp(join(tmpdir(), TEMP_PREFIX + tag))}${rest}`;
}

export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Stops `child` when the test ends, however it ends: a failed assertion must not leave a lab child
 * running (its worker would never exit and the suite would hang). `signal` first, as a user's
 * Ctrl-C, so the child cleans up; SIGKILL after `graceMs` if it has not exited.
 */
export function stopOnTeardown(
  t: { teardown(fn: () => Promise<void> | void): void },
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGINT',
  graceMs = 20_000,
): void {
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const late = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(late);
  });
}

/**
 * The whole BBS's no-success stretches in [0, end], written again simply for the tests that
 * recount report figures: the stretches between consecutive successes, with a lone success (a
 * stretch of 1 s or more on each side) merged over, the reports' rule (lab/report/stretches.ts).
 */
export function wholeBbsStretches(
  oks: readonly number[],
  end: number,
): { from: number; to: number }[] {
  const points = [0, ...[...oks].sort((a, b) => a - b), end];
  const out: { from: number; to: number }[] = [];
  for (let i = 1; i < points.length; i++) {
    const g = { from: points[i - 1]!, to: points[i]! };
    const prev = out[out.length - 1];
    const long = (x: { from: number; to: number }) => x.to - x.from >= 1 - 1e-9;
    if (prev && long(prev) && long(g)) prev.to = g.to;
    else out.push(g);
  }
  return out;
}
