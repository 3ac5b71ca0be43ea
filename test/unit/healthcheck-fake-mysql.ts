// A fake MySQL server standing in for a Galera node in healthcheck tests, built on mysql2's own
// server-side protocol: it answers the two statements galera-healthcheck sends
// (SHOW GLOBAL STATUS … wsrep_local_state/index, SHOW GLOBAL VARIABLES LIKE 'read_only') from a
// state the test sets, and can hang (never answer) or hang up on every client.

import mysqlCb from 'mysql2';

export interface FakeNodeState {
  /** null: the server is not a Galera node (no wsrep variables). */
  localState: number | null;
  localIndex: string;
  readOnly: boolean;
  /** Accept queries but never answer them. */
  hang?: boolean;
}

export interface FakeMysqlNode {
  host: string;
  port: number;
  state: FakeNodeState;
  /** Connections accepted so far. */
  accepted: number;
  /** Connections open now. */
  open(): number;
  /** Closes every client connection (as a restarted or killed node would). */
  hangUpAll(): void;
  stop(): Promise<void>;
}

interface ServerConn {
  stream: { destroy(): void; on(e: 'close', f: () => void): void };
  sequenceId: number;
  serverHandshake(args: Record<string, unknown>): void;
  writeColumns(cols: Record<string, unknown>[]): void;
  writeTextRow(values: string[]): void;
  writeEof(): void;
  writeOk(): void;
  writeError(args: { message: string; code: number }): void;
  on(e: 'query', f: (sql: string) => void): void;
  on(e: 'error', f: (err: Error) => void): void;
}

const column = (name: string) => ({
  catalog: 'def',
  schema: '',
  table: '',
  orgTable: '',
  name,
  orgName: name,
  characterSet: 33,
  columnLength: 384,
  columnType: 253, // VAR_STRING
  flags: 0,
  decimals: 0,
});

export async function startFakeMysql(host: string, initial: FakeNodeState): Promise<FakeMysqlNode> {
  const conns = new Set<ServerConn>();
  let nextId = 1;
  const node: FakeMysqlNode = {
    host,
    port: 0,
    state: { ...initial },
    accepted: 0,
    open: () => conns.size,
    hangUpAll: () =>
      conns.forEach((c) => {
        c.stream.destroy();
      }),
    stop: async () => {},
  };
  const server = mysqlCb.createServer((raw: unknown) => {
    const conn = raw as ServerConn;
    node.accepted++;
    conns.add(conn);
    conn.stream.on('close', () => conns.delete(conn));
    conn.on('error', () => {});
    // mysql2's server side does not reset its sequence id between commands: do it after each whole
    // reply (the handshake's OK, and each answer below).
    const writeOk = conn.writeOk.bind(conn);
    conn.writeOk = () => {
      writeOk();
      conn.sequenceId = 0;
    };
    conn.serverHandshake({
      protocolVersion: 10,
      serverVersion: '10.11.0-fake-galera',
      connectionId: nextId++,
      statusFlags: 2,
      characterSet: 8,
      capabilityFlags: 0xffffff,
    });
    conn.on('query', (sql: string) => {
      const s = node.state;
      if (s.hang) return;
      const rows: [string, string][] = [];
      if (/SHOW GLOBAL STATUS/i.test(sql)) {
        if (s.localState !== null)
          rows.push(
            ['wsrep_local_state', String(s.localState)],
            ['wsrep_local_index', s.localIndex],
          );
      } else if (/SHOW GLOBAL VARIABLES LIKE 'read_only'/i.test(sql)) {
        rows.push(['read_only', s.readOnly ? 'ON' : 'OFF']);
      } else {
        conn.writeError({ message: `fake node: unexpected statement ${sql}`, code: 1064 });
        conn.sequenceId = 0;
        return;
      }
      conn.writeColumns([column('Variable_name'), column('Value')]);
      for (const r of rows) conn.writeTextRow(r);
      conn.writeEof();
      conn.sequenceId = 0;
    });
  });
  // mysql2's typings know only listen(port); the implementation passes every argument to
  // net.Server.
  const listen = server.listen.bind(server) as unknown as (
    port: number,
    host: string,
    cb: () => void,
  ) => void;
  await new Promise<void>((r) => listen(0, host, () => r()));
  const inner = (server as unknown as { _server: { address(): { port: number } } })._server;
  node.port = inner.address().port;
  node.stop = () =>
    new Promise<void>((r) => {
      node.hangUpAll();
      server.close(() => r());
    });
  return node;
}
