// Counts every anomaly but builds only the first few: a broken database can produce hundreds of
// thousands of, say, G1a reads, and an explanation string for each would dominate the run time.

import { ANOMALY_TYPES, type Anomaly, type AnomalyType } from './types.ts';

export class AnomalySink {
  readonly counts = Object.fromEntries(ANOMALY_TYPES.map((t) => [t, 0])) as Record<
    AnomalyType,
    number
  >;
  readonly anomalies = Object.fromEntries(ANOMALY_TYPES.map((t) => [t, [] as Anomaly[]])) as Record<
    AnomalyType,
    Anomaly[]
  >;

  constructor(private readonly maxExamples: number) {}

  /** `make` runs at once (so it may use state that is about to change) or never. */
  add(type: AnomalyType, make: () => Anomaly): void {
    this.counts[type]++;
    const list = this.anomalies[type];
    if (list.length < this.maxExamples) list.push(make());
  }

  wants(type: AnomalyType): boolean {
    return this.anomalies[type].length < this.maxExamples;
  }
}
