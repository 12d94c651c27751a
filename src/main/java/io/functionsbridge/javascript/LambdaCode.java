package io.functionsbridge.javascript;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A JavaScript lambda as the platform's CLI lays it out ({@code lpf init}): its folder's
 * {@code index.js} and {@code config.json} ({@code environmentVariables}, and the {@code input} a
 * local invoke runs), with the secrets and the HTTP whitelist of the functions' {@code settings.json}.
 * Read once, when the registry is loaded: an event keeps the version it started with.
 *
 * @param name      the folder's name, for the logger {@code io.functionsbridge.functions.<name>}
 * @param folder    where it was read from
 * @param source    {@code index.js}
 * @param module    whether it is an ES module (V2: {@code import}/{@code export}), else a script (V1)
 * @param env       {@code process.env}
 * @param input     the invocation {@code config.json} gives for a local invoke, or {@code null}
 * @param settings  the secrets and whitelist it runs with
 */
public record LambdaCode(String name, Path folder, String source, boolean module, Map<String, String> env, JsonNode input,
                         LambdaSettings settings) {

    /** The platform's limit on a lambda's source. */
    public static final int MAX_SOURCE_CHARS = 100_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MODULE = Pattern.compile("^\\s*(import\\s*[{*\\w'\"]|export\\s)", Pattern.MULTILINE);

    /**
     * Reads the lambda in that folder; throws {@link IllegalArgumentException} saying what is wrong
     * with it (no index.js, a source over 100,000 characters, a config.json that is not JSON).
     */
    public static LambdaCode read(Path folder, LambdaSettings settings) {
        Path index = folder.resolve("index.js");
        if (!Files.isRegularFile(index)) {
            throw new IllegalArgumentException("source " + folder + " has no index.js");
        }
        String source;
        try {
            source = Files.readString(index, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("source " + index + " cannot be read: " + e.getMessage());
        }
        if (source.length() > MAX_SOURCE_CHARS) {
            throw new IllegalArgumentException("source " + index + " has " + source.length() + " characters, more than the "
                    + MAX_SOURCE_CHARS + " a lambda may have");
        }
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode input = null;
        Path config = folder.resolve("config.json");
        if (Files.isRegularFile(config)) {
            JsonNode root;
            try {
                root = JSON.readTree(config.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException("config " + config + " is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
            readEnvironment(root.path("environmentVariables"), env);
            input = root.has("input") && root.get("input").isObject() ? root.get("input") : null;
        }
        Path name = folder.toAbsolutePath().normalize().getFileName();
        return new LambdaCode(name == null ? "lambda" : name.toString(), folder, source, MODULE.matcher(source).find(), Map.copyOf(env),
                input, settings);
    }

    /** {@code [{"key", "value"}]} as the CLI writes it, or a map; entries without a key are left out. */
    private static void readEnvironment(JsonNode variables, Map<String, String> env) {
        if (variables.isArray()) {
            for (JsonNode variable : variables) {
                String key = variable.path("key").asText("");
                if (!key.isBlank()) {
                    env.put(key, variable.path("value").asText(""));
                }
            }
        } else if (variables.isObject()) {
            variables.fields().forEachRemaining(entry -> env.put(entry.getKey(), entry.getValue().asText("")));
        }
    }

    /** One reading of a folder is one version: equal only to itself (the warm instances are kept per version). */
    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "LambdaCode[" + folder + (module ? ", module" : ", script") + "]";
    }
}
