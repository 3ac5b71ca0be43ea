// Loopback addressing of the lab's engine: every network is a /24 of its own, 127.0.X.0/24 with X
// from the range the engine was given (e.g. 127.0.50-127.0.59); .1 is the network's gateway (no
// process binds it) and containers get .2, .3, … in order, the lowest free one first, as Docker's
// IPAM does. Pure: the engine keeps one SubnetPool and one AddressPool per network.

const OCTET = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

/** First three octets of a 127.x.y /24, e.g. "127.0.50". */
export type SubnetBase = string;

export interface SubnetRange {
  /** e.g. "127.0" */
  prefix: string;
  from: number;
  to: number;
}

/** Parses "127.0.50-127.0.59" (or "127.0.50-59", or one "127.0.50") into a range of /24 bases. */
export function parseSubnetRange(text: string): SubnetRange {
  const m = /^\s*(127)\.(\d{1,3})\.(\d{1,3})\s*(?:-\s*(?:(127)\.(\d{1,3})\.)?(\d{1,3}))?\s*$/.exec(
    text,
  );
  const bad = () =>
    new Error(
      `subnets: must be a range of loopback /24 bases such as 127.0.50-127.0.59, got ${JSON.stringify(text)}`,
    );
  if (!m) throw bad();
  const [, , second, third, , secondTo, thirdTo] = m;
  if (![second!, third!, thirdTo ?? third!].every((o) => OCTET.test(o))) throw bad();
  if (secondTo !== undefined && secondTo !== second)
    throw new Error(
      `subnets: the range must stay within 127.${second}.*, got ${JSON.stringify(text)}`,
    );
  const from = Number(third);
  const to = Number(thirdTo ?? third);
  if (to < from)
    throw new Error(`subnets: the range ends before it starts: ${JSON.stringify(text)}`);
  return { prefix: `127.${second}`, from, to };
}

export const formatSubnetRange = (r: SubnetRange): string =>
  `${r.prefix}.${r.from}-${r.prefix}.${r.to}`;

/** Hands out whole /24s from the range; a freed one can be handed out again. */
export class SubnetPool {
  private readonly used = new Set<number>();
  constructor(readonly range: SubnetRange) {}

  /**
   * The lowest free /24 of the range, skipping those `busy` names (e.g. another lab binds there).
   */
  allocate(busy: (base: SubnetBase) => boolean = () => false): SubnetBase | null {
    for (let x = this.range.from; x <= this.range.to; x++) {
      if (!this.used.has(x) && !busy(`${this.range.prefix}.${x}`)) {
        this.used.add(x);
        return `${this.range.prefix}.${x}`;
      }
    }
    return null;
  }

  release(base: SubnetBase): void {
    this.used.delete(Number(base.split('.')[2]));
  }

  inUse(): number {
    return this.used.size;
  }
}

export const gatewayOf = (base: SubnetBase): string => `${base}.1`;
export const subnetOf = (base: SubnetBase): string => `${base}.0/24`;

/** The container addresses of one network: .2 to .254, lowest free first. */
export class AddressPool {
  private readonly used = new Set<number>();
  constructor(readonly base: SubnetBase) {}

  allocate(): string | null {
    for (let host = 2; host <= 254; host++) {
      if (!this.used.has(host)) {
        this.used.add(host);
        return `${this.base}.${host}`;
      }
    }
    return null;
  }

  release(address: string): void {
    if (address.startsWith(`${this.base}.`))
      this.used.delete(Number(address.slice(this.base.length + 1)));
  }

  contains(address: string): boolean {
    return (
      address.startsWith(`${this.base}.`) &&
      this.used.has(Number(address.slice(this.base.length + 1)))
    );
  }
}

/** "0264007F" (how /proc/net/tcp prints a little-endian IPv4 address) → "127.0.100.2". */
export function procNetAddress(hex: string): string {
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
}

/**
 * The /24 bases (127.x.y) that servers on this machine listen in, from /proc/net/tcp (LISTEN
 * sockets only: a TIME_WAIT left by a removed container holds nothing) and /proc/net/udp text.
 */
export function boundSubnets(tcp: readonly string[], udp: readonly string[] = []): Set<SubnetBase> {
  const out = new Set<SubnetBase>();
  const texts = [
    ...tcp.map((text) => ({ text, listenOnly: true })),
    ...udp.map((text) => ({ text, listenOnly: false })),
  ];
  for (const { text, listenOnly } of texts) {
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || !/^[0-9A-F]{8}:/i.test(local)) continue;
      if (listenOnly && state !== '0A') continue;
      const ip = procNetAddress(local.slice(0, 8));
      if (ip.startsWith('127.')) out.add(ip.slice(0, ip.lastIndexOf('.')));
    }
  }
  return out;
}
