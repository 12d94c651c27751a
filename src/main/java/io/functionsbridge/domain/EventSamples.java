package io.functionsbridge.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * A sample payload of each Functions event (the seeds' payload tables), as the platform's Invoke
 * screen shows one: what a local invoke runs a function with when it is given no payload, and
 * what the templates are tested against.
 */
public final class EventSamples {

    private static final JsonNode SAMPLES = load();

    private EventSamples() {
    }

    /** The event's sample payload, if it has one. */
    public static Optional<JsonNode> payload(String eventId) {
        return eventId == null ? Optional.empty() : Optional.ofNullable(SAMPLES.get(eventId)).map(JsonNode::deepCopy);
    }

    private static JsonNode load() {
        try (InputStream in = EventSamples.class.getResourceAsStream("/io/functionsbridge/event-samples.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
