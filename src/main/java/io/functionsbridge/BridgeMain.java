package io.functionsbridge;

import io.functionsbridge.redrive.Redrive;
import java.util.Arrays;
import java.util.Map;
import org.apache.camel.main.Main;
import sun.misc.Signal;

/**
 * {@code java -jar target/functions-bridge.jar}: runs the bridge against the Kafka named by
 * {@code kafka.brokers}, with the {@code application.properties} and {@code routes/} of the working
 * folder, until Ctrl-C or SIGTERM (then it stops its routes, lets the events under way finish within
 * {@code camel.main.shutdownTimeout}, and exits with 0). A registry it refuses stops it before
 * anything is consumed, with exit status {@value #EXIT_REFUSED_CONFIGURATION}; any other failure to
 * start exits with 1.
 *
 * <p>{@code java -jar target/functions-bridge.jar redrive [options]} publishes chosen dead letters
 * again ({@link Redrive}); {@code invoke <id or name> [--payload FILE]} runs one function once
 * ({@link LocalInvoke}); any other subcommand is refused with status
 * {@value #EXIT_REFUSED_CONFIGURATION}, before Camel Main reads anything.
 */
public final class BridgeMain {

    /** The exit status when the function registry or the automatic messages are refused. */
    public static final int EXIT_REFUSED_CONFIGURATION = 2;

    /** The runnable jar's logging of the redrive subcommand (a resource of the jar), unless one is given. */
    private static final String REDRIVE_LOGGING = "log4j2-redrive.properties";

    private static final String LOG_CONFIGURATION = "log4j2.configurationFile";

    private BridgeMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            if (!"redrive".equals(args[0]) && !"invoke".equals(args[0])) {
                System.err.println("functions-bridge: unknown subcommand '" + args[0] + "' (there are: redrive, invoke)");
                System.exit(EXIT_REFUSED_CONFIGURATION);
            }
            // the tool's own lines only: Camel's start and Kafka's connection attempts are not the operator's business
            if (System.getProperty(LOG_CONFIGURATION) == null) {
                System.setProperty(LOG_CONFIGURATION, REDRIVE_LOGGING);
            }
            String[] options = Arrays.copyOfRange(args, 1, args.length);
            System.exit("invoke".equals(args[0]) ? LocalInvoke.run(options, System.out, System.err)
                    : Redrive.run(options, Map.of(), System.out, System.err));
        }
        Main main = BridgeApplication.create(Map.of());
        // SIGTERM (an orchestrator's stop) stops the bridge as Ctrl-C does, and the process ends with 0
        Signal.handle(new Signal("TERM"), signal -> main.completed());
        int status;
        try {
            status = main.run(args);
        } catch (Exception e) {
            status = reportStartFailure(e);
        }
        System.exit(status);
    }

    /**
     * Gives the exit status for a failed start, and prints why unless the registry's refusal, which
     * logged its own line ("functions-bridge: not started: ..."), is what failed.
     */
    public static int reportStartFailure(Throwable failure) {
        return BridgeApplication.registryProblem(failure).map(problem -> EXIT_REFUSED_CONFIGURATION).orElseGet(() -> {
            System.err.println("functions-bridge: not started: " + failure);
            failure.printStackTrace(System.err);
            return 1;
        });
    }
}
