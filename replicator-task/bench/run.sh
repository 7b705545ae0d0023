#!/usr/bin/env bash
# Benchmark: replicator-task vs MirrorMaker 2 (IdentityReplicationPolicy) vs raw produce, on two local
# KRaft clusters over loopback. Prints figures; takes a few minutes and about 3 GiB of disk in /tmp.
# Usage: replicator-task/bench/run.sh [records=1000000] [record bytes=1024] [partitions=4]
# Then the same copy by 1, 2 and 4 tasks sharing the lanes (BENCH_JAVA_OPTS=-Dbench.tasks=1,2,4; empty skips it).
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/select-jdk
classpath_file=replicator-task/target/bench-classpath.txt
mvn -B -q -pl replicator-task -am package -DskipTests \
    dependency:build-classpath -Dmdep.outputFile="$PWD/$classpath_file" -Dmdep.includeScope=test
exec "$JAVA_HOME/bin/java" -Xmx1g ${BENCH_JAVA_OPTS:-} \
    -cp "replicator-task/target/test-classes:replicator-task/target/classes:$(cat "$classpath_file")" \
    -Dreplicator.jar=replicator-task/target/replicator-task.jar ${REPLICATOR_JVM_FLAGS:+"-Dreplicator.jvm.flags=$REPLICATOR_JVM_FLAGS"} \
    com.mskfailover.replicator.bench.ReplicatorBenchmark "$@"
