package io.functionsbridge.event;

import io.functionsbridge.domain.EventCatalog;
import io.functionsbridge.domain.FunctionsEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seeds' cbotEventType table (automatic messages document, a copy of which is in
 * {@code src/test/resources/seeds/}), read as it is written: type -> the Functions event's name.
 */
public final class SeedEventTable {

    private static final Pattern ROW = Pattern.compile("<tr><td>([A-Z_]+)</td><td>([^<]+)</td></tr>");

    private SeedEventTable() {
    }

    /** cbotEventType -> "Messaging new conversation" and the like, in the seed's order. */
    public static Map<String, String> rows() {
        try (InputStream in = SeedEventTable.class.getResourceAsStream("/seeds/automatic-messages.txt")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> rows = new LinkedHashMap<>();
            Matcher matcher = ROW.matcher(text);
            while (matcher.find()) {
                rows.put(matcher.group(1), matcher.group(2).strip());
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Functions event id the seed's "Mapped to" name stands for, by the catalogue's names. */
    public static String eventId(String mappedTo) {
        return new EventCatalog().events().stream()
                .filter(event -> event.name().equalsIgnoreCase(mappedTo))
                .map(FunctionsEvent::id)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no catalogue event is named '" + mappedTo + "'"));
    }
}
