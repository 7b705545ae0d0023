package com.mskfailover.replicator;

import com.mskfailover.local.kafka.LocalKafkaCluster;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Tag;

import java.time.Duration;
import java.util.List;

import static com.mskfailover.replicator.ReplicationTestSupport.await;
import static com.mskfailover.replicator.ReplicationTestSupport.env;

/**
 * The read-back that makes group offsets translate after a (re)start, on real brokers: each time a copier
 * session restarts a partition (target away, an aborted transaction) its partitions are read back again, and
 * that read must finish every time, not only the first (a partition left paused by the previous read once kept
 * group offsets from ever being synced again, so a failback's drain never passed).
 */
@Tag("integration")
class OffsetRecoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final SourceAndTarget clusters = new SourceAndTarget();

    @Test
    void everyReadBackOfAPartitionFinishesNotOnlyTheFirst() {
        for (LocalKafkaCluster cluster : List.of(clusters.source(), clusters.target())) {
            cluster.clients().createTopic("again", 2);
            cluster.clients().produce(List.of(new ProducerRecord<>("again", 0, "k", "one"), new ProducerRecord<>("again", 1, "k", "two")));
        }
        OffsetTranslation translation = new OffsetTranslation();
        OffsetRecovery recovery = new OffsetRecovery(ReplicatorConfig.fromEnvironment(env(clusters.source(), clusters.target(), "again")),
                "source-cluster", "target-cluster", translation);
        Thread thread = new Thread(recovery, "offset-recovery");
        thread.setDaemon(true);
        thread.start();
        try {
            List<TopicPartition> partitions = List.of(new TopicPartition("again", 0), new TopicPartition("again", 1));
            for (int session = 1; session <= 3; session++) {
                partitions.forEach(partition -> translation.recover(partition, 1));
                await("read-back " + session + " finished", WAIT, () -> translation.awaitingRecovery().isEmpty());
            }
        } finally {
            recovery.stop();
        }
    }
}
