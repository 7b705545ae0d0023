package com.mskfailover.orchestrator.domain;

import java.util.List;

/**
 * The failback's drain wait between its checks.
 *
 * @param readEverything every plan group has read every application record of the secondary (up to the quiet gate's
 *                       targets): from here on its consumers may be stopped there
 * @param stillConnected the groups that still have consumers connected to the secondary, with their members
 */
public record ConsumerDrain(PollState poll, boolean readEverything, List<String> stillConnected) {

    public ConsumerDrain {
        stillConnected = stillConnected == null ? List.of() : List.copyOf(stillConnected);
    }
}
