package io.functionsbridge.javascript;

import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.domain.LambdaCode;
import io.functionsbridge.domain.ReplyTooLargeException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The functions of {@code runtime: javascript} (docs/javascript.md): the platform's lambdas, run by
 * the bridge in a Node.js process of its own ({@link JavaScriptLambdas}), which starts when a
 * registry first has one. A host without Node.js runs everything else: a registry with a javascript
 * function is then accepted with one ERROR line naming what is missing, and that function's calls
 * fail (retried, then {@code FUNCTION_FAILED}) with the same words.
 *
 * <p>A call's console lines are logged by {@code io.functionsbridge.functions.<name>} at their level,
 * with the conversation in the MDC ({@code convId}); a failed run fails the call with
 * {@link LambdaFailureException}, which the redelivery policy retries as it retries an HTTP 5xx
 * (a timeout as an HTTP timeout).
 */
public final class JavaScriptFunctions {

    /** The platform's limit on one run of a lambda, its loading included. */
    public static final int MAX_LAMBDA_MS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(JavaScriptFunctions.class);

    private String node = "node";
    private int maxMemoryMb = 256;
    private int maxReplyBytes = 1_048_576;
    private long defaultTimeoutMs = 5_000;
    private volatile JavaScriptLambdas lambdas;
    private volatile String reportedMissing;

    /** The Node.js executable (bridge.javascript.node): a name looked up on the PATH, or a path. */
    public void setNode(String node) {
        this.node = node;
    }

    /** What one lambda instance may hold (bridge.javascript.max-memory-mb). */
    public void setMaxMemoryMb(int maxMemoryMb) {
        this.maxMemoryMb = maxMemoryMb;
    }

    /** The longest HTTP answer a lambda reads, and the longest result it returns (bridge.invoke.max-reply-bytes). */
    public void setMaxReplyBytes(int maxReplyBytes) {
        this.maxReplyBytes = maxReplyBytes;
    }

    /** A lambda's timeout when its function sets none (bridge.invoke.timeout-ms): its top level's too. */
    public void setDefaultTimeoutMs(long defaultTimeoutMs) {
        this.defaultTimeoutMs = defaultTimeoutMs;
    }

    /**
     * Loads the lambdas of these functions that have no warm instance yet, as a run loads them (their
     * top level within the function's timeout and the memory cap): the functions whose lambda does
     * not load, by id, with why. Without Node.js, none is refused: one ERROR line says what is
     * missing, once.
     */
    public Map<String, String> prepare(List<FunctionDefinition> functions) {
        List<FunctionDefinition> javascript = functions.stream().filter(FunctionDefinition::isJavaScript).toList();
        Map<String, String> refused = new LinkedHashMap<>();
        if (javascript.isEmpty()) {
            return refused;
        }
        JavaScriptLambdas running = lambdas();
        String missing = running.unavailable();
        if (missing != null) {
            if (!missing.equals(reportedMissing)) {
                reportedMissing = missing;
                LOG.error("{}: the javascript functions fail their events until it is there; everything else runs", missing);
            }
            return refused;
        }
        Map<FunctionDefinition, CompletableFuture<String>> loading = new LinkedHashMap<>();
        javascript.forEach(function -> loading.put(function, running.load(function.lambda(), timeoutMs(function))));
        loading.forEach((function, loaded) -> {
            try {
                String failure = loaded.get(timeoutMs(function) + 5_000, TimeUnit.MILLISECONDS);
                if (failure != null) {
                    refused.put(function.id(), failure);
                }
            } catch (TimeoutException e) {
                refused.put(function.id(), "source " + function.lambda().folder().resolve("index.js") + " did not load within "
                        + timeoutMs(function) + " ms");
            } catch (ExecutionException e) {
                refused.put(function.id(), String.valueOf(e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                refused.put(function.id(), "interrupted");
            }
        });
        return refused;
    }

    /**
     * The functions in force now: the deployed ones' lambdas keep their warm instances, the others'
     * end once their runs in progress have.
     */
    public void inForce(List<FunctionDefinition> functions) {
        List<LambdaCode> deployed = functions.stream().filter(f -> f.isJavaScript() && f.deployed()).map(FunctionDefinition::lambda).toList();
        JavaScriptLambdas running = lambdas;
        if (running != null || !deployed.isEmpty()) {
            lambdas().retain(deployed);
        }
    }

    /** A function's timeout for one run, and for loading its lambda: its own, else the bridge's, at most 30 s. */
    private long timeoutMs(FunctionDefinition function) {
        return Math.min(MAX_LAMBDA_MS, function.timeoutMs() != null ? function.timeoutMs() : defaultTimeoutMs);
    }

    /**
     * Runs the function's lambda once with that envelope: its result as JSON bytes, or a
     * {@link LambdaFailureException} (a result longer than bridge.invoke.max-reply-bytes:
     * {@link ReplyTooLargeException}).
     */
    public CompletionStage<byte[]> call(FunctionDefinition function, byte[] envelope, long timeoutMs, String conversation) {
        return run(function, envelope, timeoutMs).thenApply(outcome -> {
            log(function, outcome, conversation);
            if (outcome.tooLarge()) {
                throw new ReplyTooLargeException(maxReplyBytes);
            }
            if (!outcome.succeeded()) {
                throw new LambdaFailureException(function.id(), outcome.errorCode(), outcome.errorMessage(), outcome.timedOut());
            }
            return outcome.resultJson().getBytes(StandardCharsets.UTF_8);
        });
    }

    /** Runs it once, as a local invoke does: the outcome with its logs, none of them logged. */
    public CompletableFuture<LambdaOutcome> run(FunctionDefinition function, byte[] envelope, long timeoutMs) {
        return lambdas().invoke(function.lambda(), envelope, Math.min(MAX_LAMBDA_MS, timeoutMs));
    }

    private JavaScriptLambdas lambdas() {
        JavaScriptLambdas made = lambdas;
        if (made == null) {
            synchronized (this) {
                made = lambdas;
                if (made == null) {
                    made = new JavaScriptLambdas(node, maxMemoryMb, maxReplyBytes);
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

    /** How many lambda instances are warm now (one per deployed lambda version that has loaded or run). */
    public int warmInstances() {
        JavaScriptLambdas running = lambdas;
        return running == null ? 0 : running.warmInstances();
    }

    /** The Node.js process's id (-1 when none runs): for whoever measures what the lambdas take. */
    public long processId() {
        JavaScriptLambdas running = lambdas;
        return running == null ? -1 : running.processId();
    }

    /** Ends the runs, and the Node.js process with them. */
    public void stop() {
        JavaScriptLambdas running = lambdas;
        if (running != null) {
            running.close();
        }
    }
}
