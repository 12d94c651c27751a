package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import io.functionsbridge.domain.AutoMessage;
import io.functionsbridge.registry.AutoMessages;
import io.functionsbridge.registry.LiveReload;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.logging.log4j.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Operations (docs/contract.md): the metrics on /observe/metrics and the per-function MBeans match
 * what the function server saw and what the topics hold; live changes of the registry and the
 * automatic messages; the Grafana dashboard queries only metrics that are served.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsIT extends AbstractBridgeIT {

    private static final Duration LIVE_CHANGE = Duration.ofSeconds(5);

    private static final String REGISTRY = """
            functions:
              - id: ops-ok
                name: greet
                event: controllerbot_messaging_new_conversation
                url: %URL%/ok
                state: deployed
              - id: ops-fail
                event: controllerbot_messaging_conversation_end
                url: %URL%/fail
                state: deployed
              - id: ops-reject
                event: controllerbot_messaging_conversation_routing
                url: %URL%/reject
                state: deployed
              - id: ops-invalid
                event: controllerbot_messaging_participants_change
                url: %URL%/invalid
                state: deployed
              - id: ops-slow
                event: controllerbot_messaging_ttr
                url: %URL%/slow
                state: deployed
              - id: ops-idle
                event: controllerbot_messaging_conversation_idle
                url: %URL%/idle
                state: %IDLE_STATE%
            """;

    private Management management;

    @Override
    String functionsYaml() {
        return REGISTRY.replace("%IDLE_STATE%", "deployed");
    }

    @Override
    String autoMessagesYaml() {
        return """
                autoMessages:
                  AGENT_UPDATED_RESPONSE_TIME:
                    text: before the edit
                  AGENT_NON_RESPONSIVE:
                    text: automatic idle message
                """;
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/ok", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"hello\"}]"));
        server.on("/fail", Response.status(503));
        server.on("/reject", Response.status(400));
        server.on("/invalid", Response.ok("this is not JSON"));
        server.on("/slow", Response.ok("[]").after(3000));
        server.on("/idle", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"from the function\"}]"));
    }

    @Override
    Map<String, String> properties() {
        return Map.of(
                "bridge.invoke.max-retries", "1",
                "bridge.circuit-breaker.window-size", "4",
                "bridge.circuit-breaker.minimum-calls", "4",
                "bridge.circuit-breaker.open-ms", "600000");
    }

    private Management management() {
        if (management == null) {
            management = new Management(bridge.managementUrl());
        }
        return management;
    }

    private static Object attribute(String function, String attribute) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        return server.getAttribute(new ObjectName("io.functionsbridge:type=Functions,function=\"" + function + "\""), attribute);
    }

    private double invocations(String function, String result) {
        return management().metric("functions_bridge_invocations_total", "function", function, "result", result);
    }

    @Test
    @Order(1)
    void theMetricsAndTheMBeansCountWhatTheFunctionsSawAndWhatTheTopicsHold() throws Exception {
        handled(16, () -> {
            for (int i = 0; i < 5; i++) {
                sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", "ops-ok-" + i);
            }
            // one conversation: one after another, so that the breaker opens after the 4th failure
            for (int i = 0; i < 6; i++) {
                sendEvent("CONSUMER_END_CONVERSATION", "ops-fail");
            }
            for (int i = 0; i < 2; i++) {
                sendEvent("ENGAGEMENT_TRANSFERED", "ops-reject-" + i);
            }
            for (int i = 0; i < 3; i++) {
                sendEvent("YOU_ARE_CONNECTED_TO", "ops-invalid-" + i);
            }
        });

        // what the function server saw: 5 + 4 x 2 attempts (the breaker then refused 2) + 2 + 3
        assertThat(functions.calls("/ok")).isEqualTo(5);
        assertThat(functions.calls("/fail")).isEqualTo(8);
        assertThat(functions.calls("/reject")).isEqualTo(2);
        assertThat(functions.calls("/invalid")).isEqualTo(3);

        assertThat(invocations("ops-ok", "ok")).isEqualTo(functions.calls("/ok"));
        assertThat(invocations("ops-fail", "failed")).isEqualTo(functions.calls("/fail") / 2);
        assertThat(invocations("ops-fail", "circuit_open")).isEqualTo(2);
        assertThat(invocations("ops-reject", "rejected")).isEqualTo(functions.calls("/reject"));
        assertThat(invocations("ops-invalid", "invalid_reply")).isEqualTo(functions.calls("/invalid"));
        assertThat(management().metric("functions_bridge_invocation_seconds_count", "function", "ops-ok")).isEqualTo(5);
        assertThat(management().metric("functions_bridge_invocation_seconds_count", "function", "ops-fail")).as("no call, no time").isEqualTo(4);
        assertThat(management().metric("functions_bridge_invocation_seconds_bucket", "function", "ops-ok", "le", "+Inf")).isEqualTo(5);

        // what the topics hold
        Map<String, Long> deadLetters = kafka.readAll(bridge.deadLetters).stream()
                .collect(Collectors.groupingBy(record -> record.header("bridgeErrorReason"), Collectors.counting()));
        assertThat(deadLetters).isEqualTo(Map.of("FUNCTION_FAILED", 6L, "FUNCTION_REJECTED", 2L, "INVALID_REPLY", 3L));
        deadLetters.forEach((reason, count) ->
                assertThat(management().metric("functions_bridge_dead_letters_total", "reason", reason)).as(reason).isEqualTo(count.doubleValue()));
        long functionMessages = kafka.readAll(bridge.commands).stream().map(record -> json(record.value()))
                .filter(command -> command.path("origin").asText().equals("function")).count();
        assertThat(management().metric("functions_bridge_commands_total", "type", "systemMessage", "origin", "function"))
                .isEqualTo(functionMessages).isEqualTo(5);
        assertThat(management().metric("functions_bridge_events_total", "topic", bridge.events)).isEqualTo(16);
        assertThat(management().metric("functions_bridge_events_total", "topic", bridge.events, "outcome", "dead_letter")).isEqualTo(11);
        assertThat(management().metric("functions_bridge_events_total", "topic", bridge.events, "outcome", "commands")).isEqualTo(5);
        Awaitility.await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(management().metric("functions_bridge_in_flight", "topic", bridge.events)).isZero();
            assertThat(management().metric("functions_bridge_consumer_lag", "topic", bridge.events, "partition", "0")).isZero();
        });

        // the per-function MBeans
        assertThat(attribute("ops-ok", "Name")).isEqualTo("greet");
        assertThat(attribute("ops-ok", "Event")).isEqualTo("controllerbot_messaging_new_conversation");
        assertThat(attribute("ops-ok", "State")).isEqualTo("deployed");
        assertThat(attribute("ops-ok", "Invocations")).isEqualTo(5L);
        assertThat(attribute("ops-ok", "Failed")).isEqualTo(0L);
        assertThat((Double) attribute("ops-ok", "MeanMillis")).isPositive();
        assertThat(attribute("ops-ok", "LastFailure")).isEqualTo("");
        assertThat(attribute("ops-fail", "Invocations")).isEqualTo(4L);
        assertThat(attribute("ops-fail", "Failed")).isEqualTo(4L);
        assertThat(attribute("ops-fail", "CircuitOpen")).isEqualTo(2L);
        assertThat((String) attribute("ops-fail", "LastFailure")).startsWith("FUNCTION_FAILED at ").contains("HTTP 503");
        assertThat((Long) attribute("ops-fail", "MaxMillis")).as("two attempts, a backoff between").isGreaterThanOrEqualTo(20L);
        assertThat(attribute("ops-reject", "Rejected")).isEqualTo(2L);
        assertThat(attribute("ops-invalid", "InvalidReplies")).isEqualTo(3L);

        // an open breaker is a detail of the health, not a reason to be DOWN
        Management.Answer health = management().get("/observe/health");
        assertThat(health.status()).isEqualTo(200);
        JsonNode bridgeCheck = check(health, "functions-bridge");
        assertThat(bridgeCheck.path("status").asText()).isEqualTo("UP");
        assertThat(bridgeCheck.path("message").asText()).contains("circuit breakers not closed: {ops-fail=OPEN}");
    }

    private static JsonNode check(Management.Answer health, String name) {
        for (JsonNode check : json(health.body()).path("checks")) {
            if (check.path("name").asText().equals(name)) {
                return check;
            }
        }
        throw new AssertionError("no check " + name + " in " + health.body());
    }

    private Path functionsFile() {
        return Path.of(bridge.context().resolvePropertyPlaceholders("{{bridge.functions.file}}"));
    }

    private Path autoMessagesFile() {
        return Path.of(bridge.context().resolvePropertyPlaceholders("{{bridge.auto-messages.file}}"));
    }

    private String registry(String idleState) {
        return REGISTRY.replace("%URL%", "http://127.0.0.1:" + functions.port()).replace("%IDLE_STATE%", idleState);
    }

    @Test
    @Order(2)
    void aFunctionUndeployedLiveIsNoLongerInvoked() throws Exception {
        handled(1, () -> sendEvent("AGENT_NON_RESPONSIVE", "ops-idle-1"));
        assertThat(functions.calls("/idle")).isEqualTo(1);

        long saved = System.nanoTime();
        Files.writeString(functionsFile(), registry("undeployed"));
        Awaitility.await().atMost(LIVE_CHANGE).pollInterval(Duration.ofMillis(50)).until(() -> "undeployed".equals(attribute("ops-idle", "State")));
        System.out.printf("live change: undeployed in force %d ms after the save%n", (System.nanoTime() - saved) / 1_000_000);

        handled(1, () -> sendEvent("AGENT_NON_RESPONSIVE", "ops-idle-2"));
        assertThat(functions.calls("/idle")).as("not invoked once undeployed").isEqualTo(1);
        assertThat(commandValuesOf("ops-idle-1")).extracting(c -> c.path("text").asText()).containsExactly("from the function");
        assertThat(commandValuesOf("ops-idle-2")).extracting(c -> c.path("text").asText()).containsExactly("automatic idle message");
    }

    @Test
    @Order(3)
    void aRefusedEditKeepsThePreviousVersionLogsOneErrorAndCounts() throws Exception {
        String file = functionsFile().getFileName().toString();
        double failuresBefore = management().metric("functions_bridge_reload_failures_total", "file", file);
        int okCallsBefore = functions.calls("/ok");
        LogCapture log = LogCapture.start(Level.INFO);
        try {
            // an editor's burst of saves, the last one refused: a repeated id
            for (int i = 0; i < 5; i++) {
                Files.writeString(functionsFile(), registry("deployed") + (i < 4 ? "" : """
                          - id: ops-ok
                            event: controllerbot_messaging_ttr
                            url: http://127.0.0.1:9/x
                            state: undeployed
                        """));
                Thread.sleep(20); // an editor's saves, 20 ms apart
            }
            Awaitility.await().atMost(LIVE_CHANGE).pollInterval(Duration.ofMillis(50)).until(() ->
                    management().metric("functions_bridge_reload_failures_total", "file", file) == failuresBefore + 1);
            // and no second refusal follows
            Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() ->
                    management().metric("functions_bridge_reload_failures_total", "file", file) == failuresBefore + 1);
        } finally {
            log.stopCapture();
        }
        assertThat(management().metric("functions_bridge_reload_failures_total", "file", file)).as("one burst, one refusal").isEqualTo(failuresBefore + 1);
        assertThat(log.lines().stream().filter(line -> line.startsWith("ERROR " + LiveReload.class.getName())).toList()).singleElement().satisfies(line ->
                assertThat(line).contains(file).contains("function id ops-ok is repeated").contains("previous version stays in force"));
        assertThat(check(management().get("/observe/health"), "functions-bridge").path("message").asText())
                .contains("last refused edit: " + file).contains("function id ops-ok is repeated");
        assertThat(management().get("/observe/health/ready").status()).as("a refused edit is no reason to be DOWN").isEqualTo(200);

        // the previous version is in force: ops-idle undeployed, ops-ok deployed and invoked
        handled(1, () -> sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", "ops-ok-after-refusal"));
        assertThat(functions.calls("/ok")).isEqualTo(okCallsBefore + 1);
        assertThat(attribute("ops-idle", "State")).isEqualTo("undeployed");
    }

    @Test
    @Order(4)
    void anEditedAutomaticMessageAppliesToNewEventsWhileAnEventInFlightKeepsItsOwn() throws Exception {
        AutoMessages autoMessages = bridge.context().getRegistry().lookupByNameAndType("autoMessages", AutoMessages.class);
        Function<String, String> text = type -> autoMessages.find(type).map(AutoMessage::text).orElse(null);
        sendEvent("AGENT_UPDATED_RESPONSE_TIME", "ops-ttr-started-before");
        Awaitility.await().atMost(PATIENCE).until(() -> functions.calls("/slow") == 1);

        long saved = System.nanoTime();
        Files.writeString(autoMessagesFile(), autoMessagesYaml().replace("before the edit", "after the edit"));
        Awaitility.await().atMost(LIVE_CHANGE).pollInterval(Duration.ofMillis(50))
                .until(() -> "after the edit".equals(text.apply("AGENT_UPDATED_RESPONSE_TIME")));
        System.out.printf("live change: automatic message in force %d ms after the save%n", (System.nanoTime() - saved) / 1_000_000);
        assertThat(commandsOf("ops-ttr-started-before")).as("the first event is still in flight").isEmpty();

        sendEvent("AGENT_UPDATED_RESPONSE_TIME", "ops-ttr-started-after");
        assertThat(awaitNonEmpty(() -> commandValuesOf("ops-ttr-started-before"))).extracting(c -> c.path("text").asText())
                .containsExactly("before the edit");
        assertThat(awaitNonEmpty(() -> commandValuesOf("ops-ttr-started-after"))).extracting(c -> c.path("text").asText())
                .containsExactly("after the edit");
        assertThat(management().metric("functions_bridge_commands_total", "type", "systemMessage", "origin", "autoMessage")).isGreaterThanOrEqualTo(3);
    }

    @Test
    @Order(5)
    void everyMetricTheGrafanaDashboardQueriesIsServed() throws IOException {
        JsonNode dashboard = JSON.readTree(Path.of("docs", "grafana-dashboard.json").toFile());
        Set<String> queried = new TreeSet<>();
        Pattern metric = Pattern.compile("\\b((?:functions_bridge|camel)_[a-z0-9_]+)\\b");
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher matcher = metric.matcher(target.path("expr").asText());
                while (matcher.find()) {
                    queried.add(matcher.group(1));
                }
            }
        }
        assertThat(queried).as("the dashboard queries the bridge's metrics").contains(
                "functions_bridge_events_total", "functions_bridge_invocations_total", "functions_bridge_invocation_seconds_bucket",
                "functions_bridge_dead_letters_total", "functions_bridge_in_flight", "functions_bridge_consumer_lag");
        Set<String> served = management().metrics().keySet().stream().map(sample -> sample.replaceFirst("\\{.*", ""))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(served).containsAll(queried);
    }
}
