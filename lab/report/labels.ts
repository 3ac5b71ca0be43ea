// The name an error is counted under in every report table: the MySQL code where there is one.

import { classifyError } from '../history/errors.ts';
import type { OpError } from '../history/event.ts';

/**
 * A label that names the MySQL code where there is one: '1213 deadlock', '1047 non-primary',
 * 'connection-lost'.
 */
export function errorLabel(e: OpError): string {
  const c = classifyError(e);
  return e.errno !== undefined ? `${e.errno} ${c.kind}` : c.kind;
}

/**
 * Whether a label counts under a code: '1213' takes '1213 deadlock' and '1213 deadlock-on-commit';
 * a plain label only itself.
 */
export function labelHasCode(label: string, code: string): boolean {
  return label === code || label.startsWith(`${code} `);
}

/** Errors counted by label (RunStats.errors and the like), summed over the labels of one code. */
export function countOfCode(
  byLabel: Readonly<Record<string, number>> | undefined,
  code: string,
): number {
  return Object.entries(byLabel ?? {}).reduce(
    (a, [k, n]) => a + (labelHasCode(k, code) ? n : 0),
    0,
  );
}
