// Whether checking and rendering run N while run N+1's workload runs would change run N+1's
// figures here: the quickstart (3 nodes, one proxy, 8 clients, 10 ops/s each) on a fixed seed with
// a 10-s workload, warm, run alone, then with run N's check and report rendered beside it in a
// child process (`bbs-lab report <run N>`, started as the workload starts: what an overlapping
// campaign would do), then rendered in the lab's own process (where the clients run), in turns. Per run: the offered rate the rule judged (missed slots, lag p99),
// ops completed and ok, the verdict. docs/campaigns.md has the figures and the decision.
// Needs MariaDB Galera; loopback base BBS_LAB_BENCH_ADDRESS_BASE (default 127.0.0).

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root.ts';
import { renderRun } from '../report/write.ts';
import { runScenario } from '../runner/run.ts';
import { WarmClusters } from '../runner/warm.ts';
import { parseScenario } from '../scenario/validate.ts';

interface Figures {
  missedShare: number | null;
  lagP99Ms: number | null;
  keptUp: boolean | null;
  invoked: number;
  ok: number;
  valid: unknown;
}

function figuresOf(dir: string, results: string): Figures {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  const evs = readFileSync(join(dir, 'history.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; f?: string });
  return {
    missedShare: r.rate?.judged?.missedShare ?? null,
    lagP99Ms: r.rate?.judged?.lagP99Ms ?? null,
    keptUp: r.rate?.keptUp ?? null,
    invoked: evs.filter((e) => e.type === 'invoke' && e.f !== 'FinalRead').length,
    ok: evs.filter((e) => e.type === 'ok' && e.f !== 'FinalRead').length,
    valid: r.check?.valid ?? null,
  };
}

const show = (f: Figures) =>
  `missed ${f.missedShare === null ? '—' : `${(f.missedShare * 100).toFixed(1)}%`}, lag p99 ${f.lagP99Ms?.toFixed(0) ?? '—'} ms, kept up ${f.keptUp}, ${f.invoked} ops, ${f.ok} ok, valid ${String(f.valid)}`;

/** `bbs-lab report <dir>` in a child process; resolves with its wall seconds. */
function renderBeside(dir: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(PROJECT_ROOT, 'bin', 'bbs-lab.js'), 'report', dir],
      {
        stdio: 'ignore',
      },
    );
    child.on('exit', () => resolve((performance.now() - t0) / 1000));
    child.on('error', () => resolve(Number.NaN));
  });
}

export async function benchOverlap(log: (line: string) => void, pairs = 2): Promise<void> {
  const scenario = parseScenario(
    readFileSync(join(PROJECT_ROOT, 'scenarios', 'quickstart.yaml'), 'utf8'),
    'scenarios/quickstart.yaml',
  );
  const s = { ...scenario, duration: 10 };
  const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-bench-overlap-'));
  const addressBase = process.env.BBS_LAB_BENCH_ADDRESS_BASE ?? '127.0.0';
  const warm = new WarmClusters();
  try {
    // The cold start, and run N for every overlapped run to render.
    const first = await runScenario(s, { seed: 1, runsDir, addressBase, log: () => {}, warm });
    for (let i = 0; i < pairs; i++) {
      for (const mode of ['alone', 'child', 'in-process'] as const) {
        const overlap = mode !== 'alone';
        const beside: { render: Promise<number> | null } = { render: null };
        const r = await runScenario(s, {
          seed: 1,
          runsDir,
          addressBase,
          warm,
          log: (m) => {
            if (overlap && beside.render === null && /^workload: \d+ clients for/.test(m))
              beside.render =
                mode === 'child'
                  ? renderBeside(first.dir.path)
                  : new Promise((resolve) =>
                      setImmediate(() => {
                        const t0 = performance.now();
                        renderRun(first.dir, s, 1, { notes: [] });
                        resolve((performance.now() - t0) / 1000);
                      }),
                    );
          },
        });
        const renderSec = beside.render === null ? null : await beside.render;
        log(
          `overlap: quickstart seed 1, 10-s workload, ${overlap ? `with run N's check and report ${mode === 'child' ? 'in a child process' : 'in the same process'} (${renderSec?.toFixed(1)} s)` : 'alone'}: ${show(figuresOf(r.dir.path, r.dir.results))}`,
        );
      }
    }
  } finally {
    await warm.close();
    rmSync(runsDir, { recursive: true, force: true });
  }
}
