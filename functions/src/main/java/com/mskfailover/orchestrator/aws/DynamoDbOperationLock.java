package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.OperationLock;
import com.mskfailover.orchestrator.domain.TransientDependencyException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The operation lock as one item of the stack's DynamoDB table (OperationLockTable), key {@code lockKey = operation},
 * every write conditional. {@code leaseUntil} is epoch seconds, also the table's TTL attribute: DynamoDB deletes a
 * long-expired item by itself, and the conditions treat an expired one as free meanwhile.
 */
public final class DynamoDbOperationLock implements OperationLock {

    public static final String KEY = "lockKey";
    public static final String KEY_VALUE = "operation";
    static final String OWNER = "ownerExecution";
    static final String OPERATION = "ownerOperation";
    static final String ACQUIRED_AT = "acquiredAt";
    public static final String LEASE_UNTIL = "leaseUntil";
    private static final int ATTEMPTS = 3;

    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public DynamoDbOperationLock(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
    }

    @Override
    public Optional<Holder> acquire(Holder owner, Instant now) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                AwsErrors.call("taking the operation lock in " + tableName, () -> dynamoDb.putItem(request -> request
                        .tableName(tableName)
                        .item(item(owner))
                        .conditionExpression("attribute_not_exists(#key) OR #leaseUntil < :now OR #owner = :owner")
                        .expressionAttributeNames(Map.of("#key", KEY, "#leaseUntil", LEASE_UNTIL, "#owner", OWNER))
                        .expressionAttributeValues(Map.of(":now", number(now), ":owner", text(owner.executionArn())))));
                return Optional.empty();
            } catch (RuntimeException e) {
                if (!(e.getCause() instanceof ConditionalCheckFailedException)) {
                    throw e;
                }
            }
            Optional<Holder> holder = holder();
            if (holder.isPresent()) {
                return holder;
            }
            // Released between the write and the read: try again.
        }
        throw new TransientDependencyException("the operation lock in " + tableName + " was taken and freed " + ATTEMPTS
                + " times while " + owner.executionArn() + " tried to take it; the state retries", null);
    }

    @Override
    public boolean takeOver(Holder previous, Holder owner) {
        return conditional("taking over the operation lock in " + tableName + " from " + previous.executionArn(), () -> dynamoDb.putItem(request -> request
                .tableName(tableName)
                .item(item(owner))
                .conditionExpression("#owner = :previous AND #leaseUntil = :previousLease")
                .expressionAttributeNames(Map.of("#owner", OWNER, "#leaseUntil", LEASE_UNTIL))
                .expressionAttributeValues(Map.of(":previous", text(previous.executionArn()), ":previousLease", number(previous.leaseUntil())))));
    }

    @Override
    public boolean release(String executionArn) {
        return conditional("releasing the operation lock in " + tableName, () -> dynamoDb.deleteItem(request -> request
                .tableName(tableName)
                .key(key())
                .conditionExpression("#owner = :owner")
                .expressionAttributeNames(Map.of("#owner", OWNER))
                .expressionAttributeValues(Map.of(":owner", text(executionArn)))));
    }

    @Override
    public Optional<Holder> holder() {
        GetItemResponse response = AwsErrors.call("reading the operation lock in " + tableName, () -> dynamoDb.getItem(request -> request
                .tableName(tableName).key(key()).consistentRead(true)));
        if (!response.hasItem() || response.item().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = response.item();
        return Optional.of(new Holder(item.get(OWNER).s(), item.get(OPERATION).s(), Instant.parse(item.get(ACQUIRED_AT).s()),
                Instant.ofEpochSecond(Long.parseLong(item.get(LEASE_UNTIL).n()))));
    }

    /** Whether the conditional write happened (false: its condition did not hold). */
    private static boolean conditional(String what, Runnable write) {
        try {
            AwsErrors.call(what, () -> {
                write.run();
                return null;
            });
            return true;
        } catch (RuntimeException e) {
            if (e.getCause() instanceof ConditionalCheckFailedException) {
                return false;
            }
            throw e;
        }
    }

    private static Map<String, AttributeValue> key() {
        return Map.of(KEY, text(KEY_VALUE));
    }

    private static Map<String, AttributeValue> item(Holder owner) {
        return Map.of(KEY, text(KEY_VALUE), OWNER, text(owner.executionArn()), OPERATION, text(owner.operation()),
                ACQUIRED_AT, text(owner.acquiredAt().toString()), LEASE_UNTIL, number(owner.leaseUntil()));
    }

    private static AttributeValue text(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue number(Instant instant) {
        return AttributeValue.fromN(Long.toString(instant.getEpochSecond()));
    }
}
