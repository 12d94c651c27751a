package io.functionsbridge.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Local ports for the tests. */
public final class Ports {

    private Ports() {
    }

    /** A port nothing listens on now: for a server of the test, or as a port that refuses connections. */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
