package io.functionsbridge.ordering;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.BitSet;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Which records above a partition's committed offset are finished, written in the offset commit's
 * metadata, so that a consumer that gets the partition (after a crash, a rebalance, a restart)
 * skips them instead of handling them again.
 *
 * <p>The text is {@code ofb1:} and the Base64 of a deflated bit set: bit i is the record at
 * committed offset + i, set when it is finished. An encoding longer than the limit (Kafka's
 * {@code offset.metadata.max.bytes}, 4096 by default) is cut to the records it can hold: those
 * beyond are handled again, never lost.
 *
 * @param base     the committed offset the bits count from
 * @param finished bit i set: the record at base + i is finished
 */
public record FinishedOffsets(long base, BitSet finished) {

    private static final String PREFIX = "ofb1:";
    private static final int MAX_INFLATED_BYTES = 1 << 20;

    /** Nothing known finished above the base. */
    public static FinishedOffsets none(long base) {
        return new FinishedOffsets(base, new BitSet());
    }

    public boolean isEmpty() {
        return finished.isEmpty();
    }

    /** Whether the record at this offset is known to be finished. */
    public boolean contains(long offset) {
        long index = offset - base;
        return index >= 0 && index < Integer.MAX_VALUE && finished.get((int) index);
    }

    /** The offset after the last finished one (the base when none is). */
    public long end() {
        return base + finished.length();
    }

    /** The commit metadata: empty when nothing above the base is finished. */
    public String encode(int maxChars) {
        BitSet bits = finished;
        while (!bits.isEmpty()) {
            String text = PREFIX + Base64.getEncoder().withoutPadding().encodeToString(deflate(bits.toByteArray()));
            if (text.length() <= maxChars) {
                return text;
            }
            bits = bits.get(0, bits.length() / 2);
        }
        return "";
    }

    /** Reads commit metadata; anything else (none, another writer's, damaged) knows nothing finished. */
    public static FinishedOffsets decode(long base, String metadata) {
        if (metadata == null || !metadata.startsWith(PREFIX)) {
            return none(base);
        }
        try {
            return new FinishedOffsets(base, BitSet.valueOf(inflate(Base64.getDecoder().decode(metadata.substring(PREFIX.length())))));
        } catch (IllegalArgumentException | DataFormatException e) {
            return none(base);
        }
    }

    private static byte[] deflate(byte[] bytes) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try {
            deflater.setInput(bytes);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(64);
            byte[] chunk = new byte[1024];
            while (!deflater.finished()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static byte[] inflate(byte[] bytes) throws DataFormatException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(bytes);
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            byte[] chunk = new byte[1024];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new DataFormatException("truncated");
                }
                out.write(chunk, 0, n);
                if (out.size() > MAX_INFLATED_BYTES) {
                    throw new DataFormatException("too large");
                }
            }
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }
}
