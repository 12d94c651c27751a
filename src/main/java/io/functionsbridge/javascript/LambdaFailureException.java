package io.functionsbridge.javascript;

/**
 * A run of a JavaScript lambda failed: {@code callback(error)}, a thrown error or a rejected promise
 * ({@code com.liveperson.faas.handler.custom-failure}), its timeout
 * ({@code .executiontime-exceeded}), or a limit or crash ({@code .runtime-exception}).
 */
public class LambdaFailureException extends RuntimeException {

    private final String code;
    private final boolean timedOut;

    public LambdaFailureException(String functionId, String code, String message, boolean timedOut) {
        super("function " + functionId + " failed: " + code + ": " + message, null, false, false);
        this.code = code;
        this.timedOut = timedOut;
    }

    /** The platform's error code. */
    public String code() {
        return code;
    }

    public boolean timedOut() {
        return timedOut;
    }
}
