#!/bin/sh
# Like the apache/kafka image: every KAFKA_<NAME> variable is the broker setting <name> (lower case,
# _ -> ., __ -> _, ___ -> -), except the JVM options; CLUSTER_ID formats empty log dirs.
set -eu
conf=/tmp/kafka-config
mkdir -p "$conf"
: >"$conf/server.properties"
env | grep -E '^KAFKA_[A-Z0-9_]+=' | grep -vE '^KAFKA_(HEAP_OPTS|OPTS|JVM_PERFORMANCE_OPTS|LOG4J_OPTS)=' | while IFS='=' read -r k v; do
  key=$(printf '%s' "${k#KAFKA_}" | tr 'A-Z' 'a-z' | sed -e 's/___/-/g' -e 's/__/@/g' -e 's/_/./g' -e 's/@/_/g')
  printf '%s=%s\n' "$key" "$v" >>"$conf/server.properties"
done
cat >"$conf/log4j.properties" <<'LOG'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
LOG
# shellcheck disable=SC2086 # the option lists are meant to split
set -- java ${KAFKA_HEAP_OPTS:--Xmx512m -Xms512m} -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
  -Djava.awt.headless=true "-Dlog4j.configuration=file:$conf/log4j.properties" -cp '/opt/kafka/libs/*'
logdirs=$(sed -n 's/^log\.dirs=//p' "$conf/server.properties" | cut -d, -f1)
if [ ! -f "${logdirs:-/var/lib/kafka/data}/meta.properties" ]; then
  "$@" kafka.tools.StorageTool format -t "${CLUSTER_ID:?CLUSTER_ID is needed to format the log dirs}" -c "$conf/server.properties" --ignore-formatted
fi
exec "$@" kafka.Kafka "$conf/server.properties"
