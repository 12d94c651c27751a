package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar as a lambda's author uses it (docs/javascript.md): {@code invoke} runs one function
 * of the registry once and prints its result and logs, with its exit statuses; the project's own
 * registry starts the jar from a folder without the templates' folder; a registry whose
 * lambda does not load stops the bridge with status 2; a host without Node.js fails a javascript
 * function in one line that names it; and the jar, killed, leaves no lambda runtime behind.
 */
class LocalInvokeIT {

    private static final Path JAR = Path.of("target", "functions-bridge.jar").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The templates' registry, as README's local invoke names it. */
    private static final String TEMPLATES = "-Dbridge.functions.file=functions/templates.yaml";

    /** Runs java in the folder; what it prints goes to a file of its own outside the folder. */
    private static UserProcess java(Path folder, String... arguments) throws IOException {
        return UserProcess.java(folder, Files.createTempFile("invoke", ".log").toString(), List.of(arguments));
    }

    /** The project's own folder: its functions/ and their registry, functions/templates.yaml. */
    private static Path project() {
        return Path.of("").toAbsolutePath();
    }

    @Test
    void invokeRunsATemplateWithItsConfigInputAndPrintsItsResultAndLogs() throws Exception {
        UserProcess greeting = java(project(), TEMPLATES, "-jar", JAR.toString(), "invoke", "greeting");
        assertThat(greeting.exitStatus(60)).as(greeting.output()).isZero();
        JsonNode printed = JSON.readTree(greeting.output());
        assertThat(printed.path("result").asText()).isEqualTo("Hello Functions!");
        assertThat(printed.path("logs").isArray()).isTrue();

        UserProcess logging = java(project(), TEMPLATES, "-jar", JAR.toString(), "invoke", "c3e5a7b9-3333-4d7f-8b2c-4e6a8c0d2f03");
        assertThat(logging.exitStatus(60)).as(logging.output()).isZero();
        assertThat(JSON.readTree(logging.output()).path("logs")).extracting(line -> line.path("level").asText())
                .containsExactly("debug", "info", "warn", "error");
    }

    @Test
    void invokeTakesAPayloadFileAndAFailureExitsWithOne() throws Exception {
        Path folder = Files.createTempDirectory("invoke");
        Files.createDirectories(folder.resolve("functions/fails"));
        Files.writeString(folder.resolve("functions/fails/index.js"),
                "async function lambda(input) { console.warn('about to fail'); throw new Error('no order ' + input.payload.order); }");
        Files.writeString(folder.resolve("functions.yaml"), """
                functions:
                  - id: 7d1e2f30-0000-4000-8000-000000000001
                    name: fails
                    state: deployed
                    runtime: javascript
                    source: functions/fails
                """);
        Files.writeString(folder.resolve("payload.json"), "{\"order\": 4711}");

        UserProcess failing = java(folder, "-jar", JAR.toString(), "invoke", "fails", "--payload", "payload.json");
        assertThat(failing.exitStatus(60)).as(failing.output()).isEqualTo(1);
        JsonNode printed = JSON.readTree(failing.output());
        assertThat(printed.path("errorCode").asText()).isEqualTo("com.liveperson.faas.handler.custom-failure");
        assertThat(printed.path("errorMsg").asText()).isEqualTo("no order 4711");
        assertThat(printed.path("logs").get(0).path("message").asText()).isEqualTo("about to fail");

        UserProcess unknown = java(folder, "-jar", JAR.toString(), "invoke", "nobody");
        assertThat(unknown.exitStatus(60)).isEqualTo(2);
        assertThat(unknown.output()).contains("no function 'nobody' in the registry");
    }

    @Test
    void theJarStartsFromAFolderWithCopiesOfTheProjectsFilesAndNoFunctionsFolder() throws Exception {
        Path folder = Files.createTempDirectory("shipped");
        for (String file : List.of("application.properties", "functions.yaml", "auto-messages.yaml")) {
            Files.copy(Path.of(file), folder.resolve(file));
        }
        Folders.copy(Path.of("routes"), folder.resolve("routes"));
        int management = Ports.free();

        UserProcess bridge = java(folder, "-Dkafka.brokers=" + SharedKafka.bootstrapServers(), "-Dcamel.management.port=" + management,
                "-Dcamel.server.port=" + Ports.free(), "-Dbridge.consumer.group=shipped" + System.nanoTime(), "-jar", JAR.toString());
        try {
            Management health = new Management("http://127.0.0.1:" + management);
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).failFast(bridge::assertRunning)
                    .ignoreExceptions().until(() -> health.get("/observe/health/ready").status() == 200);
        } finally {
            bridge.terminate();
        }
        assertThat(bridge.exitStatus(60)).as(bridge.output()).isZero();
    }

    @Test
    void aLambdaThatDoesNotParseStopsTheBridgeWithStatusTwo() throws Exception {
        Path folder = Files.createTempDirectory("broken-lambda");
        Files.createDirectories(folder.resolve("functions/broken"));
        Files.writeString(folder.resolve("functions/broken/index.js"), "function lambda(input, callback) { callback(null, ");
        Files.copy(Path.of("application.properties"), folder.resolve("application.properties"));
        Files.copy(Path.of("auto-messages.yaml"), folder.resolve("auto-messages.yaml"));
        Folders.copy(Path.of("routes"), folder.resolve("routes"));
        Files.writeString(folder.resolve("functions.yaml"), """
                functions:
                  - id: broken
                    event: controllerbot_messaging_new_conversation
                    state: deployed
                    runtime: javascript
                    source: functions/broken
                """);

        UserProcess bridge = java(folder, "-Dkafka.brokers=" + SharedKafka.bootstrapServers(), "-Dcamel.management.port=" + Ports.free(),
                "-Dcamel.server.port=" + Ports.free(), "-jar", JAR.toString());
        assertThat(bridge.exitStatus(90)).as(bridge.output()).isEqualTo(2);
        assertThat(bridge.output()).contains("function broken").contains("does not load");
    }

    @Test
    void withoutNodeAJavaScriptFunctionFailsInOneLineNamingIt() throws Exception {
        Path folder = Files.createTempDirectory("no-node");
        Files.createDirectories(folder.resolve("functions/greet"));
        Files.writeString(folder.resolve("functions/greet/index.js"), "async function lambda(input) { return 1; }");
        Files.writeString(folder.resolve("functions.yaml"), """
                functions:
                  - id: greet
                    state: deployed
                    runtime: javascript
                    source: functions/greet
                """);

        UserProcess refused = java(folder, "-Dbridge.javascript.node=/nowhere/node", "-jar", JAR.toString(), "invoke", "greet");
        assertThat(refused.exitStatus(60)).as(refused.output()).isEqualTo(1);
        assertThat(refused.output()).contains("runtime javascript needs Node.js 20 or later on the host: '/nowhere/node' cannot be run");
    }

    @Test
    void theJarLeavesNoLambdaRuntimeBehindWhenItIsKilled() throws Exception {
        Path folder = Files.createTempDirectory("killed");
        for (String file : List.of("application.properties", "auto-messages.yaml")) {
            Files.copy(Path.of(file), folder.resolve(file));
        }
        Folders.copy(Path.of("routes"), folder.resolve("routes"));
        Files.createDirectories(folder.resolve("functions/greet"));
        Files.writeString(folder.resolve("functions/greet/index.js"), "async function lambda(input) { return []; }");
        Files.writeString(folder.resolve("functions.yaml"), """
                functions:
                  - id: greet
                    event: controllerbot_messaging_new_conversation
                    state: deployed
                    runtime: javascript
                    source: functions/greet
                """);
        int management = Ports.free();
        UserProcess bridge = java(folder, "-Dkafka.brokers=" + SharedKafka.bootstrapServers(), "-Dcamel.management.port=" + management,
                "-Dcamel.server.port=" + Ports.free(), "-Dbridge.consumer.group=killed" + System.nanoTime(), "-jar", JAR.toString());
        Management health = new Management("http://127.0.0.1:" + management);
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).failFast(bridge::assertRunning)
                .ignoreExceptions().until(() -> health.get("/observe/health/ready").status() == 200);
        List<ProcessHandle> node = bridge.descendants().stream().filter(p -> p.info().command().orElse("").contains("node")).toList();
        assertThat(node).as("the lambda runtime, a child of the bridge").hasSize(1);

        bridge.kill();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.stream().noneMatch(ProcessHandle::isAlive));
    }
}
