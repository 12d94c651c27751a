package io.functionsbridge.domain;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An event's W3C trace context: the trace it belongs to (the caller's, from the record's or the
 * request's {@code traceparent}, else a new one), the bridge's own span id in it, and the caller's
 * {@code tracestate}, passed on unchanged. The function call, the command records and the dead
 * letter of the event carry {@link #traceparent()} and {@link #tracestate()}.
 */
public final class TraceContext {

    /** The W3C header names, as record headers and HTTP headers. */
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final String traceparent;
    private final String tracestate;

    private TraceContext(String traceparent, String tracestate) {
        this.traceparent = traceparent;
        this.tracestate = tracestate;
    }

    /** The event's trace, from its record's headers: the caller's trace when its traceparent is valid, else a new one. */
    public static TraceContext of(Map<String, byte[]> headers) {
        return of(text(headers.get(TRACEPARENT)), text(headers.get(TRACESTATE)));
    }

    /**
     * The caller's trace with a span of the bridge's own when {@code traceparent} is valid (W3C
     * Trace Context level 1), else a new trace; {@code tracestate} is kept only with a valid traceparent.
     */
    public static TraceContext of(String traceparent, String tracestate) {
        // 00-<trace id: 32 hex>-<the bridge's span id: 16 hex>-<flags: 2 hex>, written in place
        char[] sent = "00-................................-................-01".toCharArray();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        randomHex(random, sent, 36);
        String value = traceparent == null ? "" : traceparent.strip();
        if (!isValid(value)) {
            randomHex(random, sent, 3);
            randomHex(random, sent, 19);
            return new TraceContext(new String(sent), null);
        }
        value.getChars(3, 35, sent, 3);
        value.getChars(53, 55, sent, 53);
        return new TraceContext(new String(sent), tracestate == null || tracestate.isBlank() ? null : tracestate.strip());
    }

    /**
     * The same trace state in the span {@code traceparent} names (OpenTelemetry's span of the
     * event or of its function call, when tracing is on), or this one when that is not valid.
     */
    public TraceContext inSpan(String traceparent) {
        return traceparent != null && isValid(traceparent) ? new TraceContext(traceparent, tracestate) : this;
    }

    /** The {@code traceparent} the bridge sends: version 00, the trace id, the bridge's span id, the flags. */
    public String traceparent() {
        return traceparent;
    }

    /** 32 lower-case hex digits. */
    public String traceId() {
        return traceparent.substring(3, 35);
    }

    /** The bridge's span: 16 lower-case hex digits. */
    public String spanId() {
        return traceparent.substring(36, 52);
    }

    /** The caller's trace flags (2 hex digits); {@code 01} (sampled) for a new trace. */
    public String flags() {
        return traceparent.substring(53, 55);
    }

    /** The caller's {@code tracestate}, or {@code null}. */
    public String tracestate() {
        return tracestate;
    }

    /** Sets {@code traceparent} (and {@code tracestate}, when the caller sent one) in a record's or request's headers. */
    public void putInto(Map<String, Object> headers) {
        headers.put(TRACEPARENT, traceparent());
        if (tracestate != null) {
            headers.put(TRACESTATE, tracestate);
        }
    }

    /**
     * version "-" trace-id "-" parent-id "-" flags, lower-case hex; version ff is invalid; version 00
     * has nothing after the flags, a later version may ("-" and more); an all-zero id is invalid.
     */
    static boolean isValid(String value) {
        if (value.length() < 55 || value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return false;
        }
        String version = value.substring(0, 2);
        if (!isHex(version) || version.equals("ff") || (version.equals("00") ? value.length() != 55
                : value.length() > 55 && value.charAt(55) != '-')) {
            return false;
        }
        String traceId = value.substring(3, 35);
        String parentId = value.substring(36, 52);
        return isHex(traceId) && isHex(parentId) && isHex(value.substring(53, 55)) && !isZero(traceId) && !isZero(parentId);
    }

    private static boolean isHex(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZero(String hex) {
        for (int i = 0; i < hex.length(); i++) {
            if (hex.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    /** 16 random hex digits, not all zero, into out from at. */
    private static void randomHex(ThreadLocalRandom random, char[] out, int at) {
        long bits;
        do {
            bits = random.nextLong();
        } while (bits == 0);
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (bits & 0xf)];
            bits >>>= 4;
        }
    }

    private static String text(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
}
