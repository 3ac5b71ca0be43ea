// The name an error is counted under in every report table: the MySQL code where there is one.

import { classifyError } from '../client/errors.ts';
import type { OpError } from '../history/event.ts';

/** A label that names the MySQL code where there is one: '1213 deadlock', '1047 non-primary', 'connection-lost'. */
export function errorLabel(e: OpError): string {
  const c = classifyError(e);
  return e.errno !== undefined ? `${e.errno} ${c.kind}` : c.kind;
}
