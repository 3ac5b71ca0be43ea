// What a migration manager did, as the lab observes it: one event per migration start/end and per
// version write, with the node that did it. The tests and scenarios count migration runs from it.

export type JournalKind =
  | 'migration-start'
  | 'migration-done'
  | 'migration-failed'
  | 'version-read'
  | 'version-write'
  | 'decision'
  | 'lock-acquired'
  | 'serving'
  | 'exit';

export interface JournalEvent {
  /** Date.now() */
  t: number;
  node: string;
  kind: JournalKind;
  /** The migration's version, or the Current written/read. */
  version: number;
  store?: 'sql' | 'etcd';
  detail?: string;
}

export class Journal {
  readonly events: JournalEvent[] = [];
  record(e: Omit<JournalEvent, 't'>): void {
    this.events.push({ t: Date.now(), ...e });
  }
  /** Completed runs of one migration. */
  runs(version: number, kind: JournalKind = 'migration-done'): JournalEvent[] {
    return this.events.filter((e) => e.kind === kind && e.version === version);
  }
}
