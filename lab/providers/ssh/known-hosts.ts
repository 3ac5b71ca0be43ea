// OpenSSH known_hosts checking, as `ssh` does with StrictHostKeyChecking=yes (or accept-new when
// the target opts in): a host whose key is listed must present that key; an unlisted host is
// refused unless new keys are accepted, and then its key is appended. Pure apart from the file.

import { createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** How known_hosts names a host: `addr` on port 22, `[addr]:port` on any other. */
export function hostPattern(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** The key type inside an SSH wire-format public key (its first string). */
export function keyType(key: Buffer): string {
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString('latin1');
}

function patternMatches(field: string, host: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(host).digest('base64') === hash;
  }
  return field.split(',').some((p) => p === host);
}

export type HostKeyVerdict = { ok: true; added: boolean } | { ok: false; reason: string };

/** Checks `key` for `host` against the known_hosts text; pure. */
export function checkHostKey(
  text: string,
  host: string,
  key: Buffer,
): { kind: 'match' } | { kind: 'changed'; line: number } | { kind: 'unknown' } {
  const type = keyType(key);
  const b64 = key.toString('base64');
  let changed: number | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(/\s+/);
    if (parts[0]!.startsWith('@')) parts.shift(); // @cert-authority / @revoked: not used by the lab
    const [hosts, t, k] = parts;
    if (!hosts || !t || !k || !patternMatches(hosts, host) || t !== type) return;
    if (k === b64) changed = -1;
    else if (changed === null) changed = i + 1;
  });
  if (changed === -1) return { kind: 'match' };
  if (changed !== null) return { kind: 'changed', line: changed };
  return { kind: 'unknown' };
}

export function verifyHostKey(
  file: string,
  address: string,
  port: number,
  key: Buffer,
  acceptNew: boolean,
): HostKeyVerdict {
  const host = hostPattern(address, port);
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const r = checkHostKey(text, host, key);
  if (r.kind === 'match') return { ok: true, added: false };
  if (r.kind === 'changed') {
    return {
      ok: false,
      reason: `its host key CHANGED: ${file} line ${r.line} lists a different ${keyType(key)} key for ${host}. If the host was rebuilt, remove the old key (ssh-keygen -R '${host}' -f ${file}) and connect again; otherwise someone may be intercepting the connection`,
    };
  }
  if (!acceptNew) {
    return {
      ok: false,
      reason: `its host key is not in ${file}; add it (ssh-keyscan -p ${port} ${address} >> ${file}, after checking the fingerprint) or set ssh.acceptNewHostKeys: true in the target`,
    };
  }
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${host} ${keyType(key)} ${key.toString('base64')}\n`);
  return { ok: true, added: true };
}
