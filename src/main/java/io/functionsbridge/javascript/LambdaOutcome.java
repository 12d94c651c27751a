package io.functionsbridge.javascript;

import java.util.List;

/**
 * How one run of a JavaScript lambda ended: its result as JSON, or the platform's error code and
 * message; and what it logged (at most 10 entries and 6,000 characters, the rest dropped).
 *
 * @param resultJson the result ({@code null} when it failed, or was longer than bridge.invoke.max-reply-bytes)
 * @param errorCode  {@code com.liveperson.faas.handler.*} when it failed
 * @param tooLarge   whether its result was longer than bridge.invoke.max-reply-bytes (then it is not kept)
 * @param dropped    the log entries past the limits
 */
public record LambdaOutcome(String resultJson, String errorCode, String errorMessage, boolean tooLarge, List<LogLine> logs, int dropped) {

    /** One {@code console} call: its level ({@code debug}, {@code log}, {@code info}, {@code warn}, {@code error}) and text. */
    public record LogLine(String level, String message) {
    }

    static LambdaOutcome result(String json, List<LogLine> logs, int dropped) {
        return new LambdaOutcome(json, null, null, false, logs, dropped);
    }

    static LambdaOutcome tooLarge(List<LogLine> logs, int dropped) {
        return new LambdaOutcome(null, null, null, true, logs, dropped);
    }

    static LambdaOutcome failure(String code, String message, List<LogLine> logs, int dropped) {
        return new LambdaOutcome(null, code, message, false, logs, dropped);
    }

    public boolean succeeded() {
        return errorCode == null && !tooLarge;
    }

    /** Whether it ran past its timeout. */
    public boolean timedOut() {
        return JavaScriptLambdas.TIME_EXCEEDED.equals(errorCode);
    }
}
