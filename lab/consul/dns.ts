// The agent's DNS interface on UDP (Consul's is on 8600), answering what the lab needs of it as
// Consul's agent/dns.go does with its defaults:
// - "<service>.service[.<dc>].consul" and "<tag>.<service>.service[.<dc>].consul" (also the RFC
//   2782 form "_<service>._<tag>.service.consul", with _tcp meaning any tag), A or ANY: one A
//   record per instance address (the service's Address, else its node's), leaving out instances
//   with a critical check (dns_config.only_passing=false; with onlyPassing, anything not passing),
//   deduplicated, shuffled, and trimmed to udp_answer_limit (3) records per UDP answer; TTL 0
//   (service_ttl unset).
// - "<node>.node[.<dc>].consul": the node's address.
// - A known name asked for another type (AAAA, SRV, ...) gets NOERROR with no answers; an unknown
//   name, or a service with no healthy instance, NXDOMAIN; both carry the domain's SOA in the
//   authority section, as Consul's do.
// - Names outside the domain are REFUSED (the lab's agent has no recursors).

import dgram from 'node:dgram';
import type { Catalog } from './catalog.ts';
import { shuffle } from './util.ts';

export interface DnsOptions {
  host: string;
  port: number;
  catalog: Catalog;
  domain?: string;
  datacenter: string;
  /** dns_config.udp_answer_limit (Consul default 3). */
  udpAnswerLimit?: number;
  /** dns_config.only_passing (Consul default false: only critical instances are left out). */
  onlyPassing?: boolean;
}

export interface DnsServer {
  host: string;
  port: number;
  stop(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_SOA = 6;
const TYPE_ANY = 255;
const CLASS_IN = 1;
const RCODE_OK = 0;
const RCODE_FORMERR = 1;
const RCODE_NXDOMAIN = 3;
const RCODE_NOTIMP = 4;
const RCODE_REFUSED = 5;

interface Question {
  name: string;
  type: number;
  cls: number;
  /** The question's bytes, copied into the answer as they came. */
  raw: Buffer;
}

interface Query {
  id: number;
  flags: number;
  question: Question | null;
}

export async function startDnsServer(opts: DnsOptions): Promise<DnsServer> {
  const domain = (opts.domain ?? 'consul').replace(/\.$/, '').toLowerCase();
  const limit = opts.udpAnswerLimit ?? 3;
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const reply = answer(msg, {
      domain,
      limit,
      catalog: opts.catalog,
      datacenter: opts.datacenter.toLowerCase(),
      onlyPassing: opts.onlyPassing ?? false,
    });
    if (reply) sock.send(reply, rinfo.port, rinfo.address);
  });
  sock.on('error', () => {
    /* a bad datagram never stops the server */
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(opts.port, opts.host, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  const port = sock.address().port;
  let stopped: Promise<void> | null = null;
  return {
    host: opts.host,
    port,
    stop() {
      stopped ??= new Promise<void>((resolve) => sock.close(() => resolve()));
      return stopped;
    },
  };
}

interface Ctx {
  domain: string;
  limit: number;
  catalog: Catalog;
  datacenter: string;
  onlyPassing: boolean;
}

/** Builds the reply to one datagram; null when it is not even a DNS header. */
export function answer(msg: Buffer, ctx: Ctx): Buffer | null {
  const q = parseQuery(msg);
  if (!q) return null;
  if ((q.flags & 0x8000) !== 0) return null; // a response, not a query
  const opcode = (q.flags >> 11) & 0xf;
  if (opcode !== 0) return reply(q, RCODE_NOTIMP, [], false, ctx);
  if (!q.question) return reply(q, RCODE_FORMERR, [], false, ctx);
  const { name, type, cls } = q.question;
  if (cls !== CLASS_IN && cls !== 255) return reply(q, RCODE_REFUSED, [], false, ctx);

  const lower = name.toLowerCase().replace(/\.$/, '');
  if (lower !== ctx.domain && !lower.endsWith(`.${ctx.domain}`))
    return reply(q, RCODE_REFUSED, [], false, ctx);
  const labels = lower === ctx.domain ? [] : lower.slice(0, -(ctx.domain.length + 1)).split('.');

  const addresses = resolve(labels, ctx);
  if (addresses === null || addresses.length === 0) return reply(q, RCODE_NXDOMAIN, [], true, ctx);
  if (type !== TYPE_A && type !== TYPE_ANY) return reply(q, RCODE_OK, [], true, ctx);
  const ipv4 = addresses.filter((a) => /^\d{1,3}(\.\d{1,3}){3}$/.test(a));
  return reply(q, RCODE_OK, shuffle(ipv4).slice(0, ctx.limit), ipv4.length === 0, ctx);
}

/** The addresses a name stands for, or null when the name is not one the agent knows. */
function resolve(labels: string[], ctx: Ctx): string[] | null {
  let parts = [...labels];
  const last = parts.length - 1;
  const isKind = (l: string | undefined) => l === 'service' || l === 'node';
  let kindAt: number;
  if (isKind(parts[last])) kindAt = last;
  else if (last >= 1 && isKind(parts[last - 1]) && parts[last] === ctx.datacenter)
    kindAt = last - 1; // "<...>.service.<dc>"
  else return null;
  const kind = parts[kindAt];
  parts = parts.slice(0, kindAt);
  if (kind === 'node') {
    if (parts.length !== 1) return null;
    return parts[0] === ctx.catalog.node.name.toLowerCase() ? [ctx.catalog.node.address] : null;
  }
  if (kind !== 'service') return null;
  let service: string | undefined;
  let tag: string | undefined;
  if (parts.length === 2 && parts[0]!.startsWith('_') && parts[1]!.startsWith('_')) {
    service = parts[0]!.slice(1);
    const t = parts[1]!.slice(1);
    tag = t === 'tcp' ? undefined : t;
  } else if (parts.length === 1) {
    service = parts[0];
  } else if (parts.length === 2) {
    tag = parts[0];
    service = parts[1];
  } else {
    return null;
  }
  if (!service || !ctx.catalog.hasService(service)) return null;
  return ctx.catalog.dnsAddresses(service, tag, ctx.onlyPassing);
}

function parseQuery(msg: Buffer): Query | null {
  if (msg.length < 12) return null;
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  const qdcount = msg.readUInt16BE(4);
  if (qdcount < 1) return { id, flags, question: null };
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    if (off >= msg.length) return { id, flags, question: null };
    const len = msg[off]!;
    if (len === 0) {
      off += 1;
      break;
    }
    if (len >= 0xc0 || off + 1 + len > msg.length) return { id, flags, question: null }; // no compression in a question
    labels.push(msg.toString('latin1', off + 1, off + 1 + len));
    off += 1 + len;
  }
  if (off + 4 > msg.length) return { id, flags, question: null };
  const type = msg.readUInt16BE(off);
  const cls = msg.readUInt16BE(off + 2);
  return {
    id,
    flags,
    question: { name: `${labels.join('.')}.`, type, cls, raw: msg.subarray(12, off + 4) },
  };
}

function reply(q: Query, rcode: number, addresses: string[], withSoa: boolean, ctx: Ctx): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  // QR=1, opcode copied, AA=1, TC=0, RD copied, RA=0, rcode.
  const flags = 0x8000 | (q.flags & 0x7800) | 0x0400 | (q.flags & 0x0100) | (rcode & 0xf);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(q.question ? 1 : 0, 4);
  header.writeUInt16BE(addresses.length, 6);
  header.writeUInt16BE(withSoa ? 1 : 0, 8);
  header.writeUInt16BE(0, 10);
  parts.push(header);
  if (q.question) parts.push(q.question.raw);
  for (const a of addresses) {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(0, 6); // TTL 0
    rr.writeUInt16BE(4, 10);
    a.split('.').forEach((o, i) => {
      rr.writeUInt8(Number(o), 12 + i);
    });
    parts.push(rr);
  }
  if (withSoa) parts.push(soa(ctx.domain));
  return Buffer.concat(parts);
}

function encodeName(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of name.split('.').filter((l) => l !== '')) {
    const b = Buffer.from(label, 'latin1');
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** The domain's SOA as Consul's defaults make it: ns.<domain>, hostmaster.<domain>, TTL 0. */
function soa(domain: string): Buffer {
  const owner = encodeName(domain);
  const rdata = Buffer.concat([
    encodeName(`ns.${domain}`),
    encodeName(`hostmaster.${domain}`),
    Buffer.alloc(20),
  ]);
  const nums = rdata.length - 20;
  rdata.writeUInt32BE(Math.floor(Date.now() / 1000) >>> 0, nums); // serial
  rdata.writeUInt32BE(3600, nums + 4); // refresh
  rdata.writeUInt32BE(600, nums + 8); // retry
  rdata.writeUInt32BE(86400, nums + 12); // expire
  rdata.writeUInt32BE(0, nums + 16); // minimum TTL
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(TYPE_SOA, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(0, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, fixed, rdata]);
}
