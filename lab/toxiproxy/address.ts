// The lab never sends traffic anywhere but loopback: every proxy listens on, and connects to, a
// 127.x.y.z address (or "localhost", taken as 127.0.0.1 so that it can never resolve to another
// family or host). Anything else is refused with a 400 that names the field.

import { ApiError } from './errors.ts';

export interface HostPort {
  host: string;
  port: number;
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m?.slice(1).every((o) => Number(o) <= 255) === true;
}

/**
 * Parses "host:port" for `field` (listen or upstream). Port 0 is allowed for listen only (the
 * kernel picks a free port).
 */
export function parseLoopbackAddress(field: 'listen' | 'upstream', value: string): HostPort {
  const colon = value.lastIndexOf(':');
  const host = colon < 0 ? value : value.slice(0, colon);
  const portText = colon < 0 ? '' : value.slice(colon + 1);
  if (!isLoopbackHost(host)) {
    throw new ApiError(
      `${field} must be a loopback address (127.x.y.z or localhost) with a port, got ${JSON.stringify(value)}`,
      400,
    );
  }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  const min = field === 'listen' ? 0 : 1;
  if (!(port >= min && port <= 65535)) {
    throw new ApiError(
      `${field} must end with a port between ${min} and 65535, got ${JSON.stringify(value)}`,
      400,
    );
  }
  return { host: host === 'localhost' ? '127.0.0.1' : host, port };
}

export const formatAddress = (a: HostPort): string => `${a.host}:${a.port}`;
