package com.mskfailover.replicator;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * This task's membership in group {@code REPLICATOR_NAME-lanes} on the source, whose leader shares the lanes
 * among the tasks ({@link LaneAssignor}). A task that stops leaves the group after its copiers committed, so
 * its lanes move at once; a task that dies loses them after the session timeout.
 */
final class LaneMembership implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(LaneMembership.class);
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

    private final ReplicatorConfig config;
    private final Consumer<LaneAssignment.Share> onShare;
    private final AtomicBoolean rejoin = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    LaneMembership(ReplicatorConfig config, Consumer<LaneAssignment.Share> onShare) {
        this.config = config;
        this.onShare = onShare;
    }

    static String groupId(String replicatorName) {
        return replicatorName + "-lanes";
    }

    /** After this task lost a lane it believed it held: the group settles who holds what again. */
    void requestRejoin() {
        rejoin.set(true);
    }

    @Override
    public void run() {
        try {
            KafkaConsumer<byte[], byte[]> member = new KafkaConsumer<>(consumerConfig());
            consumer = member;
            try {
                // Lanes are not partitions: the subscription only makes this consumer a member of the group.
                member.subscribe(config.topics());
                while (!stopping) {
                    pollOnce(member);
                }
            } finally {
                member.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            }
        } catch (RuntimeException e) {
            LOG.error("replicator {}: lane membership stopped: {}", config.replicatorName(), e.toString(), e);
        } finally {
            stopped.countDown();
        }
    }

    private void pollOnce(KafkaConsumer<byte[], byte[]> member) {
        try {
            if (rejoin.getAndSet(false)) {
                member.enforceRebalance("a lane this task held was taken over by another task");
            }
            member.poll(Duration.ofMillis(500));
        } catch (WakeupException e) {
            // stop(): the loop ends.
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.warn("replicator {}: lane membership: {}, retrying", config.replicatorName(), e.toString());
            }
        }
    }

    /** Leaves the group (its lanes go to the other tasks at once); call after this task's copiers stopped. */
    void stop(Duration timeout) throws InterruptedException {
        stopping = true;
        KafkaConsumer<byte[], byte[]> member = consumer;
        if (member != null) {
            member.wakeup();
        }
        stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> consumer = new HashMap<>(config.sourceClientProperties());
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, config.replicatorName() + "-lanes");
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(config.replicatorName()));
        // Client-side assignors are the classic protocol's.
        consumer.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        consumer.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, List.of(LaneAssignor.class));
        consumer.put(LaneAssignor.LANES_CONFIG, config.lanes());
        consumer.put(LaneAssignor.LISTENER_CONFIG, onShare);
        // A task that died gives its lanes up within this; MSK accepts 6 s to 30 min.
        consumer.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) SESSION_TIMEOUT.toMillis());
        consumer.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) SESSION_TIMEOUT.toMillis() / 3);
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return consumer;
    }
}
