// Proxies a lab created on an external Toxiproxy (TOXIPROXY_URL) outlive a lab killed with SIGKILL,
// which cannot run its cleanup. So the lab writes their names into its own temp dir (the one
// `bbs-lab cleanup` finds by its owner file), and cleanup deletes exactly those proxies, and no
// other, before it removes the dir. The embedded server needs none of this: it dies with the lab.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLoopbackHost } from './address.ts';

export const RECORD_FILE = 'toxiproxy-proxies.json';

interface Record {
  url: string;
  proxies: string[];
}

export function recordExternalProxies(dir: string, url: string, proxies: readonly string[]): void {
  writeFileSync(
    join(dir, RECORD_FILE),
    `${JSON.stringify({ url, proxies: [...proxies] } satisfies Record)}\n`,
  );
}

/**
 * Deletes the recorded proxies; returns the names deleted (a proxy already gone counts as deleted).
 */
export async function removeRecordedProxies(dir: string): Promise<string[]> {
  const file = join(dir, RECORD_FILE);
  if (!existsSync(file)) return [];
  let rec: Record;
  try {
    rec = JSON.parse(readFileSync(file, 'utf8')) as Record;
  } catch {
    return [];
  }
  if (!isLoopbackHost(new URL(rec.url).hostname)) return [];
  const removed: string[] = [];
  for (const name of rec.proxies) {
    try {
      const res = await fetch(`${rec.url}/proxies/${encodeURIComponent(name)}`, {
        method: 'DELETE',
        signal: AbortSignal.timeout(3000),
      });
      if (res.ok || res.status === 404) removed.push(name);
    } catch {
      // The Toxiproxy is gone too: nothing left to remove there.
    }
  }
  return removed;
}
