package io.functionsbridge.domain;

/**
 * The event's partition was revoked from this instance while the event was under way: it starts no
 * further attempt and writes nothing; its new owner handles it. The event goes back to its consumer,
 * which gives it up.
 */
public class PartitionRevokedException extends RuntimeException {

    public PartitionRevokedException(String what) {
        super(what + ": the event's partition was revoked from this instance, its new owner handles it", null, false, false);
    }
}
