// The workload a scenario names.

import type { Scenario } from '../scenario/types.ts';
import { bbsWorkload } from './bbs.ts';
import { listAppendWorkload } from './list-append.ts';
import type { Workload } from './types.ts';

export function workloadFor(s: Scenario): Workload {
  switch (s.workload.kind) {
    case 'bbs':
      return bbsWorkload(s);
    case 'list-append':
      return listAppendWorkload(s);
  }
}
