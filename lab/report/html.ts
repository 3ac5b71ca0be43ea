// report.html: one self-contained file (inline CSS and SVG, no script, no external resource) that
// opens from disk. The answer to the scenario's question first, then every finding with its
// evidence and an ops timeline, the mitigation stories, the charts, and the ops referenced, each
// with an anchor (#op-<id>) that the findings and stories link to. Pure.

import { verdictHeadline, type CheckReport } from './verdicts.ts';
import type { Op } from '../history/event.ts';
import type { RunCharts } from './charts/index.ts';
import { argsText, resultText } from './charts/op-label.ts';
import { renderCausesHtml } from './causes.ts';
import {
  reachSentence,
  reachTableRows,
  shapeSentence,
  shapeTableRows,
  type Reach,
} from './reach.ts';
import { shortfallSentence } from './shortfall.ts';
import { FAULT_TABLE_HEADER, faultNotes, faultTableRows } from './fault-table.ts';
import { answerSentences } from './answer.ts';
import { MERGE_RULE } from './stretches.ts';
import { summarySentences, systemUnderTest } from './markdown.ts';
import type { RunStats } from './stats.ts';
import type { Story } from './stories.ts';
import type { Scenario } from '../scenario/types.ts';
import type { RateRecord } from './rate.ts';
import type { MachineSummary } from './machine.ts';
import { notKeptNotice } from './rate-text.ts';

export interface HtmlInput {
  /** The outage-by-part section's HTML (report/outage-parts-md.ts), after the fault table. */
  outageParts?: string;
  scenario: Scenario;
  seed: number;
  runId: string;
  stats: RunStats;
  check: CheckReport;
  charts: RunCharts;
  stories: readonly Story[];
  /** The run's ops, to list the ones the findings and stories refer to. */
  ops: readonly Op[];
  interrupted?: string;
  notes?: string[];
  /** Which ops and transitions the workload exercised (report/reach.ts). */
  reach?: Reach;
  rate?: RateRecord | null;
  machine?: MachineSummary | null;
  /** The command that repeats the run (report/repeat.ts). */
  repeat?: string;
}

export function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Escapes text and turns "op 17" into a link to the op's row when it has one. */
function linkOps(text: string, anchored: ReadonlySet<number>): string {
  return esc(text).replace(/\bop (\d+)\b/g, (m, id: string) =>
    anchored.has(Number(id)) ? `<a href="#op-${id}">${m}</a>` : m,
  );
}

const CSS = `
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #212121; line-height: 1.45; }
h1 { font-size: 1.5em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
.answer { background: #f5f7fa; border-left: 4px solid #1565c0; padding: .6em 1em; }
.verdict-bad { color: #c62828; font-weight: bold; } .verdict-ok { color: #2e7d32; font-weight: bold; } .verdict-unknown { color: #ef6c00; font-weight: bold; }
.finding, .story { border: 1px solid #e0e0e0; border-radius: 6px; padding: .4em 1em 1em; margin: 1em 0; }
figure { margin: 1em 0; max-width: 100%; } svg.chart { max-width: 100%; height: auto; display: block; }
p, li { overflow-wrap: anywhere; }
table { border-collapse: collapse; font-size: .85em; max-width: 100%; } td, th { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
/* Headers wrap between words only ("fa|ult" read as two words): the column takes its longest word. */
th { overflow-wrap: normal; word-break: normal; hyphens: manual; }
/* The ops table has ten columns and free text: over the page width, every data cell may wrap
   anywhere (so its text never sets a column's least width) while a header keeps its words whole. */
table.ops { width: 100%; } table.ops td { overflow-wrap: anywhere; word-break: break-word; }
table.ops col.id { width: 5%; } table.ops col.narrow { width: 7.5%; } table.ops col.f { width: 12%; } table.ops col.text { width: auto; }
details code { white-space: pre-wrap; word-break: break-all; }
tr:target { background: #fff59d; } .interrupted { background: #fff3e0; padding: .5em 1em; }
code { font-size: .9em; }
`;

function opRow(o: Op, t0: number): string {
  const c = o.complete;
  const rel = (ns: number) => ((ns - t0) / 1e9).toFixed(3);
  // Words first (as in the timelines); the recorded value stays one click away for the evidence.
  const raw = c ? JSON.stringify(c.error ?? c.value ?? null) : '';
  const result = c
    ? `${esc(resultText(o))}${raw.length > 2 ? ` <details><summary>recorded</summary><code>${esc(raw.slice(0, 600))}${raw.length > 600 ? '…' : ''}</code></details>` : ''}`
    : 'never completed';
  return `<tr id="op-${o.op}"><td>${o.op}</td><td>${o.process}</td><td>${esc(o.f)}</td><td>${esc(o.key ?? '')}</td><td>${rel(o.invoke.time)}</td><td>${c ? rel(c.time) : '—'}</td><td>${c ? c.type : 'open'}</td><td>${esc(c?.node ?? '')}</td><td>${esc(argsText(o.invoke.value))}</td><td>${result}</td></tr>`;
}

export function renderHtml(input: HtmlInput): string {
  const { scenario, stats, check, charts, stories, runId } = input;
  const t0 = input.ops.reduce((m, o) => Math.min(m, o.invoke.time), Infinity);
  const referenced = new Set<number>([
    ...charts.anomalies.flatMap((a) => a.item.ops.map((o) => o.op)),
    ...stories.flatMap((s) => s.ops),
    ...(check.causes ?? []).flatMap((c) => c.ops),
  ]);
  const byId = new Map(input.ops.map((o) => [o.op, o]));
  const anchored = new Set([...referenced].filter((id) => byId.has(id)));
  const verdictClass =
    check.valid === true ? 'verdict-ok' : check.valid === false ? 'verdict-bad' : 'verdict-unknown';
  const verdict = verdictHeadline(check.valid, true);
  const p: string[] = [];
  p.push(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
  );
  p.push(
    `<title>${esc(scenario.name)}: run ${esc(runId)}</title><style>${CSS}</style></head><body>`,
  );
  p.push(`<h1>${esc(scenario.name)}: run ${esc(runId)}</h1>`);
  if (input.interrupted)
    p.push(
      `<p class="interrupted"><strong>This run was interrupted</strong> (${esc(input.interrupted)}); the history up to that point was checked.</p>`,
    );
  const notKept = notKeptNotice(input.rate);
  if (notKept)
    p.push(`<p class="interrupted"><strong>${esc(notKept.head)}</strong>${esc(notKept.rest)}</p>`);
  p.push(`<p><strong>Question.</strong> ${esc(scenario.question.trim())}</p>`);
  if (scenario.workload.kind === 'bbs')
    p.push(
      `<p><strong>System under test.</strong> ${esc(systemUnderTest(scenario).replace(/\*\*/g, ''))}</p>`,
    );
  const summaryInput = {
    scenario,
    seed: input.seed,
    runId,
    stats,
    check: { valid: check.valid, summary: check.summary },
    ...(input.rate !== undefined ? { rate: input.rate } : {}),
    ...(input.machine !== undefined ? { machine: input.machine } : {}),
  };
  p.push(
    `<div class="answer" id="answer"><p><strong>Answer from this run.</strong> ${answerSentences(summaryInput).map(esc).join(' ')}</p>`,
  );
  p.push(
    `<p><span class="${verdictClass}">${verdict}.</span> ${charts.anomalies.length} finding(s), ${stories.length} mitigation stor${stories.length === 1 ? 'y' : 'ies'}. Seed ${input.seed} (repeat with <code>${esc(input.repeat ?? `node bin/bbs-lab.js run <scenario.yaml> --seed ${input.seed}`)}</code>).</p></div>`,
  );
  const faultRows = faultTableRows(stats);
  if (faultRows.length > 0) {
    p.push(`<h2 id="faults">Faults and what the clients saw</h2>`);
    p.push(
      `<table><thead><tr>${FAULT_TABLE_HEADER.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>`,
    );
    for (const r of faultRows) p.push(`<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
    p.push(
      `</tbody></table><p>Outages: the longest stretch with no successful op overlapping the fault (until the system was back to its pre-fault state), for the whole BBS, the median and the worst client; for the whole BBS, ${esc(MERGE_RULE)}. Seconds since the first op.</p>`,
    );
    const notes = faultNotes(stats);
    if (notes.length > 0) p.push(`<ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
    if (input.outageParts) p.push(input.outageParts);
  }
  p.push(`<p><strong>In detail.</strong> ${summarySentences(summaryInput).map(esc).join(' ')}</p>`);
  for (const n of input.notes ?? []) p.push(`<p>${esc(n)}</p>`);

  p.push(`<h2 id="findings">Findings</h2>`);
  if (charts.anomalies.length === 0)
    p.push(`<p>No anomaly: ${check.summary.map(esc).join(' ')}</p>`);
  else
    p.push(
      `<ul>${charts.anomalies.map((a) => `<li><a href="#${a.item.id}">${esc(a.item.title)}</a></li>`).join('')}</ul>`,
    );
  for (const { item, svg } of charts.anomalies) {
    p.push(
      `<section class="finding" id="${item.id}"><h3>${esc(item.title)}</h3><p>${linkOps(item.explanation, anchored)}</p>`,
    );
    if (item.ops.length > 0)
      p.push(
        `<p>Ops: ${item.ops.map((o) => (anchored.has(o.op) ? `<a href="#op-${o.op}">op ${o.op}</a>` : `op ${o.op}`)).join(', ')}.</p>`,
      );
    if (svg) p.push(`<figure>${svg}</figure>`);
    p.push(`</section>`);
  }

  p.push(renderCausesHtml(check.causes, (t) => linkOps(t, anchored)));

  p.push(`<h2 id="stories">Mitigation stories</h2>`);
  if (stories.length === 0)
    p.push(
      `<p>No story: nothing in this run triggered a mitigation rule. (The same stories are in stories.md.)</p>`,
    );
  else p.push(`<p>Also in <code>stories.md</code>, to paste into a tracker.</p>`);
  for (const s of stories) {
    p.push(
      `<section class="story" id="story-${esc(s.rule)}"><h3>${esc(s.title)}</h3><p><strong>Why</strong></p><ul>${s.why.map((w) => `<li>${linkOps(w, anchored)}</li>`).join('')}</ul>`,
    );
    if (s.ops.length > 0)
      p.push(
        `<p>Ops that show it: ${s.ops.map((o) => (anchored.has(o) ? `<a href="#op-${o}">op ${o}</a>` : `op ${o}`)).join(', ')}.</p>`,
      );
    p.push(
      `<p><strong>Acceptance criteria</strong></p><ul>${s.acceptance.map((a) => `<li>${esc(a)}</li>`).join('')}</ul></section>`,
    );
  }

  p.push(`<h2 id="charts">Charts</h2>`);
  for (const svg of [
    charts.throughput,
    charts.latency,
    charts.writers,
    charts.errorsByNode,
    charts.errorsByOp,
  ])
    p.push(`<figure>${svg}</figure>`);

  if (input.reach) {
    // Dozens of rows: below the charts and folded, so they never push the answer's evidence down.
    const r = input.reach;
    const rows = reachTableRows(r);
    const need = r.shortfall ? shortfallSentence(r.shortfall) : null;
    p.push(
      `<h2 id="reach">Workload reach</h2>${need ? `<p><strong>${esc(need)}</strong></p>` : ''}<p>${esc(reachSentence(r))}</p>`,
    );
    p.push(
      `<details><summary>Every transition the workload reached (${rows.length} rows)</summary><table><thead><tr><th>transition</th><th>count</th></tr></thead><tbody>${rows.map(([l, n]) => `<tr><td>${esc(l)}</td><td>${n}</td></tr>`).join('')}</tbody></table></details>`,
    );
    const shapes = shapeTableRows(r);
    if (shapes.length > 0) {
      p.push(`<p>${esc(shapeSentence(r))}</p>`);
      p.push(
        `<details><summary>Every argument shape the workload sent (${shapes.length} rows)</summary><table><thead><tr><th>op: argument shape</th><th>invoked</th><th>ran to the end</th></tr></thead><tbody>${shapes.map(([l, x]) => `<tr><td>${esc(l)}</td><td>${x.invoked}</td><td>${x.ok}</td></tr>`).join('')}</tbody></table></details>`,
      );
    }
  }

  p.push(`<h2 id="ops">Ops referenced in this report</h2>`);
  if (anchored.size === 0) p.push('<p>None.</p>');
  else {
    p.push(
      `<p>Times in seconds since the first op. All ops are in <code>history.jsonl</code>; every checker detail in <code>results.json</code>.</p>`,
    );
    p.push(
      `<table class="ops"><colgroup><col class="id"><col class="id"><col class="f"><col class="f"><col class="narrow"><col class="narrow"><col class="narrow"><col class="narrow"><col class="text"><col class="text"></colgroup><thead><tr><th>op</th><th>process</th><th>f</th><th>key</th><th>invoke</th><th>complete</th><th>outcome</th><th>node</th><th>args</th><th>result</th></tr></thead><tbody>`,
    );
    for (const id of [...anchored].sort((a, b) => a - b)) p.push(opRow(byId.get(id)!, t0));
    p.push(`</tbody></table>`);
  }
  p.push(`</body></html>\n`);
  return p.join('\n');
}
