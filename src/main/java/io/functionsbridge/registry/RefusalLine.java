package io.functionsbridge.registry;

import io.functionsbridge.domain.RegistryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one line that says why the bridge did not start, {@code functions-bridge: not started: <the
 * problem>}, logged by the registry files themselves so that it shows in whatever runtime hosts the
 * bridge (Camel Main, Spring Boot...). Once per problem: a runtime may create the bean again, with
 * the same refusal, before it gives up.
 */
final class RefusalLine {

    private static final Logger LOG = LoggerFactory.getLogger(RefusalLine.class);
    private static volatile String lastLogged;

    private RefusalLine() {
    }

    /** Logs the refusal (unless it was the last one logged) and gives it back, to be thrown. */
    static RegistryException logged(RegistryException refused) {
        if (!refused.getMessage().equals(lastLogged)) {
            lastLogged = refused.getMessage();
            LOG.error("functions-bridge: not started: {}", refused.getMessage());
        }
        return refused;
    }
}
