package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The packaged bridge (docs/contract.md, "Running it"): the runnable jar holds no Kafka broker, no
 * Scala and no demo; the plain artifact holds only the bridge's classes; and an existing Camel Main
 * application with its own route and its own name runs the bridge beside them, the way docs/running.md
 * says to add it.
 */
class BundleIT {

    private static List<String> entries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void theRunnableJarHoldsNoBrokerNoScalaAndNoDemo() throws IOException {
        List<String> runnable = entries(Path.of("target", "functions-bridge.jar"));
        assertThat(runnable).contains("io/functionsbridge/BridgeMain.class", "log4j2.properties");
        assertThat(runnable).noneMatch(name -> name.startsWith("kafka/server/") || name.startsWith("scala/")
                || name.startsWith("io/functionsbridge/demo/") || name.startsWith("io/functionsbridge/kafka/"));
    }

    @Test
    void thePlainArtifactHoldsOnlyTheBridgesClasses() throws IOException {
        Path plain;
        try (var jars = Files.list(Path.of("target"))) {
            plain = jars.filter(path -> path.getFileName().toString().matches("functions-bridge-.+\\.jar")).findFirst().orElseThrow();
        }
        assertThat(entries(plain)).filteredOn(name -> !name.endsWith("/"))
                .allMatch(name -> (name.startsWith("io/functionsbridge/") || name.startsWith("META-INF/"))
                        && !name.startsWith("io/functionsbridge/demo/") && !name.startsWith("io/functionsbridge/kafka/"));
    }

    @Test
    void anExistingCamelApplicationRunsTheBridgeBesideItsOwnRoute() throws Exception {
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            functions.on("/hosted", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"hosted\"}]"));
            String prefix = "hosted" + System.nanoTime();
            Path hostRoutes = Files.createTempDirectory(prefix);
            Files.writeString(hostRoutes.resolve("greeter.camel.yaml"), """
                    - route:
                        id: host-greeter
                        from:
                          uri: direct:greet
                          steps:
                            - setBody:
                                simple: "hello ${body}"
                    """);
            // the host's own application.properties, to which the bridge's keys were added (docs/running.md)
            Properties host = new Properties();
            host.put("camel.main.name", "host-app");
            host.put("camel.main.routesIncludePattern", "file:" + hostRoutes + "/*.camel.yaml,file:routes/*.camel.yaml");
            for (String line : Files.readAllLines(Path.of("application.properties"))) {
                int equals = line.indexOf('=');
                if (!line.startsWith("#") && equals > 0 && !line.startsWith("camel.main.")) {
                    host.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip());
                }
            }
            host.put("kafka.brokers", SharedKafka.bootstrapServers());
            host.put("camel.management.port", String.valueOf(Ports.free()));
            host.put("camel.server.port", String.valueOf(Ports.free()));
            host.put("bridge.topic.events", prefix + "-events");
            host.put("bridge.topic.chat-events", prefix + "-chat");
            host.put("bridge.topic.commands", prefix + "-commands");
            host.put("bridge.topic.dead-letter", prefix + "-dlq");
            host.put("bridge.consumer.group", prefix + "-bridge");
            host.put("bridge.functions.file", RunningBridge.write(prefix, """
                    functions:
                      - id: hosted-fn
                        event: controllerbot_messaging_new_conversation
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/hosted"))).toString());
            kafka.createTopics(prefix + "-events", prefix + "-chat", prefix + "-commands", prefix + "-dlq");
            Main main = new Main();
            main.setOverrideProperties(host);
            main.start();
            try {
                CamelContext context = main.getCamelContext();
                assertThat(context.getName()).isEqualTo("host-app");
                assertThat(context.getRoute("host-greeter")).isNotNull();
                assertThat(context.getRoute("consume-conversation-events")).isNotNull();
                ProducerTemplate template = context.createProducerTemplate();
                assertThat(template.requestBody("direct:greet", "host", String.class)).isEqualTo("hello host");

                kafka.send(prefix + "-events", "hosted-1", "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\"hosted-1\"}}");
                List<KafkaRecords.Received> commands = Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> kafka.readAll(prefix + "-commands"), list -> !list.isEmpty());
                assertThat(commands).singleElement().satisfies(command -> assertThat(command.value()).contains("\"text\":\"hosted\""));

                // one management server: the host's route and the bridge's consumers in its health, the bridge's metrics beside Camel's
                Management management = new Management("http://127.0.0.1:" + host.getProperty("camel.management.port"));
                Management.Answer health = management.get("/observe/health");
                assertThat(health.status()).isEqualTo(200);
                assertThat(health.body()).contains("route:host-greeter").contains("ordered-kafka:" + prefix + "-events").contains("functions-bridge");
                assertThat(management.metric("functions_bridge_events_total", "topic", prefix + "-events")).isEqualTo(1);
                assertThat(management.metric("camel_exchanges_total", "camelContext", "host-app")).isGreaterThanOrEqualTo(2);
            } finally {
                main.stop();
            }
        }
    }
}
