package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import io.functionsbridge.kafka.EmbeddedKafkaBroker;
import io.functionsbridge.output.OutcomeLog;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The broker is stopped for 10 s mid-run and started again: the bridge reconnects by itself and loses nothing. */
class BrokerRestartIntegrationTest {

    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");
    private static final Pattern TEXT_SEQ = Pattern.compile("seq:(\\d+)");

    @Test
    void aTenSecondBrokerOutageLosesNoEventAndKeepsEachConversationsOrder() throws Exception {
        int conversations = 200;
        int perConversation = 3;
        int events = conversations * perConversation;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             KafkaRecords kafka = new KafkaRecords(broker.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            functions.onRequest("/fn", request -> {
                Matcher seq = SEQ.matcher(request.body());
                return Response.ok("[{\"type\":\"systemMessage\",\"text\":\"seq:" + (seq.find() ? seq.group(1) : "?") + "\"}]").after(200);
            });
            String registry = """
                    functions:
                      - id: fn
                        event: controllerbot_messaging_new_conversation
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/fn"));
            try (RunningBridge bridge = RunningBridge.start(kafka, broker.bootstrapServers(), registry, "autoMessages: {}\n",
                    Map.of("bridge.max-in-flight", "10"))) {
                int seq = 0;
                for (int round = 0; round < perConversation; round++) {
                    for (int c = 0; c < conversations; c++) {
                        kafka.send(bridge.events, "conv-" + c, "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\","
                                + "\"convId\":\"conv-" + c + "\",\"seq\":" + seq++ + "}}");
                    }
                }
                OutcomeLog outcomes = bridge.context().getRegistry().lookupByNameAndType("outcomeLog", OutcomeLog.class);
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.getEvents() >= 60);

                long handledBeforeTheStop = outcomes.getEvents();
                broker.stop();
                Awaitility.await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(11)).until(() -> true);
                broker.restart();

                Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> distinctSeqs(kafka.readAll(bridge.commands)).size() == events);
                List<KafkaRecords.Received> commands = kafka.readAll(bridge.commands);
                Map<String, Integer> lastSeq = new HashMap<>();
                int violations = 0;
                java.util.Set<Integer> seen = new java.util.HashSet<>();
                for (KafkaRecords.Received command : commands) {
                    Matcher m = TEXT_SEQ.matcher(command.value());
                    assertThat(m.find()).isTrue();
                    int s = Integer.parseInt(m.group(1));
                    if (!seen.add(s)) {
                        continue;
                    }
                    Integer last = lastSeq.put(command.key(), s);
                    if (last != null && last > s) {
                        violations++;
                    }
                }
                System.out.printf("broker outage: %d events, %d handled before the stop, %d lost, %d duplicated, %d order violations%n",
                        events, handledBeforeTheStop, events - seen.size(), commands.size() - seen.size(), violations);
                assertThat(seen).as("no event lost").hasSize(events);
                assertThat(violations).as("each conversation in order").isZero();
                assertThat(kafka.readAll(bridge.deadLetters)).as("an outage is no reason to dead-letter").isEmpty();
            }
        }
    }

    private static java.util.Set<Integer> distinctSeqs(List<KafkaRecords.Received> commands) {
        java.util.Set<Integer> seqs = new java.util.HashSet<>();
        for (KafkaRecords.Received command : commands) {
            Matcher m = TEXT_SEQ.matcher(command.value());
            if (m.find()) {
                seqs.add(Integer.parseInt(m.group(1)));
            }
        }
        return seqs;
    }
}
