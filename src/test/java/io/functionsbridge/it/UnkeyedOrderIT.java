package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * docs/contract.md: a record without a key belongs to the conversation its value names, and is ordered
 * with that conversation's keyed records. Keyed and unkeyed events of several conversations,
 * interleaved on one partition, are handled concurrently across conversations, and one at a time,
 * in the order written, within each.
 */
class UnkeyedOrderIT extends AbstractBridgeIT {

    private static final int CONVERSATIONS = 6;
    private static final int EVENTS_EACH = 15;

    /** Calls of a conversation running now; more than one is an overlap. */
    private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    private final List<String> overlaps = new CopyOnWriteArrayList<>();
    private final Map<String, List<Integer>> calledInOrder = new ConcurrentHashMap<>();
    private final AtomicInteger peakAcrossConversations = new AtomicInteger();
    private final AtomicInteger runningAcrossConversations = new AtomicInteger();

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: ordered-fn
                    event: controllerbot_messaging_conversation_idle
                    url: %URL%/ordered
                    state: deployed
                """;
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.onRequest("/ordered", request -> {
            JsonNode general = json(request.body()).path("payload").path("general");
            String conv = general.path("convId").asText();
            int seq = general.path("seq").asInt();
            AtomicInteger mine = running.computeIfAbsent(conv, c -> new AtomicInteger());
            if (mine.incrementAndGet() > 1) {
                overlaps.add(conv + " seq " + seq);
            }
            peakAcrossConversations.accumulateAndGet(runningAcrossConversations.incrementAndGet(), Math::max);
            calledInOrder.computeIfAbsent(conv, c -> new CopyOnWriteArrayList<>()).add(seq);
            try {
                Thread.sleep(15 + (seq * 7L) % 20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            runningAcrossConversations.decrementAndGet();
            mine.decrementAndGet();
            return Response.ok("[{\"type\":\"systemMessage\",\"text\":\"seq:" + seq + "\"}]");
        });
    }

    private static String event(String convId, int seq, boolean envelope) {
        String payload = "{\"general\":{\"cbotEventType\":\"CONSUMER_NON_RESPONSIVE\",\"convId\":\"" + convId + "\",\"seq\":" + seq + "}}";
        return envelope ? "{\"timestamp\":1,\"headers\":[],\"payload\":" + payload + "}" : payload;
    }

    @Test
    void keyedAndUnkeyedEventsOfAConversationNeverOverlapOrReorder() {
        // every conversation's events interleaved with the others', about half of them without a key
        // (as payloads and as envelopes)
        Random random = new Random(42);
        List<String> conversations = new ArrayList<>();
        for (int c = 0; c < CONVERSATIONS; c++) {
            conversations.add("unkeyed-" + c);
        }
        int[] next = new int[CONVERSATIONS];
        AtomicInteger unkeyed = new AtomicInteger();
        handled(CONVERSATIONS * EVENTS_EACH, () -> {
            for (int written = 0; written < CONVERSATIONS * EVENTS_EACH; ) {
                int c = random.nextInt(CONVERSATIONS);
                if (next[c] == EVENTS_EACH) {
                    continue;
                }
                String conv = conversations.get(c);
                boolean withoutKey = random.nextBoolean();
                if (withoutKey) {
                    unkeyed.incrementAndGet();
                }
                kafka.send(bridge.events, withoutKey ? null : conv, event(conv, next[c]++, random.nextBoolean()));
                written++;
            }
        });

        assertThat(unkeyed.get()).as("unkeyed events written").isGreaterThan(CONVERSATIONS * EVENTS_EACH / 4);
        assertThat(peakAcrossConversations.get()).as("conversations are handled concurrently").isGreaterThan(1);
        assertThat(overlaps).as("calls of one conversation that overlapped").isEmpty();
        List<Integer> inOrder = new ArrayList<>();
        for (int seq = 0; seq < EVENTS_EACH; seq++) {
            inOrder.add(seq);
        }
        for (String conv : conversations) {
            assertThat(calledInOrder.get(conv)).as("calls of %s", conv).isEqualTo(inOrder);
            List<Integer> written = commandValuesOf(conv).stream()
                    .map(command -> Integer.parseInt(command.path("text").asText().substring("seq:".length())))
                    .toList();
            assertThat(written).as("commands of %s, keyed by the conversation", conv).isEqualTo(inOrder);
        }
    }
}
