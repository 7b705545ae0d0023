#!/usr/bin/env bash
# Heap held by group offset translation: 1,000 partitions with a gap after every record, under -Xmx512m.
# Usage: replicator-task/bench/offset-memory.sh [partitions=1000] [records per partition=20000]
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/select-jdk
classpath_file=replicator-task/target/bench-classpath.txt
mvn -B -q -pl replicator-task -am test-compile \
    dependency:build-classpath -Dmdep.outputFile="$PWD/$classpath_file" -Dmdep.includeScope=test
exec "$JAVA_HOME/bin/java" -Xmx512m \
    -cp "replicator-task/target/test-classes:replicator-task/target/classes:$(cat "$classpath_file")" \
    com.mskfailover.replicator.bench.OffsetTranslationMemory "$@"
