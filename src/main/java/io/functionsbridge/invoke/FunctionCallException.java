package io.functionsbridge.invoke;

/** A function answered with a status other than 2xx. */
public class FunctionCallException extends RuntimeException {

    private final int status;

    public FunctionCallException(String functionId, int status) {
        super("function " + functionId + " answered HTTP " + status, null, false, false);
        this.status = status;
    }

    /** The HTTP status the function answered. */
    public int status() {
        return status;
    }
}
