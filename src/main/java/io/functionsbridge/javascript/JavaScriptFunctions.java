package io.functionsbridge.javascript;

import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.registry.FunctionRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The functions of {@code runtime: javascript} (docs/javascript.md): the platform's lambdas, run by
 * the bridge on GraalJS, which is optional: a host without JavaScript functions does not need it on
 * its classpath, and a registry with one is refused, naming the dependency, where it is missing.
 *
 * <p>A call's console lines are logged by {@code io.functionsbridge.functions.<name>} at their level,
 * with the conversation in the MDC ({@code convId}); a failed run fails the call with
 * {@link LambdaFailureException}, which the redelivery policy retries as it retries an HTTP 5xx
 * (a timeout as an HTTP timeout).
 */
public final class JavaScriptFunctions {

    /** The refusal of a registry with a JavaScript function, where GraalJS is not on the classpath. */
    public static final String MISSING = "runtime javascript needs GraalJS on the classpath: org.graalvm.polyglot:polyglot "
            + "and org.graalvm.polyglot:js-community (type pom), 24.2.1 (the runnable jar has them)";

    private int threads;
    private int maxAllocatedMb = 256;
    private volatile JavaScriptLambdas lambdas;

    /** Whether GraalJS is on the classpath. */
    public static boolean isAvailable() {
        try {
            Class.forName("org.graalvm.polyglot.Context", false, JavaScriptFunctions.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Whether the lambda loads and defines {@code lambda}; throws {@link IllegalArgumentException}
     * saying why not (GraalJS missing, a syntax error, no lambda).
     */
    public static void check(LambdaCode code) {
        if (!isAvailable()) {
            throw new IllegalArgumentException(MISSING);
        }
        JavaScriptLambdas.check(code);
    }

    /** The runs at once (bridge.javascript.threads; 0: as many as cores, at least 2). */
    public void setThreads(int threads) {
        this.threads = threads;
    }

    /** What one run may allocate (bridge.javascript.max-allocated-mb). */
    public void setMaxAllocatedMb(int maxAllocatedMb) {
        this.maxAllocatedMb = maxAllocatedMb;
    }

    /** The registry: when it changes, the lambdas no longer in force are not kept warm. */
    public void setRegistry(FunctionRegistry registry) {
        registry.onChange(this::retain);
    }

    /**
     * Keeps warm only the lambdas of these functions (the registry in force), and makes a warm
     * instance of each deployed one that has none.
     */
    public void retain(List<FunctionDefinition> functions) {
        List<FunctionDefinition> deployed = functions.stream().filter(f -> f.isJavaScript() && f.deployed()).toList();
        if (deployed.isEmpty() && lambdas == null) {
            return;
        }
        JavaScriptLambdas running = lambdas();
        running.retain(functions.stream().map(FunctionDefinition::lambda).filter(Objects::nonNull).toList());
        deployed.forEach(function -> running.warm(function.lambda()));
    }

    /** Runs the function's lambda once with that envelope: its result as JSON bytes, or a {@link LambdaFailureException}. */
    public CompletionStage<byte[]> call(FunctionDefinition function, byte[] envelope, long timeoutMs, String conversation) {
        return run(function, new String(envelope, StandardCharsets.UTF_8), timeoutMs).thenApply(outcome -> {
            log(function, outcome, conversation);
            if (!outcome.succeeded()) {
                throw new LambdaFailureException(function.id(), outcome.errorCode(), outcome.errorMessage(), outcome.timedOut());
            }
            return outcome.resultJson().getBytes(StandardCharsets.UTF_8);
        });
    }

    /** Runs it once, as a local invoke does: the outcome with its logs, none of them logged. */
    public CompletableFuture<LambdaOutcome> run(FunctionDefinition function, String envelopeJson, long timeoutMs) {
        return lambdas().invoke(function.lambda(), envelopeJson, timeoutMs);
    }

    private JavaScriptLambdas lambdas() {
        JavaScriptLambdas made = lambdas;
        if (made == null) {
            synchronized (this) {
                made = lambdas;
                if (made == null) {
                    if (!isAvailable()) {
                        throw new IllegalStateException(MISSING);
                    }
                    int count = threads > 0 ? threads : Math.max(2, Runtime.getRuntime().availableProcessors());
                    made = new JavaScriptLambdas(count, maxAllocatedMb * 1024L * 1024L);
                    lambdas = made;
                }
            }
        }
        return made;
    }

    private static void log(FunctionDefinition function, LambdaOutcome outcome, String conversation) {
        if (outcome.logs().isEmpty() && outcome.dropped() == 0) {
            return;
        }
        Logger logger = LoggerFactory.getLogger("io.functionsbridge.functions." + function.displayName());
        MDC.put("convId", conversation == null ? "-" : conversation);
        try {
            for (LambdaOutcome.LogLine line : outcome.logs()) {
                switch (line.level()) {
                    case "debug" -> logger.debug(line.message());
                    case "warn" -> logger.warn(line.message());
                    case "error" -> logger.error(line.message());
                    default -> logger.info(line.message());
                }
            }
            if (outcome.dropped() > 0) {
                logger.warn("{} more log entries dropped: a run keeps at most {} entries and {} characters", outcome.dropped(),
                        JavaScriptLambdas.MAX_LOG_ENTRIES, JavaScriptLambdas.MAX_LOG_CHARS);
            }
        } finally {
            MDC.remove("convId");
        }
    }

    /** Ends the runs and closes the warm instances. */
    public void stop() {
        JavaScriptLambdas running = lambdas;
        if (running != null) {
            running.close();
        }
    }
}
