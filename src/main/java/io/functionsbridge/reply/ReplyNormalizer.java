package io.functionsbridge.reply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.Command;
import io.functionsbridge.domain.DeadLetterReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ExchangeProperty;

/**
 * Turns a function's reply body into the commands to execute (CONTRACT §5, §6).
 *
 * <p>A reply is a JSON array of commands, a single command object, {@code []}, {@code null} or
 * empty. Only the first command of each type counts: if that one is invalid (unknown type, a
 * transfer with neither skillId nor agentId, a systemMessage without text) it is reported and none
 * of its type runs, while the valid commands of the other types still do.
 */
public final class ReplyNormalizer {

    private final ObjectMapper mapper = new ObjectMapper();

    /** Normalises the reply of a function that answered 2xx. */
    public NormalizedReply normalize(byte[] body) {
        if (body == null || isBlank(body)) {
            return NormalizedReply.empty();
        }
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            return NormalizedReply.unusable("the reply is not JSON: " + DeadLetterReason.shorten(e.getOriginalMessage()));
        } catch (IOException e) {
            return NormalizedReply.unusable("the reply could not be read: " + DeadLetterReason.shorten(e.getMessage()));
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return NormalizedReply.empty();
        }
        if (root.isObject()) {
            return normalizeCommands(List.of(root));
        }
        if (root.isArray()) {
            List<JsonNode> items = new ArrayList<>();
            root.forEach(items::add);
            return normalizeCommands(items);
        }
        return NormalizedReply.unusable("the reply is a JSON " + root.getNodeType().name().toLowerCase()
                + ", neither an array, an object nor null");
    }

    private NormalizedReply normalizeCommands(List<JsonNode> items) {
        Map<Command.Type, Command> firstOfType = new EnumMap<>(Command.Type.class);
        List<Command.Type> seen = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        boolean suppressed = false;
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String where = "command " + i;
            if (!item.isObject()) {
                problems.add(where + " is not an object");
                continue;
            }
            JsonNode typeNode = item.get("type");
            Command.Type type = typeNode != null && typeNode.isTextual() ? Command.Type.fromWireName(typeNode.asText()) : null;
            if (type == null) {
                problems.add(where + " has unknown type " + (typeNode == null ? "(none)" : DeadLetterReason.shorten(typeNode.toString())));
                continue;
            }
            if (seen.contains(type)) {
                ignored.add(where + " (" + type.wireName() + ")");
                continue;
            }
            seen.add(type);
            switch (type) {
                case SYSTEM_MESSAGE -> {
                    JsonNode text = item.get("text");
                    if (text != null && text.isArray() && text.isEmpty()) {
                        suppressed = true;
                    } else if (text != null && text.isTextual() && !text.asText().isEmpty()) {
                        firstOfType.put(type, Command.systemMessage(Command.Origin.FUNCTION, text.asText()));
                    } else {
                        problems.add(where + " is a systemMessage without text");
                    }
                }
                case TRANSFER -> {
                    String skillId = id(item.get("skillId"));
                    String agentId = id(item.get("agentId"));
                    if (skillId == null && agentId == null) {
                        problems.add(where + " is a transfer with neither skillId nor agentId");
                    } else {
                        firstOfType.put(type, Command.transfer(skillId, agentId));
                    }
                }
                case CLOSE_CONVERSATION -> firstOfType.put(type, Command.closeConversation());
            }
        }
        return new NormalizedReply(new ArrayList<>(firstOfType.values()), suppressed, problems, ignored);
    }

    /**
     * Reads the reply of the event's function into the event: the commands to execute (messaging)
     * or their count (chat, whose replies are read but not executed), and, for messaging, an
     * {@code INVALID_REPLY} dead letter naming what was wrong.
     */
    public void apply(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        if (!event.isReplied()) {
            return;
        }
        NormalizedReply reply = normalize(event.getReply());
        if (event.isChat()) {
            event.setChatReplyCommands(reply.size());
        } else {
            event.getCommands().addAll(reply.commands());
            event.setMessageSuppressed(reply.messageSuppressed());
        }
        if (reply.hasProblems() && !event.isChat()) {
            event.deadLetter(DeadLetterReason.INVALID_REPLY, "function " + event.getFunction().id() + ": "
                    + String.join("; ", reply.problems()));
        }
    }

    private static String id(JsonNode node) {
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        String text = node.asText();
        return text.isBlank() ? null : text;
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
