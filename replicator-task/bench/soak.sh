#!/usr/bin/env bash
# Soak under faults: replicator-task in both directions between two 3-broker clusters (replication factor 3,
# min.insync.replicas 2) under continuous produce, with kill -9 of replicators and brokers, whole-cluster
# outages of 1-3 minutes and refused records injected at random; then every partition is verified record by
# record. Prints the figures and exits 1 if anything is missing, duplicated or out of order.
# Usage: replicator-task/bench/soak.sh [minutes=10] [seed] [tasks per direction=1]
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/select-jdk
classpath_file=replicator-task/target/bench-classpath.txt
mvn -B -q -pl replicator-task -am package -DskipTests \
    dependency:build-classpath -Dmdep.outputFile="$PWD/$classpath_file" -Dmdep.includeScope=test
exec "$JAVA_HOME/bin/java" -Xmx1g \
    -cp "replicator-task/target/test-classes:replicator-task/target/classes:$(cat "$classpath_file")" \
    com.mskfailover.replicator.bench.ReplicatorSoak "$@"
