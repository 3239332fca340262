#!/bin/sh
# Entry point of the cassandra stand-in image: the official image's variables, the container's address, data in /var/lib/cassandra.
set -eu

# Any other command (e.g. `docker run --rm cassandra:5.0.8 cqlsh HOST`) runs as given.
if [ "${1:-}" != cassandra ]; then exec "$@"; fi

CASSANDRA_HOME=/opt/cassandra
CONF=/etc/cassandra
DATA=/var/lib/cassandra

# Like the official image: listen and broadcast on the container's own address, CQL on every address.
address=$(hostname -i | awk '{print $1}')
listen=${CASSANDRA_LISTEN_ADDRESS:-$address}
broadcast=${CASSANDRA_BROADCAST_ADDRESS:-$listen}
rpc_broadcast=${CASSANDRA_BROADCAST_RPC_ADDRESS:-$broadcast}
seeds=${CASSANDRA_SEEDS:-$broadcast}
sed -i \
  -e "s/^listen_address:.*/listen_address: $listen/" \
  -e "s/^rpc_address:.*/rpc_address: 0.0.0.0/" \
  -e "s/^# *broadcast_address:.*/broadcast_address: $broadcast/" \
  -e "s/^broadcast_address:.*/broadcast_address: $broadcast/" \
  -e "s/^broadcast_rpc_address:.*/broadcast_rpc_address: $rpc_broadcast/" \
  -e "s/- seeds: .*/- seeds: \"$seeds\"/" \
  ${CASSANDRA_CLUSTER_NAME:+-e "s/^cluster_name:.*/cluster_name: $CASSANDRA_CLUSTER_NAME/"} \
  "$CONF/cassandra.yaml"
grep -q '^broadcast_address:' "$CONF/cassandra.yaml" || echo "broadcast_address: $broadcast" >> "$CONF/cassandra.yaml"
grep -q '^broadcast_rpc_address:' "$CONF/cassandra.yaml" || echo "broadcast_rpc_address: $rpc_broadcast" >> "$CONF/cassandra.yaml"

# Heap as cassandra-env.sh sizes it: MAX_HEAP_SIZE and HEAP_NEWSIZE set together or not at all; unset,
# max(min(1/2 RAM, 1 GB), min(1/4 RAM, 8 GB)). With G1 (the 5.0 default, and the only GC here)
# cassandra-env.sh leaves the young generation to G1, so HEAP_NEWSIZE is checked but not passed as -Xmn.
if [ -n "${MAX_HEAP_SIZE:-}" ] && [ -z "${HEAP_NEWSIZE:-}" ] || [ -z "${MAX_HEAP_SIZE:-}" ] && [ -n "${HEAP_NEWSIZE:-}" ]; then
  echo "please set or unset MAX_HEAP_SIZE and HEAP_NEWSIZE in pairs (see cassandra-env.sh)" >&2
  exit 1
fi
if [ -z "${MAX_HEAP_SIZE:-}" ]; then
  MAX_HEAP_SIZE=$(awk '/^MemTotal:/ { mb = int($2 / 1024); half = mb / 2; if (half > 1024) half = 1024;
    quarter = mb / 4; if (quarter > 8192) quarter = 8192; print int(half > quarter ? half : quarter) "M" }' /proc/meminfo)
fi

jamm=$(ls "$CASSANDRA_HOME"/lib/jamm-*.jar)
set -- java -cp "$CASSANDRA_HOME/lib/*" "-javaagent:$jamm" "-Xms$MAX_HEAP_SIZE" "-Xmx$MAX_HEAP_SIZE" \
  $(cat "$CASSANDRA_HOME/jvm.flags") ${JVM_OPTS:-} ${JVM_EXTRA_OPTS:-} \
  "-Dcassandra.config=file://$CONF/cassandra.yaml" "-Dlogback.configurationFile=$CONF/logback.xml" \
  "-Dcassandra.storagedir=$DATA" -Dcassandra.logdir=/var/log/cassandra -Dcassandra-foreground=yes \
  -Dcassandra.storage_port=7000 -Dcassandra.native_transport_port=9042 \
  org.apache.cassandra.service.CassandraDaemon

# Started as root (the default): hand the data to the cassandra user and drop to it, as the official image does.
if [ "$(id -u)" = 0 ]; then
  find "$DATA" /var/log/cassandra "$CONF" ! -user cassandra -exec chown cassandra:cassandra '{}' +
  exec setpriv --reuid=cassandra --regid=cassandra --init-groups "$@"
fi
exec "$@"
