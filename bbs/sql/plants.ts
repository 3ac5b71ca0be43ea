// Planted bugs: small, deliberate defects the store can be run with, one kind of bug a BBS store
// can have each, so the lab can show that its checkers find them (`bbs-lab selftest`). All are off
// by default; a scenario turns them on with `bbs.plant: [name, …]`. Each is applied at one place in
// bbs/sql/, marked `PLANTED BUG (<name>)`. `unsafeNoRowLocks` is the older, store-wide plant.

export type PlantKind =
  | 'missing-lock'
  | 'blind-write'
  | 'dropped-state-check'
  | 'dropped-ownership-check'
  | 'split-transaction'
  | 'commit-error-as-success'
  | 'permissive-rule'
  | 'ignored-argument'
  | 'refused-upsert'
  | 'commit-lost-as-failed';

export type PlantRecord = 'task' | 'actual-lrp' | 'desired-lrp' | 'domain';

export interface Plant {
  name: string;
  kind: PlantKind;
  record: PlantRecord;
  /** What the store does wrong, in the BBS's terms. */
  description: string;
}

export const PLANTS = [
  {
    name: 'task-no-row-lock',
    kind: 'missing-lock',
    record: 'task',
    description:
      'task mutations read their row without FOR UPDATE, so two can pass the same state check',
  },
  {
    name: 'actual-lrp-no-row-lock',
    kind: 'missing-lock',
    record: 'actual-lrp',
    description:
      'actual LRP mutations read their row without a lock, so two can pass the same check',
  },
  {
    name: 'task-blind-desire',
    kind: 'blind-write',
    record: 'task',
    description:
      'DesireTask REPLACEs the row: an existing task goes back to PENDING instead of ResourceExists',
  },
  {
    name: 'actual-lrp-blind-create',
    kind: 'blind-write',
    record: 'actual-lrp',
    description:
      'CreateUnclaimedActualLRP REPLACEs the row: an existing LRP goes back to UNCLAIMED instead of ResourceExists',
  },
  {
    name: 'task-resolve-any-state',
    kind: 'dropped-state-check',
    record: 'task',
    description: 'ResolvingTask does not check that the task is COMPLETED',
  },
  {
    name: 'actual-lrp-fail-any-state',
    kind: 'dropped-state-check',
    record: 'actual-lrp',
    description: 'FailActualLRP does not check that the LRP is UNCLAIMED',
  },
  {
    name: 'task-complete-any-cell',
    kind: 'dropped-ownership-check',
    record: 'task',
    description: 'CompleteTask does not check that the task runs on the calling cell',
  },
  {
    name: 'actual-lrp-start-any-instance',
    kind: 'dropped-ownership-check',
    record: 'actual-lrp',
    description:
      'StartActualLRP checks the transition with the stored instance key instead of the caller’s',
  },
  {
    name: 'task-split-start',
    kind: 'split-transaction',
    record: 'task',
    description: 'StartTask commits after its state check and writes in a second transaction',
  },
  {
    name: 'actual-lrp-split-claim',
    kind: 'split-transaction',
    record: 'actual-lrp',
    description:
      'ClaimActualLRP commits after its transition check and writes in a second transaction',
  },
  {
    name: 'task-commit-error-ok',
    kind: 'commit-error-as-success',
    record: 'task',
    description:
      'a 1213 at the COMMIT of a task mutation is answered as success (the write was rolled back)',
  },
  {
    name: 'actual-lrp-commit-error-ok',
    kind: 'commit-error-as-success',
    record: 'actual-lrp',
    description: 'a 1213 at the COMMIT of an actual LRP mutation is answered as success',
  },
  {
    name: 'task-permissive-rule',
    kind: 'permissive-rule',
    record: 'task',
    description: 'the task rule lets a RUNNING task be started again, so another cell may take it',
  },
  {
    name: 'actual-lrp-permissive-rule',
    kind: 'permissive-rule',
    record: 'actual-lrp',
    description: 'the actual LRP rule lets another instance claim a CLAIMED or RUNNING LRP',
  },
  {
    name: 'desired-lrp-no-row-lock',
    kind: 'missing-lock',
    record: 'desired-lrp',
    description:
      'UpdateDesiredLRP and RemoveDesiredLRP read their row without a lock, so two updates raise the index to the same value',
  },
  {
    name: 'desired-lrp-blind-desire',
    kind: 'blind-write',
    record: 'desired-lrp',
    description:
      'DesireLRP REPLACEs the row: an existing desired LRP starts a new epoch instead of ResourceExists',
  },
  {
    name: 'actual-lrp-remove-any-instance',
    kind: 'ignored-argument',
    record: 'actual-lrp',
    description:
      'RemoveActualLRP ignores the instance key it is given and removes whichever instance holds the index',
  },
  {
    name: 'domain-blind-upsert',
    kind: 'refused-upsert',
    record: 'domain',
    description:
      'UpsertDomain only INSERTs: an existing domain is refused with ResourceExists instead of having its TTL renewed',
  },
  {
    name: 'task-commit-lost-as-failed',
    kind: 'commit-lost-as-failed',
    record: 'task',
    description:
      'a task mutation whose connection is lost at COMMIT is answered as rolled back (it may have committed)',
  },
  {
    name: 'actual-lrp-commit-lost-as-failed',
    kind: 'commit-lost-as-failed',
    record: 'actual-lrp',
    description:
      'an actual LRP mutation whose connection is lost at COMMIT is answered as rolled back',
  },
  {
    name: 'desired-lrp-commit-lost-as-failed',
    kind: 'commit-lost-as-failed',
    record: 'desired-lrp',
    description:
      'a desired LRP mutation whose connection is lost at COMMIT is answered as rolled back',
  },
] as const satisfies readonly Plant[];

export type PlantName = (typeof PLANTS)[number]['name'];

export const PLANT_NAMES: readonly PlantName[] = PLANTS.map((p) => p.name);

export function isPlantName(x: unknown): x is PlantName {
  return typeof x === 'string' && (PLANT_NAMES as readonly string[]).includes(x);
}

export function plantByName(name: PlantName): Plant {
  return PLANTS.find((p) => p.name === name)!;
}

/** The problem with a list of plant names (without the field's name), or null when it is valid. */
export function plantListProblem(v: unknown): string | null {
  if (!Array.isArray(v))
    return `must be a list of plant names (${PLANT_NAMES.join(', ')}), got ${typeof v === 'string' ? JSON.stringify(v) : typeof v}`;
  for (const x of v)
    if (!isPlantName(x))
      return `unknown plant ${JSON.stringify(x)}; known: ${PLANT_NAMES.join(', ')}`;
  const dup = v.find((x, i) => v.indexOf(x) !== i);
  if (dup !== undefined) return `plant ${JSON.stringify(dup)} is listed twice; list each once`;
  return null;
}

/** Is this plant on? */
export function planted(opts: { plants: readonly PlantName[] }, name: PlantName): boolean {
  return opts.plants.includes(name);
}
