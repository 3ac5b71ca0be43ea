// A lab that starts an SSH cluster and is then SIGKILLed by the test (ssh-provider.test.ts): it
// prints the cluster's run id and its record dir once the cluster is up, then waits forever.

import { startSshCluster } from '../../lab/providers/ssh/cluster.ts';
import { loadSshTarget } from '../../lab/providers/ssh/target.ts';

const c = await startSshCluster(loadSshTarget(process.argv[2]!), {
  extraProviderOptions:
    'evs.suspect_timeout=PT2S;evs.inactive_timeout=PT3S;evs.keepalive_period=PT0.5S',
});
await c.abilities.partition!.cut('p', [['n3'], ['n1', 'n2']]);
process.stdout.write(`${JSON.stringify({ runId: c.runId, workDir: c.workDir })}\n`);
setInterval(() => {}, 60_000);
