package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.DemoMain;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes reloaded on edit: the main job's settings replace the routes of an edited file while the
 * bridge keeps handling events; the packaged bridge does not watch its routes unless asked.
 */
class RouteReloadIT {

    private static final String REGISTRY = """
            functions:
              - id: reload-fn
                event: controllerbot_messaging_new_conversation
                url: %s
                state: deployed
            """;

    @Test
    void theMainJobReplacesTheRoutesOfAnEditedFileAndKeepsHandlingEvents(@TempDir Path routes) throws IOException {
        try (Stream<Path> shipped = Files.list(Path.of("routes"))) {
            for (Path file : shipped.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Map<String, String> settings = new HashMap<>(DemoMain.ROUTES_RELOAD);
        settings.put("camel.main.routesIncludePattern", "file:" + routes + "/*.camel.yaml");
        settings.put("camel.main.routesReloadDirectory", routes.toString());
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            functions.on("/fn", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"hi\"}]"));
            try (RunningBridge bridge = RunningBridge.start(kafka, REGISTRY.formatted(functions.url("/fn")), "autoMessages: {}\n", settings)) {
                kafka.send(bridge.events, "before", AbstractBridgeIT.event("CONSUMER_OPEN_NEW_CONVERSATION", "before"));
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> kafka.readAll(bridge.commands).size() == 1);

                RouteWatcherReloadStrategy watcher = bridge.context().hasService(RouteWatcherReloadStrategy.class);
                assertThat(watcher).as("the routes are watched").isNotNull();
                assertThat(watcher.getFolder()).isEqualTo(routes.toString());
                int routesBefore = bridge.context().getRoutes().size();
                Path commands = routes.resolve("commands.camel.yaml");
                Files.writeString(commands, Files.readString(commands)
                        .replace("description: Writes a systemMessage command", "description: Writes a systemMessage command (edited)"));
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> bridge.context().getRoute("command-system-message") != null
                        && bridge.context().getRoute("command-system-message").getDescription().contains("(edited)"));
                // the file's routes are added again one by one: every route is back, and stays
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> bridge.context().getRoutes().size() == routesBefore);
                Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                        .until(() -> bridge.context().getRoutes().size() == routesBefore);

                kafka.send(bridge.events, "after", AbstractBridgeIT.event("CONSUMER_OPEN_NEW_CONVERSATION", "after"));
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> kafka.readAll(bridge.commands).size() == 2);
                assertThat(kafka.readAll(bridge.commands)).extracting(KafkaRecords.Received::key).containsExactly("before", "after");
            }
        }
    }

    @Test
    void thePackagedBridgeDoesNotWatchItsRoutesUnlessAsked() {
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers());
             RunningBridge bridge = RunningBridge.start(kafka, "functions: []\n", "autoMessages: {}\n", Map.of())) {
            assertThat(bridge.context().hasService(RouteWatcherReloadStrategy.class)).isNull();
        }
    }
}
