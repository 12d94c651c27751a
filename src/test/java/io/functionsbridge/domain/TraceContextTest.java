package io.functionsbridge.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TraceContextTest {

    private static final String CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aValidTraceparentIsContinuedWithTheBridgesOwnSpanAndTheTracestateUnchanged() {
        TraceContext trace = TraceContext.of(CALLER, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");

        assertThat(trace.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(trace.spanId()).matches("[0-9a-f]{16}").isNotEqualTo("00f067aa0ba902b7");
        assertThat(trace.traceparent()).matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01");
        assertThat(trace.tracestate()).isEqualTo("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    }

    @Test
    void theCallersFlagsAreKept() {
        assertThat(TraceContext.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", null).flags()).isEqualTo("00");
    }

    @Test
    void aLaterVersionIsReadAsVersion00AndSentAs00() {
        TraceContext trace = TraceContext.of("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next", null);

        assertThat(trace.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(trace.traceparent()).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // all-zero span id
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", // version 00 with more
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", // short trace id
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
            "garbage"})
    void aMissingOrMalformedTraceparentStartsANewTraceAndDropsTheTracestate(String traceparent) {
        TraceContext trace = TraceContext.of(traceparent, "rojo=00f067aa0ba902b7");

        assertThat(trace.traceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01").doesNotContain("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(trace.traceId()).isNotEqualTo("0".repeat(32));
        assertThat(trace.tracestate()).isNull();
    }

    @Test
    void twoNewTracesAreDifferent() {
        assertThat(TraceContext.of(null, null).traceId()).isNotEqualTo(TraceContext.of(null, null).traceId());
    }

    @Test
    void aRecordsHeadersAreReadAsBytes() {
        TraceContext trace = TraceContext.of(Map.of("traceparent", CALLER.getBytes(StandardCharsets.UTF_8)));

        assertThat(trace.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void putIntoSetsTraceparentAndTracestateOnlyWhenTheCallerSentOne() {
        Map<String, Object> headers = new HashMap<>();
        TraceContext.of(CALLER, null).putInto(headers);
        assertThat(headers).containsOnlyKeys("traceparent");

        TraceContext.of(CALLER, "rojo=1").putInto(headers);
        assertThat(headers).containsEntry("tracestate", "rojo=1");
    }
}
