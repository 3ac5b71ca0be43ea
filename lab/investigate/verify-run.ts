// `bbs-lab investigate <campaign.yaml> --verify findings/<campaign>`: runs the sample verify.ts
// chooses into findings/runs/<id>-verify-<campaign>/ (the same runner, order and sharing as a
// campaign), holds each figure against the committed interval, and records the result in the
// findings folder: verification.json, and the README's and index.html's last section.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Campaign } from './campaign.ts';
import { metricRef, readMetric } from './metrics.ts';
import { defaultOrderSeed } from './order.ts';
import { formatBudget, planCampaign, type Plan } from './plan.ts';
import { summarizeProvenance } from './provenance-summary.ts';
import { verificationSection } from './render.ts';
import { runFacts } from './run-facts.ts';
import {
  executeRuns,
  InvestigateInputError,
  machine,
  plannedRecord,
  readResults,
  shownPath,
  VERIFICATION_FILE,
} from './run.ts';
import { mergeRuns, resolveShared, type CampaignState } from './state.ts';
import {
  committedSeeds,
  replaceLastSection,
  sampleSeeds,
  verificationText,
  verifyFigures,
  type CommittedFindings,
  type FreshRun,
  type Verification,
} from './verify.ts';
import { DEFAULT_RUNS_DIR, runId } from '../runner/run-dir.ts';

export interface VerifyOptions {
  /** Fit as many seeds per variant as this allows (at least one); default one. */
  budgetSec: number | null;
  /** The campaign's command without options, as for investigate. */
  command: string;
  runsDir?: string;
  addressBase?: string;
  log?: (msg: string) => void;
}

type Committed = CommittedFindings & {
  startedAt?: string;
  orderSeed?: number | null;
  campaignFile?: string;
};

function readCommitted(c: Campaign, findingsDir: string): Committed {
  const f = join(findingsDir, 'findings.json');
  if (!existsSync(f))
    throw new InvestigateInputError(
      `--verify ${findingsDir}: no findings.json there; give the findings folder of a campaign that ran, e.g. findings/${c.name}`,
    );
  const json = JSON.parse(readFileSync(f, 'utf8')) as Committed;
  if (json.campaign !== c.name)
    throw new InvestigateInputError(
      `--verify ${findingsDir}: it holds the findings of campaign ${JSON.stringify(json.campaign)}, not ${JSON.stringify(c.name)}; give that campaign's file or its own findings folder`,
    );
  if (
    !json.questions.some((q) =>
      q.variants.some((v) => v.runs.some((r) => r.status === 'done' && r.values)),
    )
  ) {
    throw new InvestigateInputError(
      `--verify ${findingsDir}: its findings.json records no run's values (written before verification existed); re-render it with --render, or run the campaign again`,
    );
  }
  return json;
}

/** The campaign cut to the sample: the questions the findings hold, each on its sampled seeds. */
function sampled(c: Campaign, sample: readonly { question: string; seeds: number[] }[]): Campaign {
  const questions = c.questions.flatMap((q) => {
    const s = sample.find((x) => x.question === q.id);
    return s && s.seeds.length > 0 ? [{ ...q, seeds: s.seeds }] : [];
  });
  return { ...c, questions };
}

/** The most seeds per variant (at least one) whose runs fit the budget. */
function seedsPerVariant(
  c: Campaign,
  f: Committed,
  budgetSec: number | null,
  orderSeed: number,
): number {
  if (budgetSec === null) return 1;
  const most = Math.max(1, ...f.questions.map((q) => committedSeeds(q).length));
  let k = 1;
  while (
    k < most &&
    planCampaign(sampled(c, sampleSeeds(f, k + 1, orderSeed)), { budgetSec: null, orderSeed })
      .totalSec <= budgetSec
  )
    k++;
  return k;
}

export async function verifyFindings(
  c: Campaign,
  findingsDir: string,
  opts: VerifyOptions,
): Promise<Verification> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const committed = readCommitted(c, findingsDir);
  const orderSeed = committed.orderSeed ?? defaultOrderSeed(c.name);
  const k = seedsPerVariant(c, committed, opts.budgetSec, orderSeed);
  const sample = sampleSeeds(committed, k, orderSeed).filter((s) => s.seeds.length > 0);
  const sub = sampled(c, sample);
  const plan: Plan = planCampaign(sub, { budgetSec: null, orderSeed });
  log(
    `verify: ${k} seed(s) per variant: ${sample.map((s) => `${s.question} ${s.seeds.join(', ')}`).join('; ')}; ${plan.runs.length - plan.shared} run(s)`,
  );
  const campaignDir = join(opts.runsDir ?? DEFAULT_RUNS_DIR, runId(`verify-${c.name}`));
  mkdirSync(campaignDir, { recursive: true });
  const now = new Date().toISOString();
  const command = `${opts.command} --verify ${shownPath(findingsDir)}${opts.budgetSec !== null ? ` --budget ${formatBudget(opts.budgetSec)}` : ''}`;
  const state: CampaignState = {
    version: 1,
    campaign: c.name,
    campaignFile: c.file,
    command,
    budgetSec: opts.budgetSec,
    orderSeed,
    machine: machine(),
    startedAt: now,
    updatedAt: now,
    runs: mergeRuns([], plan.runs.map(plannedRecord)),
  };
  log(`verify: run directory ${campaignDir}`);
  await executeRuns(sub, state, plan, campaignDir, {
    ...(opts.addressBase ? { addressBase: opts.addressBase } : {}),
    log,
    label: 'verify',
  });

  const results = readResults(state.runs, campaignDir);
  const resolved = resolveShared(state.runs);
  const fresh: FreshRun[] = resolved.map((r) => {
    const res = results.get(r.key);
    const q = sub.questions.find((x) => x.id === r.question)!;
    const counted = r.status === 'done' && res !== undefined && runFacts(res).keptUp !== false;
    return {
      question: r.question,
      variant: r.variant,
      seed: r.seed,
      values: counted
        ? Object.fromEntries(q.metrics.map((m) => [m, readMetric(metricRef(m), res!)]))
        : null,
    };
  });
  const figures = verifyFigures(committed, fresh);
  const ranFacts = resolved
    .filter((r) => r.sameAs === undefined && results.has(r.key))
    .map((r) => runFacts(results.get(r.key)));
  const v: Verification & { findingsStartedAt?: string } = {
    campaign: c.name,
    at: now,
    command,
    seedsPerVariant: k,
    sample,
    runs: resolved.map((r) => ({
      key: r.key,
      status: r.status,
      ...(r.dir ? { dir: r.dir } : {}),
      keptUp: results.has(r.key) ? runFacts(results.get(r.key)).keptUp : null,
      ...(r.sameAs ? { sameAs: r.sameAs } : {}),
    })),
    figures,
    inside: figures.filter((x) => x.inside === true).length,
    outside: figures.filter((x) => x.inside === false).length,
    unmeasured: figures.filter((x) => x.inside === null).length,
    provenance: summarizeProvenance(state, ranFacts),
    ...(committed.startedAt ? { findingsStartedAt: committed.startedAt } : {}),
  };
  writeFileSync(join(findingsDir, VERIFICATION_FILE), `${JSON.stringify(v, null, 2)}\n`);
  const section = verificationSection(v, {
    campaignFile: committed.campaignFile ?? c.file,
    findings: shownPath(findingsDir),
  });
  const readme = join(findingsDir, 'README.md');
  if (existsSync(readme))
    writeFileSync(
      readme,
      replaceLastSection(readFileSync(readme, 'utf8'), section.mdHeading, section.md),
    );
  const html = join(findingsDir, 'index.html');
  if (existsSync(html))
    writeFileSync(
      html,
      replaceLastSection(readFileSync(html, 'utf8'), section.htmlHeading, section.html, '</body>'),
    );
  log(verificationText(v));
  return v;
}
