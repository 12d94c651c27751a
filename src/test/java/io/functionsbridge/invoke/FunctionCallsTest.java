package io.functionsbridge.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class FunctionCallsTest {

    private static final long NOW = Instant.parse("2026-11-22T06:00:00Z").toEpochMilli();

    @Test
    void retryAfterInSeconds() {
        assertThat(FunctionCalls.retryAfterMillis("1", NOW)).isEqualTo(1000L);
        assertThat(FunctionCalls.retryAfterMillis(" 120 ", NOW)).isEqualTo(120_000L);
        assertThat(FunctionCalls.retryAfterMillis("0", NOW)).isEqualTo(0L);
        assertThat(FunctionCalls.retryAfterMillis("99999999999999999999", NOW)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void retryAfterAsAnHttpDate() {
        String inThirtySeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(NOW + 30_000).atZone(ZoneOffset.UTC));
        assertThat(FunctionCalls.retryAfterMillis(inThirtySeconds, NOW)).isEqualTo(30_000L);
        assertThat(FunctionCalls.retryAfterMillis("Sun, 22 Nov 2026 05:00:00 GMT", NOW)).as("a date passed").isEqualTo(0L);
    }

    @Test
    void anAbsentOrUnreadableRetryAfterSetsNothing() {
        assertThat(FunctionCalls.retryAfterMillis(null, NOW)).isNull();
        assertThat(FunctionCalls.retryAfterMillis("", NOW)).isNull();
        assertThat(FunctionCalls.retryAfterMillis("-5", NOW)).isNull();
        assertThat(FunctionCalls.retryAfterMillis("soon", NOW)).isNull();
    }
}
