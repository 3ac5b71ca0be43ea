// Every chart of a run's report, as inline SVG strings: latency, throughput, errors by node and by
// op type, writes by node over time, and one ops timeline per anomaly. Pure.

import type { CheckReport } from '../verdicts.ts';
import type { HistoryEvent } from '../../history/event.ts';
import type { RunStats } from '../stats.ts';
import { anomalyChart } from './anomaly.ts';
import { collectAnomalies, type AnomalyItem } from './anomalies.ts';
import { chartData } from './data.ts';
import { errorsChart } from './errors.ts';
import { latencyChart } from './latency.ts';
import { throughputChart } from './throughput.ts';
import { writersChart } from './writers.ts';

export {
  anomalyChart,
  collectAnomalies,
  chartData,
  errorsChart,
  latencyChart,
  throughputChart,
  writersChart,
};
export type { AnomalyItem };

export interface RunCharts {
  latency: string;
  throughput: string;
  errorsByNode: string;
  errorsByOp: string;
  writers: string;
  /** One per anomaly, in the order of `anomalies`. */
  anomalies: { item: AnomalyItem; svg: string }[];
}

export interface RunChartsOptions {
  /** At most this many anomaly timelines (the rest are listed without a chart). */
  maxAnomalyCharts?: number;
}

export function renderCharts(
  events: readonly HistoryEvent[],
  stats: RunStats,
  check: CheckReport,
  opts: RunChartsOptions = {},
): RunCharts {
  const data = chartData(events);
  const items = collectAnomalies(check, data.ops);
  const max = opts.maxAnomalyCharts ?? 50;
  return {
    latency: latencyChart(data.points, stats.faults),
    throughput: throughputChart(stats.perSecond, stats.faults),
    errorsByNode: errorsChart(stats.errorsByNode, 'node'),
    errorsByOp: errorsChart(stats.errorsByOp, 'op'),
    writers: writersChart(data.writesBySecond, stats.faults),
    anomalies: items.map((item, i) => ({
      item,
      svg: i < max ? anomalyChart(item.title, item.ops) : '',
    })),
  };
}
