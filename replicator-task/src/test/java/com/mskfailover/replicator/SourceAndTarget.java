package com.mskfailover.replicator;

import com.mskfailover.local.kafka.LocalKafkaCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A source and a target cluster (single-node KRaft, in this JVM) for a test class, started before its tests and
 * closed after them: {@code @RegisterExtension static final SourceAndTarget clusters = new SourceAndTarget();}.
 */
final class SourceAndTarget implements BeforeAllCallback, AfterAllCallback {

    private LocalKafkaCluster source;
    private LocalKafkaCluster target;

    @Override
    public void beforeAll(ExtensionContext context) {
        source = LocalKafkaCluster.start("source");
        target = LocalKafkaCluster.start("target");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ReplicationTestSupport.closeAll(target, source);
    }

    LocalKafkaCluster source() {
        return source;
    }

    LocalKafkaCluster target() {
        return target;
    }
}
