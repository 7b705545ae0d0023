package com.mskfailover.orchestrator.local;

import com.mskfailover.orchestrator.domain.Notifier;

import java.util.ArrayList;
import java.util.List;

/** Local {@link Notifier}: keeps every notification (and prints it, so the drill's output shows it). */
public final class RecordingNotifier implements Notifier {

    public record Notification(String subject, String message) {
    }

    private final List<Notification> notifications = new ArrayList<>();
    private final boolean print;

    public RecordingNotifier() {
        this(false);
    }

    public RecordingNotifier(boolean print) {
        this.print = print;
    }

    @Override
    public synchronized void publish(String subject, String message) {
        notifications.add(new Notification(subject, message));
        if (print) {
            System.out.println("[notification] " + subject + "\n" + message);
        }
    }

    public synchronized List<Notification> notifications() {
        return List.copyOf(notifications);
    }

    public synchronized Notification last() {
        if (notifications.isEmpty()) {
            throw new IllegalStateException("no notification was sent");
        }
        return notifications.getLast();
    }
}
