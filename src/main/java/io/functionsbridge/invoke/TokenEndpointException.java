package io.functionsbridge.invoke;

/**
 * The OAuth2 token endpoint gave no token: the function was not called. Retryable when the endpoint
 * could not be reached or failed (5xx); not when it refused the client credentials (4xx). The
 * message names the endpoint, never the secret.
 */
public class TokenEndpointException extends RuntimeException {

    private final boolean retryable;

    public TokenEndpointException(String endpoint, String problem, boolean retryable) {
        super("the token endpoint " + endpoint + " " + problem, null, false, false);
        this.retryable = retryable;
    }

    /** Whether another attempt may get a token. */
    public boolean isRetryable() {
        return retryable;
    }
}
