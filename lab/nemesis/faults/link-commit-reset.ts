// link-commit-reset: a client link's connections are reset right after a COMMIT is handed on to
// the server (every 3rd COMMIT of a connection), so the COMMIT's outcome is unknown to the client:
// what a store must answer "unknown", never "failed" (the lab's reset_on_commit toxic).

import { toxicFault } from './link.ts';

export const linkCommitReset = toxicFault('link-commit-reset', (_f, tag) => [
  {
    type: 'reset_on_commit',
    stream: 'upstream',
    name: `${tag}_upstream`,
    attributes: { every: 3, timeout: 0 },
  },
]);
