package io.functionsbridge.gateway;

/** A gateway request refused: the HTTP status and error code it is answered with (docs/contract.md, §13). */
public final class GatewayException extends RuntimeException {

    private final int status;
    private final String errorCode;

    public GatewayException(int status, String errorCode, String message) {
        super(message, null, false, false);
        this.status = status;
        this.errorCode = errorCode;
    }

    public int status() {
        return status;
    }

    public String errorCode() {
        return errorCode;
    }
}
