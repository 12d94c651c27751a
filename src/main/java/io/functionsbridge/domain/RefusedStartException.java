package io.functionsbridge.domain;

/**
 * The bridge's files or settings cannot run as they are, so it does not start: the message says why,
 * in one line (logged as {@code functions-bridge: not started: ...} where it is found), and the
 * packaged bridge exits with status 2.
 */
public class RefusedStartException extends RuntimeException {

    public RefusedStartException(String message) {
        super(message);
    }

    public RefusedStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
