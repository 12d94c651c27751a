package io.functionsbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.functionsbridge.domain.EventSamples;
import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.domain.RegistryException;
import io.functionsbridge.javascript.JavaScriptFunctions;
import io.functionsbridge.javascript.LambdaOutcome;
import io.functionsbridge.registry.FunctionRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/functions-bridge.jar invoke <id or name> [--payload FILE]}, the platform
 * CLI's {@code lpf invoke --local}: runs one function of the registry once, with the envelope of
 * FILE (a whole envelope, or a payload alone), else its config.json's {@code input}, else the sample
 * payload of its event; prints {@code {"result", "logs"}} (exit 0) or
 * {@code {"errorCode", "errorMsg", "logs"}} (exit 1). A function that is not in the registry, a
 * registry refused (a lambda that does not load included) or a wrong option: exit 2. No Kafka is
 * involved. A lambda runs as the bridge runs it: in a Node.js process, within its timeout and
 * bridge.javascript.max-memory-mb.
 */
public final class LocalInvoke {

    /** The exit statuses. */
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int REFUSED = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalInvoke() {
    }

    /** Runs the subcommand with its arguments (after {@code invoke}); returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String wanted = null;
        Path payloadFile = null;
        for (int i = 0; i < args.length; i++) {
            if ("--payload".equals(args[i]) && i + 1 < args.length) {
                payloadFile = Path.of(args[++i]);
            } else if (args[i].startsWith("--") || wanted != null) {
                err.println("functions-bridge invoke: unknown option '" + args[i] + "' (invoke <id or name> [--payload FILE])");
                return REFUSED;
            } else {
                wanted = args[i];
            }
        }
        if (wanted == null) {
            err.println("functions-bridge invoke: which function? (invoke <id or name> [--payload FILE])");
            return REFUSED;
        }
        Properties settings = settings();
        FunctionDefinition function;
        try {
            String name = wanted;
            List<FunctionDefinition> functions = FunctionRegistry.read(FunctionRegistry.files(setting(settings, "bridge.functions.file", "functions.yaml")),
                    Path.of(setting(settings, "bridge.functions.settings-file", FunctionRegistry.DEFAULT_SETTINGS_FILE))).functions();
            Optional<FunctionDefinition> found = functions.stream().filter(f -> f.id().equals(name)).findFirst()
                    .or(() -> functions.stream().filter(f -> name.equals(f.name())).findFirst());
            if (found.isEmpty()) {
                err.println("functions-bridge invoke: no function '" + wanted + "' in the registry");
                return REFUSED;
            }
            function = found.get();
        } catch (RegistryException refused) {
            err.println("functions-bridge invoke: " + refused.getMessage());
            return REFUSED;
        }
        ObjectNode envelope;
        try {
            envelope = envelope(function, payloadFile);
        } catch (IOException | IllegalArgumentException e) {
            err.println("functions-bridge invoke: the payload " + payloadFile + " cannot be read: " + e.getMessage());
            return REFUSED;
        }
        long timeoutMs = function.timeoutMs() != null ? function.timeoutMs() : Long.parseLong(setting(settings, "bridge.invoke.timeout-ms", "5000"));
        if (!function.isJavaScript()) {
            ObjectNode printed = callUrl(function, envelope, timeoutMs);
            out.println(printed.toPrettyString());
            return printed.has("errorCode") ? FAILED : OK;
        }
        JavaScriptFunctions lambdas = new JavaScriptFunctions();
        lambdas.setNode(setting(settings, "bridge.javascript.node", "node"));
        lambdas.setMaxMemoryMb(Integer.parseInt(setting(settings, "bridge.javascript.max-memory-mb", "256")));
        lambdas.setMaxReplyBytes(Integer.parseInt(setting(settings, "bridge.invoke.max-reply-bytes", "1048576")));
        lambdas.setDefaultTimeoutMs(timeoutMs);
        try {
            Map<String, String> refused = lambdas.prepare(List.of(function));
            if (!refused.isEmpty()) {
                err.println("functions-bridge invoke: function " + function.id() + ": " + refused.get(function.id()));
                return REFUSED;
            }
            ObjectNode printed = runLambda(lambdas, function, envelope, timeoutMs);
            out.println(printed.toPrettyString());
            return printed.has("errorCode") ? FAILED : OK;
        } finally {
            lambdas.stop();
        }
    }

    private static ObjectNode runLambda(JavaScriptFunctions lambdas, FunctionDefinition function, ObjectNode envelope, long timeoutMs) {
        ObjectNode printed = JSON.createObjectNode();
        try {
            LambdaOutcome outcome = lambdas.run(function, envelope.toString().getBytes(StandardCharsets.UTF_8), timeoutMs)
                    .get(60, TimeUnit.SECONDS);
            if (outcome.succeeded()) {
                printed.set("result", JSON.readTree(outcome.resultJson()));
            } else if (outcome.tooLarge()) {
                printed.put("errorCode", "INVALID_REPLY").put("errorMsg", "the result is longer than bridge.invoke.max-reply-bytes");
            } else {
                printed.put("errorCode", outcome.errorCode()).put("errorMsg", outcome.errorMessage());
            }
            ArrayNode logs = printed.putArray("logs");
            outcome.logs().forEach(line -> logs.addObject().put("level", line.level()).put("message", line.message()));
            if (outcome.dropped() > 0) {
                logs.addObject().put("level", "warn").put("message", outcome.dropped() + " more log entries dropped");
            }
        } catch (Exception e) {
            printed.put("errorCode", "com.liveperson.faas.handler.runtime-exception").put("errorMsg", String.valueOf(e.getMessage()))
                    .putArray("logs");
        }
        return printed;
    }

    private static ObjectNode callUrl(FunctionDefinition function, ObjectNode envelope, long timeoutMs) {
        ObjectNode printed = JSON.createObjectNode();
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(function.url())).timeout(Duration.ofMillis(timeoutMs))
                    .header("Content-Type", "application/json").header("X-Request-ID", UUID.randomUUID().toString())
                    .POST(HttpRequest.BodyPublishers.ofString(envelope.toString()));
            if (function.authorization() != null) {
                request.header("Authorization", function.authorization());
            }
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                printed.put("errorCode", "FUNCTION_FAILED").put("errorMsg", "the function answered HTTP " + response.statusCode());
            } else {
                printed.set("result", response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body()));
            }
        } catch (IOException e) {
            printed.put("errorCode", "FUNCTION_FAILED").put("errorMsg", "the call failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            printed.put("errorCode", "FUNCTION_FAILED").put("errorMsg", "interrupted");
        }
        printed.putArray("logs");
        return printed;
    }

    /** FILE's envelope (a payload alone is wrapped), else the config.json input, else the event's sample. */
    private static ObjectNode envelope(FunctionDefinition function, Path payloadFile) throws IOException {
        JsonNode given = null;
        if (payloadFile != null) {
            given = JSON.readTree(Files.readString(payloadFile));
            if (given == null || !given.isObject()) {
                throw new IllegalArgumentException("it is not a JSON object");
            }
        } else if (function.isJavaScript() && function.lambda().input() != null) {
            given = function.lambda().input();
        }
        ObjectNode envelope = JSON.createObjectNode().put("timestamp", System.currentTimeMillis());
        if (given != null && given.has("payload")) {
            envelope.set("headers", given.has("headers") ? given.get("headers") : JSON.createArrayNode());
            envelope.set("payload", given.get("payload"));
        } else {
            envelope.putArray("headers");
            envelope.set("payload", given != null ? given : EventSamples.payload(function.event()).orElse(JSON.createObjectNode()));
        }
        return envelope;
    }

    /** application.properties of the working folder, under the java command line's -D settings. */
    private static Properties settings() {
        Properties properties = new Properties();
        Path file = Path.of("application.properties");
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                // the defaults then
            }
        }
        return properties;
    }

    private static String setting(Properties properties, String key, String fallback) {
        String value = System.getProperty(key, properties.getProperty(key, fallback)).strip();
        return value.isEmpty() || value.contains("{{") ? fallback : value;
    }
}
