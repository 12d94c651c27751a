package io.functionsbridge.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.functionsbridge.domain.LambdaCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a javascript function's {@code source} folder as the platform's CLI makes it: {@code index.js}
 * (at most 100,000 characters) and {@code config.json} ({@code environmentVariables} as the CLI's list
 * of {@code {key, value}} or a map, and the {@code input} of a local invoke).
 */
public final class LambdaFolder {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MODULE = Pattern.compile("^\\s*(import\\s*[{*\\w'\"]|export\\s)", Pattern.MULTILINE);

    private LambdaFolder() {
    }

    /**
     * The lambda in that folder, with that whitelist and settings file; throws
     * {@link IllegalArgumentException} saying what is wrong with it (no index.js, a source over
     * 100,000 characters, a config.json that is not JSON).
     */
    public static LambdaCode read(Path folder, List<String> whitelist, Path settingsFile) {
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
        if (source.length() > LambdaCode.MAX_SOURCE_CHARS) {
            throw new IllegalArgumentException("source " + index + " has " + source.length() + " characters, more than the "
                    + LambdaCode.MAX_SOURCE_CHARS + " a lambda may have");
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
        return new LambdaCode(name == null ? "lambda" : name.toString(), folder, source, MODULE.matcher(source).find(), env, input,
                whitelist, settingsFile);
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
}
