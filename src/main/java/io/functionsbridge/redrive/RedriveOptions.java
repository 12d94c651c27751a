package io.functionsbridge.redrive;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The options of {@code redrive} (docs/contract.md, "Dead-letter redrive"), read strictly: an
 * unknown option, a missing or bad value is an {@link IllegalArgumentException} naming it.
 *
 * @param reasons   {@code --reason R[,R]}: dead letters with one of these {@code bridgeErrorReason}s (empty: any)
 * @param function  {@code --function ID}: with this {@code bridgeFunctionId}, or {@code null}
 * @param key       {@code --key K}: with this record key, or {@code null}
 * @param since     {@code --since ISO-8601}: written at or after, or {@code null}
 * @param until     {@code --until ISO-8601}: written before, or {@code null}
 * @param max       {@code --max N}: publish at most this many
 * @param rate      {@code --rate N}: records published per second
 * @param dryRun    {@code --dry-run}: list and count, publish nothing
 */
public record RedriveOptions(Set<String> reasons, String function, String key, Instant since, Instant until, long max, double rate,
        boolean dryRun) {

    static final String USAGE = "usage: redrive [--reason R[,R]] [--function ID] [--key K] [--since ISO-8601] [--until ISO-8601]"
            + " [--max N] [--rate N] [--dry-run]";

    /** Reads the arguments after {@code redrive}: {@code --name value} or {@code --name=value}. */
    public static RedriveOptions parse(String... args) {
        Set<String> reasons = new LinkedHashSet<>();
        String function = null;
        String key = null;
        Instant since = null;
        Instant until = null;
        long max = Long.MAX_VALUE;
        double rate = 100;
        boolean dryRun = false;
        List<String> words = new ArrayList<>(List.of(args));
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            String name = word;
            String value = null;
            int equals = word.indexOf('=');
            if (word.startsWith("--") && equals > 0) {
                name = word.substring(0, equals);
                value = word.substring(equals + 1);
            }
            if (name.equals("--dry-run")) {
                if (value != null) {
                    throw new IllegalArgumentException("--dry-run takes no value");
                }
                dryRun = true;
                continue;
            }
            if (!List.of("--reason", "--function", "--key", "--since", "--until", "--max", "--rate").contains(name)) {
                throw new IllegalArgumentException("unknown option '" + word + "'");
            }
            if (value == null) {
                if (i + 1 >= words.size()) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                value = words.get(++i);
            }
            switch (name) {
                case "--reason" -> {
                    for (String reason : value.split(",")) {
                        if (!reason.isBlank()) {
                            reasons.add(reason.strip());
                        }
                    }
                }
                case "--function" -> function = value;
                case "--key" -> key = value;
                case "--since" -> since = instant(name, value);
                case "--until" -> until = instant(name, value);
                case "--max" -> max = positive(name, value);
                case "--rate" -> rate = positive(name, value);
                default -> throw new IllegalStateException(name);
            }
        }
        return new RedriveOptions(Set.copyOf(reasons), function, key, since, until, max, rate, dryRun);
    }

    private static Instant instant(String name, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " '" + value + "' is not an ISO-8601 instant (for example 2026-11-29T14:00:00Z)");
        }
    }

    private static long positive(String name, String value) {
        try {
            long number = Long.parseLong(value);
            if (number > 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(name + " '" + value + "' is not a positive whole number");
    }

    /** Whether a dead letter is one these options choose. */
    boolean chooses(DeadLetter letter) {
        return (reasons.isEmpty() || reasons.contains(letter.reason()))
                && (function == null || function.equals(letter.function()))
                && (key == null || key.equals(letter.keyText()))
                && (since == null || !letter.writtenAt().isBefore(since))
                && (until == null || letter.writtenAt().isBefore(until));
    }
}
