// Name resolution inside a network. In real Docker a container on a user-defined network reaches
// the others by container name or alias through the embedded DNS server; here there is no DNS to
// ask (and the lab must never send a DNS query anywhere), so the engine hands each process a
// snapshot of its network's names at start, and the image's entrypoint rewrites the hostnames in
// the options that carry addresses (mariadbd's wsrep options, Toxiproxy's -host, Consul's -client)
// into loopback addresses. Pure.
//
// Rules: a name of the network (container name, alias, hostname, short id) becomes its address;
// 0.0.0.0, :: and "" (listen everywhere) become the container's own address, since each process
// binds that address only; a loopback literal stays; any other name or address (unknown, or not
// loopback) becomes the network's gateway address, which nothing listens on: the connection is
// refused, as it would fail on a name that does not resolve, and no packet leaves loopback.

export interface NameContext {
  /** The container's own address. */
  self: string;
  /** Names on the container's network at start → address. */
  hosts: ReadonlyMap<string, string>;
  /** Where an unresolvable name points (the network's gateway: nothing listens there). */
  unresolved: string;
}

const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const ANY = new Set(['0.0.0.0', '::', '[::]', '', '*']);

export function resolveHost(host: string, ctx: NameContext): string {
  if (ANY.has(host)) return ctx.self;
  if (host === 'localhost') return ctx.self;
  if (LOOPBACK.test(host)) return host;
  return ctx.hosts.get(host) ?? ctx.hosts.get(host.toLowerCase()) ?? ctx.unresolved;
}

/** "host", "host:port" or "scheme://host:port" with the host resolved. */
export function resolveHostPort(value: string, ctx: NameContext): string {
  const m = /^([a-z]+:\/\/)?(\[[^\]]*\]|[^:/?]*)(:\d+)?(.*)$/.exec(value);
  if (!m) return value;
  const [, scheme = '', host = '', port = '', rest = ''] = m;
  return `${scheme}${resolveHost(host, ctx)}${port}${rest}`;
}

/**
 * gcomm://a,b:4567,c?pc.wait_prim=no → every member resolved; "gcomm://" (bootstrap) stays empty.
 */
export function resolveGcomm(url: string, ctx: NameContext): string {
  const m = /^gcomm:\/\/([^?]*)(\?.*)?$/.exec(url);
  if (!m) return url;
  const members =
    m[1]!.trim() === '' ? [] : m[1]!.split(',').map((x) => resolveHostPort(x.trim(), ctx));
  return `gcomm://${members.join(',')}${m[2] ?? ''}`;
}

const PROVIDER_ADDRESS_KEYS = new Set([
  'gmcast.listen_addr',
  'ist.recv_addr',
  'ist.recv_bind',
  'base_host',
]);

/**
 * wsrep_provider_options with every address resolved, and gmcast.listen_addr / ist.recv_addr pinned
 * to the container's address when not given (Galera's defaults listen on 0.0.0.0).
 */
export function resolveProviderOptions(options: string, ctx: NameContext): string {
  const parts = options
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const out: string[] = [];
  const seen = new Set<string>();
  for (const p of parts) {
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).trim();
    const value = eq < 0 ? '' : p.slice(eq + 1).trim();
    seen.add(key);
    out.push(
      PROVIDER_ADDRESS_KEYS.has(key)
        ? `${key}=${key === 'base_host' ? resolveHost(value, ctx) : resolveHostPort(value, ctx)}`
        : p,
    );
  }
  if (!seen.has('gmcast.listen_addr')) out.unshift(`gmcast.listen_addr=tcp://${ctx.self}:4567`);
  if (!seen.has('ist.recv_addr')) out.splice(1, 0, `ist.recv_addr=${ctx.self}:4568`);
  return out.join(';');
}

const normaliseOption = (name: string) => name.replace(/_/g, '-').toLowerCase();

/**
 * The official MariaDB image's command: a first word starting with "-" means "mariadbd with these
 * options"; a first word mariadbd / mysqld is the server itself. Returns the server's options with
 * every address resolved (see the rules above) and wsrep_provider_options completed, or null when
 * the command runs something else (which the lab's image cannot).
 */
export function mariadbServerArgs(cmd: readonly string[], ctx: NameContext): string[] | null {
  let args = [...cmd];
  if (
    args.length > 0 &&
    ['mariadbd', 'mysqld', '/usr/sbin/mariadbd', '/usr/sbin/mysqld'].includes(args[0]!)
  )
    args = args.slice(1);
  if (args.some((a) => !a.startsWith('-'))) return null;
  let providerOptions = false;
  const out = args.map((a) => {
    const eq = a.indexOf('=');
    if (!a.startsWith('--') || eq < 0) return a;
    const name = normaliseOption(a.slice(2, eq));
    const value = a.slice(eq + 1);
    switch (name) {
      case 'bind-address':
        return `--bind-address=${ctx.self}`;
      case 'wsrep-node-address':
        return `--wsrep-node-address=${resolveHostPort(value, ctx)}`;
      case 'wsrep-cluster-address':
        return `--wsrep-cluster-address=${resolveGcomm(value, ctx)}`;
      case 'wsrep-sst-receive-address':
      case 'wsrep-node-incoming-address':
        return value.toUpperCase() === 'AUTO' ? a : `--${name}=${resolveHostPort(value, ctx)}`;
      case 'wsrep-provider-options':
        providerOptions = true;
        return `--wsrep-provider-options=${resolveProviderOptions(value.replace(/^"|"$/g, ''), ctx)}`;
      default:
        return a;
    }
  });
  if (!providerOptions) out.push(`--wsrep-provider-options=${resolveProviderOptions('', ctx)}`);
  return out;
}

/**
 * Go's flag syntax (-name=value, --name=value, -name value; booleans as -name) for the Toxiproxy
 * and Consul images: the flags by name (last wins) and the positional words.
 */
export function parseGoFlags(
  args: readonly string[],
  booleans: readonly string[],
): { flags: Map<string, string>; positional: string[] } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-') || a === '-' || a === '--') {
      positional.push(a);
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    if (eq >= 0) flags.set(body.slice(0, eq), body.slice(eq + 1));
    else if (booleans.includes(body)) flags.set(body, 'true');
    else flags.set(body, args[++i] ?? '');
  }
  return { flags, positional };
}
