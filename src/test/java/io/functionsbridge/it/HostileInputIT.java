package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The hostile-input corpus ({@code src/test/resources/hostile/}, listed in its manifest) plus a few
 * records too large to keep in the repository: each ends in its dead letter with the right reason
 * or in correct commands, and the bridge neither stops nor stalls.
 */
class HostileInputIT extends AbstractBridgeIT {

    private record Case(String name, String key, byte[] value, String expected) {
    }

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: step-up
                    event: controllerbot_messaging_consumer_step_up
                    url: %URL%/step-up
                    state: deployed
                """;
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/step-up", Response.ok("[{\"type\":\"closeConversation\"}]"));
    }

    private static List<Case> corpus() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (String line : resource("manifest.tsv").lines().toList()) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] fields = line.split("\t");
            cases.add(new Case(fields[0], fields[1].equals("-") ? null : fields[1], bytes(fields[0]), fields[2]));
        }
        String big = "x".repeat(5 * 1024 * 1024);
        cases.add(new Case("5 MB record", "g01",
                ("{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\",\"convId\":\"g01\",\"note\":\"" + big + "\"}}").getBytes(StandardCharsets.UTF_8),
                "commands"));
        cases.add(new Case("5 MB truncated record", "g02", ("{\"general\":{\"note\":\"" + big).getBytes(StandardCharsets.UTF_8), "MALFORMED_JSON"));
        cases.add(new Case("nesting 5000 deep", "g03",
                ("{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\",\"convId\":\"g03\"},\"end\":" + "[".repeat(5000) + "]".repeat(5000) + "}")
                        .getBytes(StandardCharsets.UTF_8), "MALFORMED_JSON"));
        cases.add(new Case("1 MB cbotEventType", "g04",
                ("{\"general\":{\"cbotEventType\":\"" + "A".repeat(1024 * 1024) + "\",\"convId\":\"g04\"}}").getBytes(StandardCharsets.UTF_8),
                "UNKNOWN_EVENT_TYPE"));
        cases.add(new Case("tombstone (null value)", "g05", null, "MALFORMED_JSON"));
        return cases;
    }

    @Test
    void everyHostileRecordEndsInItsDeadLetterOrInCommandsAndTheBridgeKeepsGoing() throws IOException {
        List<Case> cases = corpus();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(40);
        handled(cases.size() + 1, () -> {
            for (Case c : cases) {
                kafka.sendBytes(bridge.events, c.key(), c.value(), Map.of());
            }
            sendEvent("CONSUMER_STEP_UP", "after-the-corpus");
        });

        List<KafkaRecords.Received> deadLetters = kafka.readAll(bridge.deadLetters);
        List<KafkaRecords.Received> commands = kafka.readAll(bridge.commands);
        SoftAssertions softly = new SoftAssertions();
        for (Case c : cases) {
            List<KafkaRecords.Received> dead = deadLetters.stream().filter(r -> java.util.Objects.equals(r.key(), c.key())).toList();
            if (c.expected().startsWith("commands")) {
                String conversation = c.expected().contains(":") ? c.expected().substring(c.expected().indexOf(':') + 1) : c.key();
                softly.assertThat(dead).as("%s: no dead letter", c.name()).isEmpty();
                softly.assertThat(commands.stream().anyMatch(r -> r.value().contains("\"closeConversation\"")
                        && r.key().contains(conversation))).as("%s: its command", c.name()).isTrue();
            } else {
                softly.assertThat(dead).as("%s: one dead letter", c.name()).hasSize(1);
                if (dead.size() == 1) {
                    softly.assertThat(dead.get(0).header("bridgeErrorReason")).as("%s: reason", c.name()).isEqualTo(c.expected());
                    softly.assertThat(dead.get(0).header("bridgeErrorMessage")).as("%s: a short message", c.name()).hasSizeLessThan(1000);
                    byte[] original = c.value() == null ? null : c.value();
                    softly.assertThat(dead.get(0).value() == null ? null : dead.get(0).value().getBytes(StandardCharsets.UTF_8).length)
                            .as("%s: the value is kept", c.name())
                            .isEqualTo(original == null ? null : new String(original, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8).length);
                }
            }
        }
        softly.assertThat(commandsOf("after-the-corpus")).as("the bridge kept going").hasSize(1);
        softly.assertAll();
    }

    private static String resource(String name) throws IOException {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String name) throws IOException {
        try (InputStream in = HostileInputIT.class.getResourceAsStream("/hostile/" + name)) {
            return in.readAllBytes();
        }
    }
}
