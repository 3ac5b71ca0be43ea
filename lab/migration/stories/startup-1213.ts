// A start-up fault the lab cannot make on demand: a 1213 (deadlock, or a Galera certification
// conflict) while the BBS reads the SQL version or copies. Every row is the outcome worked out
// from the code (../startup-outcomes.ts), labelled so; the reason is below and in
// lab/migration/README.md.

import { startupFaultStory } from '../startup-story.ts';

export const startup1213 = startupFaultStory({
  name: 'startup-1213',
  fault: '1213',
  phases: ['version-read', 'copy-sql'],
  notPlayable:
    'a 1213 cannot be made on demand here: the version read is a plain SELECT, which takes no row locks (no InnoDB deadlock can pick it) and writes nothing (no Galera certification); during the copy the migrating lock holder is the only SQL writer, each INSERT is autocommit (nothing held between statements for another transaction to deadlock with), and Galera retries an autocommit statement aborted by a conflict by itself (wsrep_retry_autocommit=1)',
});
