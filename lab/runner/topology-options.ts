// What starting a topology is given (by the run), shared by the modules that start its parts.

import type { HistoryWriter } from '../history/writer.ts';

export interface TopologyOptions {
  addressBase: string;
  logDir: string;
  log: (msg: string) => void;
  writer: HistoryWriter;
  /** Lab events worth a line in the report. */
  notes: string[];
}
