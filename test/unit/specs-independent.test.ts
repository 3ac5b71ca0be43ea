// The specifications must be written independently of the store (issue 17): a rule the checker
// shares with the store is invisible to linearizability by construction. specs/ therefore imports
// nothing from bbs/ or lab/; its vocabulary is a copy, held here to the store's shapes. The
// checkers (lab/checkers) read the store's records and op names through that copy too, never from
// bbs/ (issue 25).

import test from 'ava';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as storeOps from '../../bbs/ops.ts';
import * as specVocabulary from '../../specs/vocabulary.ts';
import { importGraph } from './import-graph.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Imports from specs/ files into other top folders, as "from → to". */
function outsideImports(g: Map<string, Set<string>>): string[] {
  const out: string[] = [];
  for (const [from, tos] of g)
    for (const to of tos) if (!to.startsWith('specs/')) out.push(`${from} → ${to}`);
  return out.sort();
}

/** Imports from lab/checkers/ files into bbs/ (the system under test), as "from → to". */
function checkerImportsOfStore(g: Map<string, Set<string>>): string[] {
  const out: string[] = [];
  for (const [from, tos] of g)
    if (from.startsWith('lab/checkers/'))
      for (const to of tos) if (to.startsWith('bbs/')) out.push(`${from} → ${to}`);
  return out.sort();
}

test('specs/ imports nothing from bbs/ or lab/ (nor from anywhere outside specs/)', (t) => {
  const g = importGraph(root, ['specs']);
  t.true(g.size >= 10, 'the graph covers the spec files');
  t.deepEqual(outsideImports(g), []);
});

test('the check finds an import out of specs/ when there is one (it can fail)', (t) => {
  const g = new Map([['specs/task.ts', new Set(['specs/model.ts', 'bbs/rules.ts'])]]);
  t.deepEqual(outsideImports(g), ['specs/task.ts → bbs/rules.ts']);
});

test("lab/checkers/ imports nothing from bbs/: the store's shapes come from specs/vocabulary.ts", (t) => {
  const g = importGraph(root, ['lab']);
  const checkers = [...g.keys()].filter((f) => f.startsWith('lab/checkers/'));
  t.true(checkers.length >= 30, 'the graph covers the checker files');
  t.true(
    checkers.some((f) => [...g.get(f)!].includes('specs/vocabulary.ts')),
    'the checkers read the vocabulary',
  );
  t.deepEqual(checkerImportsOfStore(g), []);
});

test('the check finds an import of bbs/ from lab/checkers/ when there is one (it can fail)', (t) => {
  const g = new Map([
    ['lab/checkers/causes.ts', new Set(['specs/vocabulary.ts', 'bbs/ops.ts'])],
    // Other parts of the lab drive the store: not refused here.
    ['lab/runner/run.ts', new Set(['bbs/ops.ts'])],
  ]);
  t.deepEqual(checkerImportsOfStore(g), ['lab/checkers/causes.ts → bbs/ops.ts']);
});

// Compile-time: the copied vocabulary and the store's describe the same values both ways, so a
// field added to one side and not the other stops `tsc --noEmit`.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShapes: [
  Same<storeOps.BbsOp, specVocabulary.BbsOp>,
  Same<storeOps.BbsResult, specVocabulary.BbsResult>,
  Same<storeOps.BbsOpArgs, specVocabulary.BbsOpArgs>,
  Same<storeOps.TaskRecord, specVocabulary.TaskRecord>,
  Same<storeOps.ActualLRPRecord, specVocabulary.ActualLRPRecord>,
  Same<storeOps.DesiredLRPRecord, specVocabulary.DesiredLRPRecord>,
  Same<storeOps.BbsErrorType, specVocabulary.BbsErrorType>,
  Same<storeOps.DomainRecord, specVocabulary.DomainRecord>,
] = [true, true, true, true, true, true, true, true];

test('the copied vocabulary names the same reads as the store', (t) => {
  t.deepEqual(sameShapes, [true, true, true, true, true, true, true, true]);
  t.deepEqual([...specVocabulary.READ_OPS].sort(), [...storeOps.READ_OPS].sort());
});
