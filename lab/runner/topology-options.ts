// What starting a topology is given (by the run), shared by the modules that start its parts.

import type { HistoryWriter } from '../history/writer.ts';
import type { PhaseClock } from './phases.ts';

export interface TopologyOptions {
  addressBase: string;
  logDir: string;
  log: (msg: string) => void;
  writer: HistoryWriter;
  /** Lab events worth a line in the report. */
  notes: string[];
  /**
   * The run's phase clock: starting the topology moves it from the cluster's start to the
   * routing's.
   */
  phases?: PhaseClock;
}
