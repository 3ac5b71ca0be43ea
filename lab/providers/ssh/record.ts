// What the SSH provider touched, recorded as it touches it: on the control side in a file of the
// lab's owned temp dir (so `bbs-lab cleanup` can undo a run that was SIGKILLed), and, in install
// mode, in a marker inside the lab's dir on each host (so an operator sees whose dir it is).

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RECORD_FILE = 'ssh-touched.json';
export const HOST_MARKER = 'bbs-lab-ssh.json';

export interface HostTouched {
  address: string;
  sshPort: number;
  /** The lab's dir on the host (install mode): config, datadir, socket, error log, marker. */
  dir: string | null;
  /** The lab's iptables chain there, while it exists. */
  chain: string | null;
  /** Debian packages the lab installed there (removed at the end). */
  installed: string[];
}

export interface SshRecord {
  pid: number;
  runId: string;
  /** The target file, to log in again (it names the key's file or variable, never the key). */
  target: string;
  mode: 'install' | 'attach';
  hosts: Record<string, HostTouched>;
}

export function writeRecord(workDir: string, r: SshRecord): void {
  writeFileSync(join(workDir, RECORD_FILE), JSON.stringify(r, null, 2));
}

export function readRecord(workDir: string): SshRecord | null {
  const p = join(workDir, RECORD_FILE);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as SshRecord;
  } catch {
    return null;
  }
}

/** Dirs under `root` that hold a record (the lab's owned temp dirs of SSH runs). */
export function recordDirs(root: string, prefix: string): string[] {
  return readdirSync(root)
    .filter((n) => n.startsWith(prefix))
    .map((n) => join(root, n))
    .filter((d) => existsSync(join(d, RECORD_FILE)));
}
