#!/usr/bin/env bash
# Benchmark: the first invocation of each Kafka-facing handler in a fresh JVM, without and with SnapStart priming
# (handlers.SnapStartPriming, run by Lambda before the snapshot). Prints a table of medians.
# Usage: functions/bench/first-invocation.sh [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/select-jdk
classpath_file=functions/target/bench-classpath.txt
mvn -B -q -pl functions -am test-compile \
    dependency:build-classpath -Dmdep.outputFile="$PWD/$classpath_file" -Dmdep.includeScope=test
exec "$JAVA_HOME/bin/java" -Xmx1g \
    -cp "functions/target/test-classes:functions/target/classes:$(cat "$classpath_file")" \
    com.mskfailover.orchestrator.bench.FirstInvocationBenchmark "$@"
