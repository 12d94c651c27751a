package io.functionsbridge.invoke;

import java.util.BitSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The HTTP statuses whose failed attempt is retried ({@code bridge.invoke.retryable-statuses}):
 * codes such as {@code 429} and classes such as {@code 5xx} (500 to 599), separated by commas.
 */
final class RetryableStatuses {

    private static final Pattern ENTRY = Pattern.compile("[1-9]([0-9][0-9]|xx)");

    private final BitSet statuses;
    private final String text;

    private RetryableStatuses(BitSet statuses, String text) {
        this.statuses = statuses;
        this.text = text;
    }

    /** Reads a list such as {@code 5xx,408,429,901}; an entry that is neither a code nor a class is refused. */
    static RetryableStatuses parse(String list) {
        BitSet statuses = new BitSet(1000);
        List<String> entries = list == null || list.isBlank() ? List.of() : List.of(list.split(","));
        StringBuilder text = new StringBuilder();
        for (String raw : entries) {
            String entry = raw.strip().toLowerCase();
            if (!ENTRY.matcher(entry).matches()) {
                throw new IllegalArgumentException("bridge.invoke.retryable-statuses: '" + raw.strip()
                        + "' is neither an HTTP status (429) nor a class of them (5xx)");
            }
            int first = entry.endsWith("xx") ? (entry.charAt(0) - '0') * 100 : Integer.parseInt(entry);
            statuses.set(first, entry.endsWith("xx") ? first + 100 : first + 1);
            text.append(text.isEmpty() ? "" : ",").append(entry);
        }
        return new RetryableStatuses(statuses, text.toString());
    }

    boolean contains(int status) {
        return status >= 0 && statuses.get(status);
    }

    @Override
    public String toString() {
        return text;
    }
}
