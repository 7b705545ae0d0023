package com.mskfailover.orchestrator.domain;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * One failover or failback at a time, across both state machines: each execution takes the operation lock first
 * (AcquireOperationLock) and frees it on every way out that reaches a state (ReleaseOperationLock).
 *
 * <p>An execution that never reaches its release (aborted, timed out, its Lambda gone) leaves the lock behind. Two
 * things free it: the next execution asks Step Functions whether the holder still runs and takes over the lock of one
 * that does not; and the lease, which ends when the holder's execution would have been stopped by its state machine's
 * own TimeoutSeconds ({@link #LEASE}), so that a running execution never loses its lock and a lock whose holder
 * cannot be asked about frees itself.
 */
public final class OperationLocking {

    /** The state machines' TimeoutSeconds: no execution runs longer, so no running execution outlives its lease. */
    public static final Duration LEASE = Duration.ofHours(24);
    /** Lambda's clock against Step Functions' (the lease counts from the execution's StartTime). */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final String RUNNING = "RUNNING";
    private static final int ATTEMPTS = 3;

    /**
     * What AcquireOperationLock leaves at {@code $.lock}.
     *
     * @param held    whether this execution holds the lock (false for a dry run, which takes none)
     * @param detail  how it got it, or for a dry run who holds it now
     */
    public record Lock(String owner, String operation, boolean held, String leaseUntil, String detail) {
    }

    /** What ReleaseOperationLock leaves at {@code $.lockRelease}. */
    public record Release(String owner, boolean released, String detail) {
    }

    private final OperationLock lock;
    private final Executions executions;
    private final Clock clock;

    public OperationLocking(OperationLock lock, Executions executions, Clock clock) {
        this.lock = lock;
        this.executions = executions;
        this.clock = clock;
    }

    /**
     * Takes the lock for this execution, or fails with {@link OperationLockedException} naming the running execution
     * that holds it. A dry run moves nothing, so it takes no lock (a real operation is never refused because of one)
     * and is never refused: its result says whether a real run would be refused now.
     *
     * @param executionStart the execution's StartTime ({@code $$.Execution.StartTime}); the lease counts from it (null: from now)
     */
    public Lock acquire(Plan plan, String executionArn, String executionStart) {
        if (executionArn == null || executionArn.isBlank()) {
            throw new InvalidInputException("execution.id", "is missing: the state passes \"id.$\": \"$$.Execution.Id\"");
        }
        Instant now = clock.instant();
        Instant leaseUntil = (executionStart == null ? now : startTime(executionStart)).plus(LEASE).plus(CLOCK_SKEW).truncatedTo(ChronoUnit.SECONDS);
        if (plan.dryRun()) {
            return new Lock(executionArn, plan.operation(), false, null, lock.holder()
                    .filter(holder -> isRunning(holder) && !holder.executionArn().equals(executionArn))
                    .map(holder -> "dry run, takes no lock; a real " + plan.operation() + " would be refused now: " + describe(holder))
                    .orElse("dry run, takes no lock; no running operation holds it, a real " + plan.operation() + " would take it"));
        }
        OperationLock.Holder me = new OperationLock.Holder(executionArn, plan.operation(), now.truncatedTo(ChronoUnit.SECONDS), leaseUntil);
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Optional<OperationLock.Holder> other = lock.acquire(me, now);
            if (other.isEmpty()) {
                return new Lock(executionArn, plan.operation(), true, leaseUntil.toString(), "taken until " + leaseUntil);
            }
            OperationLock.Holder holder = other.get();
            Optional<String> status = executions.status(holder.executionArn());
            if (status.filter(RUNNING::equals).isPresent()) {
                throw refusal(plan.operation(), holder);
            }
            if (lock.takeOver(holder, me)) {
                return new Lock(executionArn, plan.operation(), true, leaseUntil.toString(), "taken over until " + leaseUntil + " from "
                        + describe(holder) + ", which is " + status.orElse("unknown to Step Functions") + " and never released it");
            }
            // The lock changed hands between the read and the takeover: look again.
        }
        throw new TransientDependencyException("the operation lock changed hands " + ATTEMPTS + " times while " + executionArn
                + " tried to take it; the state retries", null);
    }

    /** Frees the lock if this execution holds it; releasing a lock it does not hold changes nothing. */
    public Release release(String executionArn) {
        if (executionArn == null || executionArn.isBlank()) {
            throw new InvalidInputException("execution.id", "is missing: the state passes \"id.$\": \"$$.Execution.Id\"");
        }
        boolean released = lock.release(executionArn);
        return new Release(executionArn, released, released ? "released"
                : "this execution held no lock (a dry run, a refused or invalid start, or it was released already)");
    }

    private static Instant startTime(String executionStart) {
        try {
            return java.time.OffsetDateTime.parse(executionStart).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidInputException("execution.startTime", "is not an ISO-8601 time: '" + executionStart
                    + "'; the state passes \"startTime.$\": \"$$.Execution.StartTime\"");
        }
    }

    private boolean isRunning(OperationLock.Holder holder) {
        return !holder.leaseUntil().isBefore(clock.instant()) && executions.status(holder.executionArn()).filter(RUNNING::equals).isPresent();
    }

    private static OperationLockedException refusal(String operation, OperationLock.Holder holder) {
        String arn = holder.executionArn();
        return new OperationLockedException("Refused: " + describe(holder) + " is running and holds the operation lock; only one"
                + " failover or failback runs at a time, and this " + operation + " changed nothing. Wait for it to end (aws stepfunctions"
                + " describe-execution --execution-arn " + arn + "), or, if it must not go on, stop it (aws stepfunctions stop-execution"
                + " --execution-arn " + arn + "; the next execution takes over the lock it leaves), then start this " + operation + " again.");
    }

    /** "failback execution NAME of state machine SM (ARN), holding the lock since ... until ...". */
    static String describe(OperationLock.Holder holder) {
        String[] parts = holder.executionArn().split(":");
        String named = parts.length >= 8 ? " " + parts[7] + " of state machine " + parts[6] : "";
        return holder.operation() + " execution" + named + " (" + holder.executionArn() + ", holding the lock since " + holder.acquiredAt()
                + ", lease until " + holder.leaseUntil() + ")";
    }
}
