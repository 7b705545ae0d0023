package com.mskfailover.orchestrator;

import com.mskfailover.contract.CommitMetadata;

import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import com.mskfailover.orchestrator.domain.GroupOffsetHandover;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stand-in for replicator-task in the orchestrator's tests (the real one is its own module): a thread that
 * copies the topics from SOURCE to TARGET, partition to partition, and commits its source position as the group
 * REPLICATOR_NAME on the source, which is the lag contract the orchestrator reads. With {@code copy=false} it
 * runs and copies nothing, so the lag never reaches zero. It also syncs the committed offsets of the GROUPS onto the
 * target with the metadata replicator-task writes (identity translation: the tests give the target an empty topic).
 */
public final class CopyingReplicatorTasks implements ReplicatorTasks {

    private record Task(String name, Thread thread, AtomicBoolean stop, Map<String, String> environment) {
    }

    private final List<String> topics;
    private final boolean copy;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();

    public CopyingReplicatorTasks(List<String> topics, boolean copy) {
        this.topics = List.copyOf(topics);
        this.copy = copy;
    }

    public Map<String, String> environmentOf(String taskId) {
        return tasks.get(taskId).environment();
    }

    public int started() {
        return tasks.size();
    }

    @Override
    public List<String> findActive(String replicatorName) {
        return tasks.entrySet().stream().filter(e -> e.getValue().name().equals(replicatorName) && e.getValue().thread().isAlive())
                .map(Map.Entry::getKey).toList();
    }

    @Override
    public List<String> recentlyStopped(String replicatorName) {
        return tasks.entrySet().stream().filter(e -> e.getValue().name().equals(replicatorName) && !e.getValue().thread().isAlive())
                .map(Map.Entry::getKey).toList();
    }

    @Override
    public List<String> start(String replicatorName, Map<String, String> environment, String clientToken, int count) {
        if (count != 1) {
            throw new IllegalArgumentException("this stand-in runs one task per flow, not " + count);
        }
        AtomicBoolean stop = new AtomicBoolean();
        Thread thread = new Thread(() -> run(environment, stop), "stand-in-" + replicatorName);
        thread.setDaemon(true);
        String taskId = "stand-in-task/" + replicatorName + "/" + (tasks.size() + 1);
        tasks.put(taskId, new Task(replicatorName, thread, stop, Map.copyOf(environment)));
        thread.start();
        return List.of(taskId);
    }

    @Override
    public TaskState state(String taskId) {
        return tasks.get(taskId).thread().isAlive() ? new TaskState("RUNNING", "thread alive") : new TaskState("STOPPED", "thread ended");
    }

    /** Runs in this JVM: nothing to deploy first. */
    @Override
    public List<String> startPrerequisitesMissing() {
        return List.of();
    }

    @Override
    public void stop(String taskId, String reason) {
        Task task = tasks.get(taskId);
        task.stop().set(true);
        try {
            task.thread().join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(Map<String, String> env, AtomicBoolean stop) {
        if (!copy) {
            while (!stop.get()) {
                Thread.onSpinWait();
                try {
                    Thread.sleep(50); // idles like a stuck task; nothing waits on this
                } catch (InterruptedException e) {
                    return;
                }
            }
            return;
        }
        KafkaClients source = new KafkaClients(env.get("SOURCE_BOOTSTRAP_SERVERS"));
        KafkaClients target = new KafkaClients(env.get("TARGET_BOOTSTRAP_SERVERS"));
        try (KafkaConsumer<String, String> consumer = source.consumer(env.get("REPLICATOR_NAME"), Map.of());
             KafkaProducer<String, String> producer = target.producer(Map.of());
             Admin sourceAdmin = source.admin();
             Admin targetAdmin = target.admin()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            }
            consumer.assign(partitions);
            while (!stop.get()) {
                var records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, String> record : records) {
                    producer.send(new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(), record.value()));
                }
                producer.flush();
                // Commits even with nothing new so that a partition without records counts as caught up.
                consumer.commitSync();
                syncGroupOffsets(sourceAdmin, targetAdmin, env);
            }
        }
    }

    private static void syncGroupOffsets(Admin sourceAdmin, Admin targetAdmin, Map<String, String> env) {
        if (env.get("GROUPS") == null) {
            return;
        }
        java.util.regex.Pattern groups = java.util.regex.Pattern.compile(env.get("GROUPS"));
        try {
            for (var listing : sourceAdmin.listGroups().all().get()) {
                String group = listing.groupId();
                if (!groups.matcher(group).matches()) {
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> synced = new java.util.HashMap<>();
                sourceAdmin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((partition, offset) ->
                        synced.put(partition, new OffsetAndMetadata(offset.offset(),
                                CommitMetadata.synced(env.get("REPLICATOR_NAME"), offset.offset()))));
                if (!synced.isEmpty()) {
                    targetAdmin.alterConsumerGroupOffsets(group, synced).all().get();
                }
            }
        } catch (Exception e) {
            // Consumers may be live on the target: the next round tries again.
        }
    }
}
