package com.mskfailover.orchestrator.domain;

import java.time.Clock;
import java.time.Instant;

/**
 * The state of one bounded polling loop, carried through the state machine between a Wait and a check. The
 * deadline is fixed on the first check (start + timeoutSeconds), so the bound holds whatever the Wait intervals.
 *
 * @param deadline ISO-8601 instant, null before the first check
 */
public record PollState(int timeoutSeconds, String deadline, int attempts, boolean done, String detail) {

    public static PollState starting(int timeoutSeconds, Clock clock) {
        return new PollState(timeoutSeconds, clock.instant().plusSeconds(timeoutSeconds).toString(), 0, false, "not checked yet");
    }

    /**
     * The state after one more check. A check that is not done past the deadline throws, so that the loop
     * ends in the failure notification with what it last saw.
     */
    public PollState afterCheck(boolean nowDone, String whatWasSeen, String waitingFor, Clock clock) {
        Instant now = clock.instant();
        Instant end = deadline == null ? now.plusSeconds(timeoutSeconds) : Instant.parse(deadline);
        if (!nowDone && !now.isBefore(end)) {
            throw new WaitTimedOutException("gave up waiting for " + waitingFor + " after " + timeoutSeconds
                    + " s (" + (attempts + 1) + " checks); last seen: " + whatWasSeen);
        }
        return new PollState(timeoutSeconds, end.toString(), attempts + 1, nowDone, whatWasSeen);
    }
}
