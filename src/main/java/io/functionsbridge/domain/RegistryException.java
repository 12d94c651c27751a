package io.functionsbridge.domain;

/** A registry or automatic-messages file the bridge refuses to start with; the message names the problem. */
public class RegistryException extends RefusedStartException {

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
