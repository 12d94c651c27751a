package io.functionsbridge.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** The readers as {@code routes/beans.camel.yaml} sets them up, for the unit tests: the shipped settings, not copies. */
public final class ShippedReaders {

    private ShippedReaders() {
    }

    /** The reader bean of that name ({@code conversationEvents}, {@code chatEvents}...), with its shipped properties. */
    public static EventReader named(String name) {
        JsonNode beans;
        try {
            beans = new ObjectMapper(new YAMLFactory()).readTree(Path.of("routes/beans.camel.yaml").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (JsonNode bean : beans.get(0).get("beans")) {
            if (bean.path("name").asText().equals(name)) {
                EventReader reader = new EventReader();
                bean.path("properties").fields().forEachRemaining(property -> set(reader, property));
                return reader;
            }
        }
        throw new IllegalArgumentException("no bean " + name + " in routes/beans.camel.yaml");
    }

    private static void set(EventReader reader, Map.Entry<String, JsonNode> property) {
        String value = property.getValue().asText();
        switch (property.getKey()) {
            case "source" -> reader.setSource(value);
            case "typeHeader" -> reader.setTypeHeader(value);
            case "conversation" -> reader.setConversation(value);
            case "skill" -> reader.setSkill(value);
            case "conversationRequired" -> reader.setConversationRequired(Boolean.parseBoolean(value));
            default -> throw new IllegalArgumentException("a reader setting this helper does not know: " + property.getKey());
        }
    }
}
