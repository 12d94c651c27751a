package io.functionsbridge.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.functionsbridge.domain.AutoMessage;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.Command;
import io.functionsbridge.domain.Outcome;
import io.functionsbridge.domain.RegistryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.ExchangeProperty;

/**
 * The account's automatic messages by {@code cbotEventType} (docs/contract.md), and the rule that
 * sends one when the function sets no message (§6).
 */
public final class AutoMessages {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private String file = "auto-messages.yaml";
    private volatile Map<String, AutoMessage> messages;

    /** No automatic messages, until they are {@link #load loaded} from the {@link #setFile file}. */
    public AutoMessages() {
        this(Map.of());
    }

    public AutoMessages(Map<String, AutoMessage> messages) {
        this.messages = Map.copyOf(messages);
    }

    /** The automatic-messages file (bridge.auto-messages.file), relative to the working folder or absolute. */
    public void setFile(String file) {
        this.file = file;
    }

    public String getFile() {
        return file;
    }

    /**
     * Loads and validates the file, and puts it in force as a whole; throws
     * {@link RegistryException} naming the problems, and then the messages in force stay. At start,
     * the refusal is logged as the line that says why the bridge did not start.
     */
    public void load() {
        try {
            messages = read(file).messages;
        } catch (RegistryException refused) {
            throw RefusalLine.logged(refused);
        }
    }

    /** Reads and validates an automatic-messages file; throws {@link RegistryException} naming the problems. */
    public static AutoMessages read(String file) {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new RegistryException("automatic messages file " + path.toAbsolutePath() + " not found (bridge.auto-messages.file)");
        }
        JsonNode root;
        try {
            root = YAML.readTree(path.toFile());
        } catch (IOException e) {
            throw new RegistryException("automatic messages file " + file + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        JsonNode entries = root == null ? null : root.get("autoMessages");
        Map<String, AutoMessage> messages = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (entries != null && !entries.isNull()) {
            if (!entries.isObject()) {
                throw new RegistryException("automatic messages file " + file + ": 'autoMessages' must be a mapping by cbotEventType");
            }
            entries.fields().forEachRemaining(entry -> {
                JsonNode value = entry.getValue();
                JsonNode enabled = value.get("enabled");
                JsonNode text = value.get("text");
                if (!value.isObject() || (enabled != null && !enabled.isBoolean()) || text == null || !text.isTextual()) {
                    problems.add(entry.getKey() + " needs 'text' (a string) and optionally 'enabled' (true | false)");
                } else {
                    messages.put(entry.getKey(), new AutoMessage(enabled == null || enabled.asBoolean(), text.asText()));
                }
            });
        }
        if (!problems.isEmpty()) {
            throw new RegistryException("automatic messages file " + file + " refused: " + String.join("; ", problems));
        }
        return new AutoMessages(messages);
    }

    public Optional<AutoMessage> find(String cbotEventType) {
        return Optional.ofNullable(messages.get(cbotEventType));
    }

    /**
     * Adds the event's automatic message (the one in force when it was enriched), first, when the
     * function set no systemMessage and did not suppress it with {@code text: []}, and the message
     * is enabled, and the record does not say it was written before (a redriven dead letter).
     */
    public void add(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        AutoMessage message = event.invocation().getAutoMessage();
        Outcome outcome = event.outcome();
        if (message != null && message.sends() && !event.record().isAutoMessageWrittenBefore() && !outcome.isMessageSuppressed()
                && !outcome.hasSystemMessage()) {
            outcome.getCommands().add(0, Command.systemMessage(Command.Origin.AUTO_MESSAGE, message.text()));
        }
    }
}
