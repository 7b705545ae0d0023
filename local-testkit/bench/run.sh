#!/usr/bin/env bash
# Benchmark of the test fixture: in-process cluster start times and heap, child-JVM hard-kill recovery,
# the 3-broker form (start, a killed broker serving again, memory per broker, whole-cluster outage).
# Usage: local-testkit/bench/run.sh [in-process clusters=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/select-jdk
classpath_file=local-testkit/target/bench-classpath.txt
mvn -B -q -pl local-testkit -am test-compile \
    dependency:build-classpath -Dmdep.outputFile="$PWD/$classpath_file" -Dmdep.includeScope=test
exec "$JAVA_HOME/bin/java" -Xmx1g \
    -cp "local-testkit/target/test-classes:local-testkit/target/classes:$(cat "$classpath_file")" \
    com.mskfailover.local.kafka.bench.ClusterStartBenchmark "$@"
