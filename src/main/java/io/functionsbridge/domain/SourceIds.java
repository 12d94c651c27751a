package io.functionsbridge.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Name-based (version 3) UUIDs of a source record and a qualifier: the same record gives the same
 * id however often it is handled. Equal to {@link UUID#nameUUIDFromBytes}, without looking the
 * digest up on every call.
 */
public final class SourceIds {

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required JDK algorithm", e);
        }
    });

    private SourceIds() {
    }

    /** The id of {@code topic/partition/offset/qualifier}. */
    public static String of(String topic, int partition, long offset, String qualifier) {
        MessageDigest md5 = MD5.get();
        md5.update(topic.getBytes(StandardCharsets.UTF_8));
        md5.update(("/" + partition + "/" + offset + "/").getBytes(StandardCharsets.US_ASCII));
        byte[] hash = md5.digest(qualifier.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x30);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        long most = 0;
        long least = 0;
        for (int i = 0; i < 8; i++) {
            most = (most << 8) | (hash[i] & 0xff);
            least = (least << 8) | (hash[i + 8] & 0xff);
        }
        return new UUID(most, least).toString();
    }
}
