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
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The functions' {@code settings.json}, as the platform's CLI writes it: the secrets the lambdas read
 * and update ({@code Toolbelt.SecretClient()}), and the hosts their HTTP requests may go to
 * ({@code whitelist}: a host, or {@code *.example.com} for its subdomains).
 *
 * <p>One object per file in the JVM ({@link #of}), which owns its reads and writes: a secret is read
 * from the file as it is now (an operator's edit counts at once), and an update is written back
 * through a file of its own beside it, with the file's permissions, then moved over it; updates of
 * one file are made one at a time, so two at once both land.
 */
public final class LambdaSettings {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Path, LambdaSettings> FILES = new ConcurrentHashMap<>();

    private final Path file;
    private Map<String, String> secrets = Map.of();
    private FileTime readAt;
    private long readSize = -1;

    private LambdaSettings(Path file) {
        this.file = file;
    }

    /** The settings of that file. */
    public static LambdaSettings of(Path file) {
        return FILES.computeIfAbsent(file.toAbsolutePath().normalize(), LambdaSettings::new);
    }

    /**
     * The file's whitelist, lower-cased (none when there is no file); throws
     * {@link IllegalArgumentException} when it is not JSON.
     */
    public static List<String> whitelist(Path file) {
        List<String> whitelist = new ArrayList<>();
        read(file).path("whitelist").forEach(host -> {
            if (!host.asText("").isBlank()) {
                whitelist.add(host.asText().strip().toLowerCase(Locale.ROOT));
            }
        });
        return whitelist;
    }

    private static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            return root == null ? JSON.createObjectNode() : root;
        } catch (IOException e) {
            throw new IllegalArgumentException("settings " + file + " is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** The secret's value, if there is one, as the file has it now. */
    public synchronized Optional<String> secret(String key) {
        refresh();
        return Optional.ofNullable(secrets.get(key));
    }

    /** Sets the secret in the file, keeping its other contents and its permissions. */
    public synchronized void updateSecret(String key, String value) {
        try {
            JsonNode read = read(file);
            ObjectNode root = read.isObject() ? (ObjectNode) read : JSON.createObjectNode();
            Map<String, String> updated = secretsOf(root);
            updated.put(key, value);
            ArrayNode list = root.putArray("secrets");
            updated.forEach((k, v) -> list.addObject().put("key", k).put("value", v));
            if (!root.has("whitelist")) {
                root.putArray("whitelist");
            }
            Path folder = file.toAbsolutePath().getParent();
            Files.createDirectories(folder);
            Path written = Files.createTempFile(folder, "." + file.getFileName(), ".tmp");
            try {
                keepPermissions(written);
                JSON.writerWithDefaultPrettyPrinter().writeValue(written.toFile(), root);
                Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(written);
            }
            secrets = updated;
            readAt = Files.getLastModifiedTime(file);
            readSize = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("settings " + file + " could not be written: " + e.getMessage(), e);
        }
    }

    /** The new file gets the permissions of the one it replaces (a 0600 secrets file stays 0600). */
    private void keepPermissions(Path written) throws IOException {
        PosixFileAttributeView existing = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        PosixFileAttributeView made = Files.getFileAttributeView(written, PosixFileAttributeView.class);
        if (existing == null || made == null || !Files.exists(file)) {
            return;
        }
        Set<PosixFilePermission> permissions = existing.readAttributes().permissions();
        made.setPermissions(permissions);
    }

    private void refresh() {
        try {
            FileTime modified = Files.isRegularFile(file) ? Files.getLastModifiedTime(file) : null;
            long size = modified == null ? -1 : Files.size(file);
            if (modified != null && modified.equals(readAt) && size == readSize) {
                return;
            }
            secrets = modified == null ? Map.of() : secretsOf(read(file));
            readAt = modified;
            readSize = size;
        } catch (IOException e) {
            throw new UncheckedIOException("settings " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> secretsOf(JsonNode root) {
        Map<String, String> secrets = new LinkedHashMap<>();
        for (JsonNode secret : root.path("secrets")) {
            String key = secret.path("key").asText("");
            if (!key.isBlank()) {
                secrets.put(key, secret.path("value").isTextual() ? secret.path("value").asText() : secret.path("value").toString());
            }
        }
        return secrets;
    }

    @Override
    public String toString() {
        // never the secrets' values
        return "LambdaSettings[" + file + "]";
    }
}
