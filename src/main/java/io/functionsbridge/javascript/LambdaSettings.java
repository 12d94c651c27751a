package io.functionsbridge.javascript;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The functions' {@code settings.json}, as the platform's CLI writes it: the secrets the lambdas read
 * and update ({@code Toolbelt.SecretClient()}), and the hosts their HTTP requests may go to
 * ({@code whitelist}: a host, or {@code *.example.com} for its subdomains). A secret updated by a
 * lambda is written back to the file.
 */
public final class LambdaSettings {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<String, String> secrets;
    private final List<String> whitelist;

    private LambdaSettings(Path file, Map<String, String> secrets, List<String> whitelist) {
        this.file = file;
        this.secrets = secrets;
        this.whitelist = List.copyOf(whitelist);
    }

    /** No secrets, no host. */
    public static LambdaSettings none() {
        return new LambdaSettings(null, new LinkedHashMap<>(), List.of());
    }

    /**
     * Reads the file; a file that is not there gives no secrets and no host. Throws
     * {@link IllegalArgumentException} when it is not JSON.
     */
    public static LambdaSettings read(Path file) {
        if (!Files.isRegularFile(file)) {
            return new LambdaSettings(file, new LinkedHashMap<>(), List.of());
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("settings " + file + " is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        Map<String, String> secrets = new LinkedHashMap<>();
        for (JsonNode secret : root.path("secrets")) {
            String key = secret.path("key").asText("");
            if (!key.isBlank()) {
                secrets.put(key, secret.path("value").isTextual() ? secret.path("value").asText() : secret.path("value").toString());
            }
        }
        List<String> whitelist = new ArrayList<>();
        root.path("whitelist").forEach(host -> {
            if (!host.asText("").isBlank()) {
                whitelist.add(host.asText().strip().toLowerCase(Locale.ROOT));
            }
        });
        return new LambdaSettings(file, secrets, whitelist);
    }

    /** Whether HTTP requests may go to that host: listed, or a subdomain of a {@code *.} entry. */
    public boolean allows(String host) {
        if (host == null) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        for (String allowed : whitelist) {
            if (allowed.equals(name) || allowed.startsWith("*.") && name.endsWith(allowed.substring(1))) {
                return true;
            }
        }
        return false;
    }

    /** The secret's value, if there is one. */
    public synchronized Optional<String> secret(String key) {
        return Optional.ofNullable(secrets.get(key));
    }

    /** Sets the secret, and writes the secrets back to the file (when there is one). */
    public synchronized void updateSecret(String key, String value) {
        secrets.put(key, value);
        if (file == null) {
            return;
        }
        try {
            ObjectNode root = Files.isRegularFile(file) ? (ObjectNode) JSON.readTree(file.toFile()) : JSON.createObjectNode();
            ArrayNode list = root.putArray("secrets");
            secrets.forEach((k, v) -> list.addObject().put("key", k).put("value", v));
            if (!root.has("whitelist")) {
                root.putArray("whitelist");
            }
            Path written = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(written.toFile(), root);
            Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("settings " + file + " could not be written", e);
        }
    }

    @Override
    public String toString() {
        // never the secrets' values
        return "LambdaSettings[" + file + ", secrets " + secrets.keySet() + ", whitelist " + whitelist + "]";
    }
}
