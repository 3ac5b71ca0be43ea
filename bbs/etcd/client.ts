// A minimal etcd v2 keys API client (fetch): what the legacy BBS store needs. Values are strings;
// errors carry etcd's errorCode (100 key not found, 101 compare failed, 105 node exists).

export interface EtcdNode {
  key: string;
  value?: string;
  dir?: boolean;
  ttl?: number;
  modifiedIndex: number;
  createdIndex: number;
  nodes?: EtcdNode[];
}

export class EtcdError extends Error {
  constructor(
    message: string,
    readonly errorCode: number | undefined,
    readonly status: number,
  ) {
    super(message);
  }
}

export const KEY_NOT_FOUND = 100;
export const COMPARE_FAILED = 101;
export const NODE_EXISTS = 105;

export interface SetOptions {
  ttl?: number;
  prevExist?: boolean;
  prevIndex?: number;
}

export class EtcdClient {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  private async call(
    method: string,
    key: string,
    query: Record<string, string>,
    body?: URLSearchParams,
  ): Promise<{ node?: EtcdNode }> {
    const qs = new URLSearchParams(query).toString();
    const init: RequestInit = { method, signal: AbortSignal.timeout(this.timeoutMs) };
    if (body) init.body = body;
    const r = await fetch(`${this.url}/v2/keys${key}${qs ? `?${qs}` : ''}`, init);
    const json = (await r.json()) as {
      node?: EtcdNode;
      errorCode?: number;
      message?: string;
      cause?: string;
    };
    if (!r.ok)
      throw new EtcdError(
        `etcd ${method} ${key}: ${json.message ?? r.statusText} (${json.cause ?? ''})`,
        json.errorCode,
        r.status,
      );
    return json;
  }

  /** The node at `key`, or null when absent. */
  async get(key: string, recursive = false): Promise<EtcdNode | null> {
    try {
      return (
        (
          await this.call(
            'GET',
            key,
            recursive ? { recursive: 'true', quorum: 'true' } : { quorum: 'true' },
          )
        ).node ?? null
      );
    } catch (e) {
      if (e instanceof EtcdError && e.errorCode === KEY_NOT_FOUND) return null;
      throw e;
    }
  }

  async set(key: string, value: string, o: SetOptions = {}): Promise<EtcdNode> {
    const body = new URLSearchParams({ value });
    if (o.ttl !== undefined && o.ttl > 0) body.set('ttl', String(o.ttl));
    const q: Record<string, string> = {};
    if (o.prevExist !== undefined) q.prevExist = String(o.prevExist);
    if (o.prevIndex !== undefined) q.prevIndex = String(o.prevIndex);
    return (await this.call('PUT', key, q, body)).node!;
  }

  /** DELETE; with `prevIndex` a compare-and-delete (the legacy BBS's RemoveActualLRP). */
  async delete(key: string, recursive = false, prevIndex?: number): Promise<void> {
    const q: Record<string, string> = recursive ? { recursive: 'true' } : {};
    if (prevIndex !== undefined) q.prevIndex = String(prevIndex);
    try {
      await this.call('DELETE', key, q);
    } catch (e) {
      if (e instanceof EtcdError && e.errorCode === KEY_NOT_FOUND) return;
      throw e;
    }
  }
}

/** Every leaf under a node (depth first). */
export function leaves(n: EtcdNode | null): EtcdNode[] {
  if (!n) return [];
  if (!n.dir) return [n];
  return (n.nodes ?? []).flatMap(leaves);
}
