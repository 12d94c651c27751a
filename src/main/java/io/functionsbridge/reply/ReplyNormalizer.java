package io.functionsbridge.reply;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.Command;
import io.functionsbridge.domain.DeadLetterReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.camel.ExchangeProperty;

/**
 * Turns a function's reply body into the commands to execute (docs/contract.md).
 *
 * <p>A reply is a JSON array of commands, a single command object, {@code []}, {@code null} or
 * empty. Only the first command of each type counts: if that one is invalid (unknown type, a
 * transfer with neither skillId nor agentId, a systemMessage without text) it is reported and none
 * of its type runs, while the valid commands of the other types still do.
 */
public final class ReplyNormalizer {

    private final ObjectMapper mapper = new ObjectMapper();

    /** Normalises the reply of a function that answered 2xx (read in one streaming pass). */
    public NormalizedReply normalize(byte[] body) {
        if (body == null || isBlank(body)) {
            return NormalizedReply.empty();
        }
        try (JsonParser parser = mapper.createParser(body)) {
            JsonToken root = parser.nextToken();
            if (root == null || root == JsonToken.VALUE_NULL) {
                return NormalizedReply.empty();
            }
            if (root == JsonToken.START_OBJECT || root == JsonToken.START_ARRAY) {
                return normalizeCommands(parser, root == JsonToken.START_ARRAY);
            }
            return NormalizedReply.unusable("the reply is a JSON " + kind(root) + ", neither an array, an object nor null");
        } catch (JsonProcessingException e) {
            return NormalizedReply.unusable("the reply is not JSON: " + DeadLetterReason.shorten(e.getOriginalMessage()));
        } catch (IOException e) {
            return NormalizedReply.unusable("the reply could not be read: " + DeadLetterReason.shorten(e.getMessage()));
        }
    }

    /**
     * Normalises the reply of a transcript function (docs/contract.md, §12): an array of
     * {@code {targetEmail, senderName, senderEmail, subject}} (or one such object), each valid entry
     * a sendTranscript command; an entry without a {@code targetEmail} that looks like an e-mail
     * address is a problem, and the other entries still count.
     */
    public NormalizedReply normalizeTranscripts(byte[] body) {
        JsonNode root;
        try {
            root = body == null || isBlank(body) ? null : mapper.readTree(body);
        } catch (IOException e) {
            return NormalizedReply.unusable("the reply is not JSON: " + DeadLetterReason.shorten(e.getMessage()));
        }
        if (root == null || root.isNull()) {
            return NormalizedReply.empty();
        }
        if (!root.isArray() && !root.isObject()) {
            return NormalizedReply.unusable("the reply is a JSON " + root.getNodeType().name().toLowerCase() + ", neither an array, an object nor null");
        }
        List<Command> commands = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int i = 0;
        for (JsonNode entry : root.isArray() ? root : List.of(root)) {
            String targetEmail = entry.path("targetEmail").isTextual() ? entry.get("targetEmail").asText().strip() : null;
            if (targetEmail == null || !EMAIL.matcher(targetEmail).matches()) {
                problems.add("entry " + i + " has no targetEmail that is an e-mail address");
            } else {
                commands.add(Command.sendTranscript(new Command.Transcript(i, targetEmail, textOf(entry, "senderName"),
                        textOf(entry, "senderEmail"), textOf(entry, "subject"))));
            }
            i++;
        }
        return new NormalizedReply(commands, false, problems, List.of());
    }

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private static String textOf(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }

    /** A command as the reply has it: each field's text when it is a string, else its JSON tree, or absent. */
    private static final class Item {
        Object type;
        Object text;
        Object skillId;
        Object agentId;
    }

    /** Reads the commands: the array's items, or the single object the parser is at. */
    private NormalizedReply normalizeCommands(JsonParser parser, boolean array) throws IOException {
        Map<Command.Type, Command> firstOfType = new EnumMap<>(Command.Type.class);
        EnumSet<Command.Type> seen = EnumSet.noneOf(Command.Type.class);
        List<String> problems = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        boolean suppressed = false;
        int i = 0;
        for (JsonToken token = array ? parser.nextToken() : JsonToken.START_OBJECT; token != null && token != JsonToken.END_ARRAY;
                token = array ? parser.nextToken() : null, i++) {
            String where = "command " + i;
            if (token != JsonToken.START_OBJECT) {
                parser.skipChildren();
                problems.add(where + " is not an object");
                continue;
            }
            Item item = readItem(parser);
            Command.Type type = item.type instanceof String text ? Command.Type.fromWireName(text) : null;
            if (type == null || type == Command.Type.SEND_TRANSCRIPT) {
                problems.add(where + " has unknown type " + (item.type == null ? "(none)" : DeadLetterReason.shorten(json(item.type))));
                continue;
            }
            if (!seen.add(type)) {
                ignored.add(where + " (" + type.wireName() + ")");
                continue;
            }
            switch (type) {
                case SYSTEM_MESSAGE -> {
                    if (item.text instanceof JsonNode text && text.isArray() && text.isEmpty()) {
                        suppressed = true;
                    } else if (item.text instanceof String text && !text.isEmpty()) {
                        firstOfType.put(type, Command.systemMessage(Command.Origin.FUNCTION, text));
                    } else {
                        problems.add(where + " is a systemMessage without text");
                    }
                }
                case TRANSFER -> {
                    String skillId = id(item.skillId);
                    String agentId = id(item.agentId);
                    if (skillId == null && agentId == null) {
                        problems.add(where + " is a transfer with neither skillId nor agentId");
                    } else {
                        firstOfType.put(type, Command.transfer(skillId, agentId));
                    }
                }
                case CLOSE_CONVERSATION -> firstOfType.put(type, Command.closeConversation());
                default -> throw new IllegalStateException("not a messaging command: " + type);
            }
        }
        return new NormalizedReply(new ArrayList<>(firstOfType.values()), suppressed, problems, ignored);
    }

    /** Reads the fields of the command object the parser is at (a later duplicate wins, as in a JSON tree). */
    private static Item readItem(JsonParser parser) throws IOException {
        Item item = new Item();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken token = parser.nextToken();
            switch (field) {
                case "type" -> item.type = value(parser, token);
                case "text" -> item.text = value(parser, token);
                case "skillId" -> item.skillId = value(parser, token);
                case "agentId" -> item.agentId = value(parser, token);
                default -> parser.skipChildren();
            }
        }
        return item;
    }

    /** A string's text, or any other value as a tree (they are rare: only to be described or tested). */
    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        return token == JsonToken.VALUE_STRING ? parser.getText() : parser.readValueAsTree();
    }

    private String json(Object value) {
        return value instanceof String text ? TextNode.valueOf(text).toString() : value.toString();
    }

    private static String kind(JsonToken token) {
        return switch (token) {
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            default -> token.name().toLowerCase();
        };
    }

    /**
     * Reads a messaging function's reply into the event's commands; what was wrong with it is an
     * {@code INVALID_REPLY} dead letter naming it (its valid commands still run).
     */
    public void commands(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        if (!event.invocation().isReplied()) {
            return;
        }
        NormalizedReply reply = normalize(event.invocation().getReply());
        event.outcome().getCommands().addAll(reply.commands());
        event.outcome().setMessageSuppressed(reply.messageSuppressed());
        reportProblems(event, reply);
    }

    /** Reads a transcript function's reply into sendTranscript commands, one per valid entry; the others are an {@code INVALID_REPLY}. */
    public void transcripts(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        if (!event.invocation().isReplied()) {
            return;
        }
        NormalizedReply reply = normalizeTranscripts(event.invocation().getReply());
        event.outcome().getCommands().addAll(reply.commands());
        reportProblems(event, reply);
    }

    /** Reads and counts the reply of a source that takes no commands (chat, surveys): nothing is executed, nothing is a dead letter. */
    public void readOnly(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        if (event.invocation().isReplied()) {
            event.outcome().readOnly(normalize(event.invocation().getReply()).size());
        }
    }

    private static void reportProblems(BridgeEvent event, NormalizedReply reply) {
        if (reply.hasProblems()) {
            event.outcome().deadLetter(DeadLetterReason.INVALID_REPLY, "function " + event.invocation().getFunction().id() + ": "
                    + String.join("; ", reply.problems()));
        }
    }

    private static String id(Object value) {
        String text = value instanceof String string ? string
                : value instanceof JsonNode node && !node.isNull() && !node.isContainerNode() ? node.asText() : null;
        return text == null || text.isBlank() ? null : text;
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
