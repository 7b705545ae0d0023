package com.mskfailover.orchestrator.local;

import com.mskfailover.local.dynamodb.LocalDynamoDb;
import com.mskfailover.local.wait.Polling;
import com.mskfailover.orchestrator.aws.DynamoDbOperationLock;
import com.mskfailover.orchestrator.domain.OperationLock;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The real operation lock adapter (DynamoDbOperationLock) on dynalite, each lock in a table of its own shaped like
 * template.yaml's OperationLockTable: what the state machine tests and the drill run on.
 */
public final class DynaliteOperationLocks {

    private DynaliteOperationLocks() {
    }

    /** An SDK client for the local server, as the functions build theirs (endpoint override, fixed keys). */
    public static DynamoDbClient client(LocalDynamoDb dynamoDb) {
        return DynamoDbClient.builder()
                .endpointOverride(dynamoDb.endpoint())
                .region(Region.US_EAST_2)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /**
     * Creates a table shaped like OperationLockTable (key lockKey, on demand) and returns its name once it is ACTIVE
     * (until then DynamoDB, and dynalite, answer ResourceNotFoundException, as a deploy never lets the functions see).
     */
    public static String createTable(DynamoDbClient client) {
        String name = "operation-lock-" + UUID.randomUUID();
        client.createTable(request -> request.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(definition -> definition.attributeName(DynamoDbOperationLock.KEY).attributeType(ScalarAttributeType.S))
                .keySchema(key -> key.attributeName(DynamoDbOperationLock.KEY).keyType(KeyType.HASH)));
        Polling.until("table " + name + " to be ACTIVE", Duration.ofSeconds(30),
                () -> client.describeTable(request -> request.tableName(name)).table().tableStatus() == TableStatus.ACTIVE);
        return name;
    }

    /** A lock in a new table of the JVM's shared dynalite. */
    public static DynamoDbOperationLock fresh() {
        DynamoDbClient client = client(LocalDynamoDb.shared());
        return new DynamoDbOperationLock(client, createTable(client));
    }

    /** {@link #fresh()}, made on its first use: tests that never take the lock start no server. */
    public static OperationLock onFirstUse() {
        return new OperationLock() {
            private DynamoDbOperationLock lock;

            private synchronized DynamoDbOperationLock lock() {
                if (lock == null) {
                    lock = fresh();
                }
                return lock;
            }

            @Override
            public Optional<Holder> acquire(Holder owner, Instant now) {
                return lock().acquire(owner, now);
            }

            @Override
            public boolean takeOver(Holder previous, Holder owner) {
                return lock().takeOver(previous, owner);
            }

            @Override
            public boolean release(String executionArn) {
                return lock().release(executionArn);
            }

            @Override
            public Optional<Holder> holder() {
                return lock().holder();
            }
        };
    }
}
