package io.functionsbridge.gateway;

/** A gateway request refused: the HTTP status and error code it is answered with (docs/contract.md, §13). */
public final class GatewayException extends RuntimeException {

    private final int status;
    private final String errorCode;
    private final boolean tokenRejected;

    public GatewayException(int status, String errorCode, String message) {
        this(status, errorCode, message, false);
    }

    private GatewayException(int status, String errorCode, String message, boolean tokenRejected) {
        super(message, null, false, false);
        this.status = status;
        this.errorCode = errorCode;
        this.tokenRejected = tokenRejected;
    }

    /** 401 for a bearer token that was sent and is not accepted (RFC 6750's {@code invalid_token}). */
    public static GatewayException invalidToken(String why) {
        return new GatewayException(401, "UNAUTHORIZED", why, true);
    }

    public int status() {
        return status;
    }

    public String errorCode() {
        return errorCode;
    }

    /** Whether a token was sent and refused: the answer says {@code WWW-Authenticate: Bearer error="invalid_token"}. */
    public boolean isTokenRejected() {
        return tokenRejected;
    }
}
