package io.functionsbridge.it;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bookkeeping of the reliability tests: events carry a {@code seq}, the function echoes it into
 * its systemMessage, and the command records are then checked for lost events, duplicates (and
 * whether a duplicate keeps its first copy's commandId) and per-conversation order.
 */
final class SeqLedger {

    private static final Pattern EVENT_SEQ = Pattern.compile("\"seq\":(\\d+)");
    private static final Pattern COMMAND_SEQ = Pattern.compile("seq:(\\d+)");
    private static final Pattern COMMAND_ID = Pattern.compile("\"commandId\":\"([^\"]+)\"");

    /** What the command records say. */
    record Tally(int distinct, int duplicates, int duplicatesWithAnotherId, int orderViolations) {
    }

    private SeqLedger() {
    }

    /** A function that answers, after {@code delayOfSeq} ms, a systemMessage naming the event's seq. */
    static void serveEcho(LocalFunctionServer functions, String path, IntToLongFunction delayOfSeq) {
        functions.onRequest(path, request -> {
            Matcher seq = EVENT_SEQ.matcher(request.body());
            int n = seq.find() ? Integer.parseInt(seq.group(1)) : -1;
            return Response.ok("[{\"type\":\"systemMessage\",\"text\":\"seq:" + n + "\"}]").after(delayOfSeq.applyAsLong(n));
        });
    }

    static String event(String convId, int seq) {
        return "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\"" + convId + "\",\"seq\":" + seq + "}}";
    }

    /** Counts the records, in the order given (each partition in offset order). */
    static Tally tally(List<KafkaRecords.Received> commands) {
        Map<Integer, String> firstIds = new HashMap<>();
        Map<String, Integer> lastSeqOfConversation = new HashMap<>();
        int duplicates = 0;
        int anotherId = 0;
        int violations = 0;
        for (KafkaRecords.Received command : commands) {
            int seq = seqOf(command);
            String id = match(COMMAND_ID, command.value());
            String firstId = firstIds.putIfAbsent(seq, id);
            if (firstId != null) {
                duplicates++;
                if (!firstId.equals(id)) {
                    anotherId++;
                }
                continue;
            }
            Integer last = lastSeqOfConversation.put(command.key(), seq);
            if (last != null && last > seq) {
                violations++;
            }
        }
        return new Tally(firstIds.size(), duplicates, anotherId, violations);
    }

    static int seqOf(KafkaRecords.Received command) {
        String seq = match(COMMAND_SEQ, command.value());
        return seq.isEmpty() ? -1 : Integer.parseInt(seq);
    }

    private static String match(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? m.group(1) : "";
    }
}
