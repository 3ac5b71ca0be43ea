// A Galera node's my.cnf, the same for every provider that runs its own mariadbd (local processes,
// hosts over SSH): its own dir, address and port, rsync SST and IST on its own address.

import { GALERA_PROVIDER, MYSQL_USER } from './install.ts';

export interface GaleraNodeFiles {
  name: string;
  /** The address it binds and Galera listens on. */
  host: string;
  port: number;
  /** The node's own dir: data/, tmp/ and the pid file live in it. */
  dir: string;
  socket: string;
  errorLog: string;
}

export function galeraNodeConfig(
  n: GaleraNodeFiles,
  all: readonly { host: string }[],
  clusterName: string,
  extraProviderOptions: string,
): string {
  const gcomm = all.map((x) => `${x.host}:4567`).join(',');
  const providerOptions = [
    `gmcast.listen_addr=tcp://${n.host}:4567`,
    `ist.recv_addr=${n.host}:4568`,
    extraProviderOptions,
  ]
    .filter((s) => s.length > 0)
    .join(';');
  return `[mysqld]
datadir=${n.dir}/data
socket=${n.socket}
pid-file=${n.dir}/mariadbd.pid
tmpdir=${n.dir}/tmp
log-error=${n.errorLog}
bind-address=${n.host}
port=${n.port}
user=${MYSQL_USER}
skip-name-resolve
max_connections=400
performance_schema=OFF
innodb_buffer_pool_size=64M
innodb_log_file_size=32M
innodb_flush_log_at_trx_commit=1
default_storage_engine=InnoDB
binlog_format=ROW
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=${GALERA_PROVIDER}
wsrep_cluster_name=${clusterName}
wsrep_cluster_address=gcomm://${gcomm}
wsrep_node_address=${n.host}
wsrep_node_name=${n.name}
wsrep_provider_options="${providerOptions}"
wsrep_sst_receive_address=${n.host}:4444
wsrep_sst_method=rsync
`;
}
