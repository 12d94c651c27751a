package io.functionsbridge;

import java.util.Map;
import org.apache.camel.main.Main;

/**
 * {@code java -jar target/functions-bridge.jar}: runs the bridge against the Kafka named by
 * {@code kafka.brokers}, with the {@code application.properties} and {@code routes/} of the working
 * folder, until Ctrl-C. A registry it refuses stops it before anything is consumed, with exit status 2.
 */
public final class BridgeMain {

    private BridgeMain() {
    }

    public static void main(String[] args) {
        Main main = BridgeApplication.create(Map.of());
        int status;
        try {
            status = main.run(args);
        } catch (Exception e) {
            status = 1;
            reportStartFailure(e);
        }
        System.exit(status);
    }

    static void reportStartFailure(Throwable failure) {
        BridgeApplication.registryProblem(failure).ifPresentOrElse(
                problem -> System.err.println("functions-bridge: not started: " + problem.getMessage()),
                () -> {
                    System.err.println("functions-bridge: not started: " + failure);
                    failure.printStackTrace(System.err);
                });
    }
}
