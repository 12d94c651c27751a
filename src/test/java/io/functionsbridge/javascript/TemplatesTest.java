package io.functionsbridge.javascript;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.functionsbridge.domain.Command;
import io.functionsbridge.domain.EventSamples;
import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.domain.LambdaCode;
import io.functionsbridge.registry.FunctionRegistry;
import io.functionsbridge.registry.LambdaFolder;
import io.functionsbridge.reply.NormalizedReply;
import io.functionsbridge.reply.ReplyNormalizer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The templates of {@code functions/}, as the main job deploys them ({@code functions/templates.yaml}
 * beside {@code functions.yaml}, read as one registry): each runs
 * against its event's sample payload (a function of no event, against its config.json's input) and
 * answers what its event takes: valid commands for a messaging event, e-mails for the transcript.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TemplatesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MAIN_JOB_REGISTRY = "functions.yaml,functions/templates.yaml";

    private final JavaScriptLambdas lambdas = new JavaScriptLambdas("node", 256, 1_048_576);

    @TempDir
    Path copies;

    private HttpServer statusPage;

    @BeforeAll
    void serveAStatusPage() throws IOException {
        statusPage = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        statusPage.createContext("/api/v2/status.json", exchange -> {
            byte[] body = "{\"indicator\":\"none\",\"description\":\"All Systems Operational\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        statusPage.start();
    }

    @AfterAll
    void stop() {
        lambdas.close();
        statusPage.stop(0);
    }

    static Stream<FunctionDefinition> templates() {
        return FunctionRegistry.read(FunctionRegistry.files(MAIN_JOB_REGISTRY), Path.of("functions", "settings.json")).functions().stream()
                .filter(FunctionDefinition::isJavaScript);
    }

    @Test
    void everyFolderOfFunctionsIsDeployedByTheMainJob() throws Exception {
        try (Stream<Path> folders = Files.list(Path.of("functions"))) {
            List<String> made = folders.filter(Files::isDirectory).map(folder -> folder.getFileName().toString()).sorted().toList();
            assertThat(templates().map(function -> function.lambda().name()).sorted().toList()).isEqualTo(made);
            assertThat(made).hasSizeGreaterThanOrEqualTo(23);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templates")
    void aTemplateAnswersItsEventsSamplePayload(FunctionDefinition template) throws Exception {
        LambdaCode code = template.lambda().name().equals("http") ? httpTemplateOnThisHost() : withCopiedSettings(template.lambda());
        LambdaOutcome outcome = run(code, input(template));

        assertThat(outcome.succeeded()).as(template.displayName() + ": " + outcome).isTrue();
        byte[] result = outcome.resultJson().getBytes(StandardCharsets.UTF_8);
        String event = template.event() == null ? "" : template.event();
        if (event.startsWith("controllerbot_messaging_")) {
            NormalizedReply reply = new ReplyNormalizer().normalize(result);
            assertThat(reply.problems()).as(template.displayName()).isEmpty();
            assertThat(reply.commands()).as(template.displayName()).isNotEmpty();
        } else if (event.equals("denver_post_survey_email_transcript")) {
            NormalizedReply reply = new ReplyNormalizer().normalizeTranscripts(result);
            assertThat(reply.problems()).isEmpty();
            assertThat(reply.commands()).singleElement().extracting(Command::type).isEqualTo(Command.Type.SEND_TRANSCRIPT);
        }
    }

    @Test
    void theGreetingGreets() throws Exception {
        assertThat(run(template("greeting"), input(function("greeting"))).resultJson()).isEqualTo("\"Hello Functions!\"");
    }

    /** The template with a copy of functions/settings.json: what it updates stays out of the project. */
    private LambdaCode withCopiedSettings(LambdaCode template) throws IOException {
        Path settings = Files.createTempFile(copies, "settings", ".json");
        Files.copy(Path.of("functions", "settings.json"), settings, StandardCopyOption.REPLACE_EXISTING);
        return new LambdaCode(template.name(), template.folder(), template.source(), template.module(), template.env(), template.input(),
                LambdaSettings.whitelist(settings), settings);
    }

    /** The HTTP template, its status page served here (its own is on the internet). */
    private LambdaCode httpTemplateOnThisHost() throws IOException {
        Path settings = copies.resolve("http-settings.json");
        Files.writeString(settings, "{\"secrets\":[],\"whitelist\":[\"127.0.0.1\"]}");
        LambdaCode http = template("http");
        return new LambdaCode(http.name(), http.folder(), http.source(), http.module(),
                Map.of("STATUS_URL", "http://127.0.0.1:" + statusPage.getAddress().getPort() + "/api/v2/status.json"), http.input(),
                LambdaSettings.whitelist(settings), settings);
    }

    @Test
    void theHttpTemplateFetchesItsWhitelistedUrlAndIsRefusedAnother() throws Exception {
        LambdaOutcome fetched = run(httpTemplateOnThisHost(), "{\"headers\":[],\"payload\":{}}");
        assertThat(JSON.readTree(fetched.resultJson()).path("status").path("indicator").asText()).as(String.valueOf(fetched)).isEqualTo("none");

        LambdaCode http = template("http");
        LambdaOutcome refused = run(new LambdaCode(http.name(), http.folder(), http.source(), http.module(),
                Map.of("STATUS_URL", "https://elsewhere.example.org/status"), http.input(), http.whitelist(), http.settingsFile()),
                "{\"headers\":[],\"payload\":{}}");
        assertThat(refused.errorCode()).isEqualTo(JavaScriptLambdas.CUSTOM_FAILURE);
        assertThat(refused.errorMessage()).contains("host elsewhere.example.org is not on the whitelist");
    }

    @Test
    void theSecretStorageTemplateCountsInItsSettings() throws Exception {
        Path settings = copies.resolve("settings.json");
        Files.copy(Path.of("functions", "settings.json"), settings);
        LambdaCode template = LambdaFolder.read(Path.of("functions", "secret-storage"), LambdaSettings.whitelist(settings), settings);
        assertThat(run(template, "{\"headers\":[],\"payload\":{}}").resultJson()).isEqualTo("{\"visits\":1}");
        assertThat(run(template, "{\"headers\":[],\"payload\":{}}").resultJson()).isEqualTo("{\"visits\":2}");
        assertThat(Files.readString(settings)).contains("\"visits\"").contains("\"2\"");
    }

    @Test
    void theLoggingTemplateLogsAtEachLevel() throws Exception {
        LambdaOutcome outcome = run(template("logging"), input(function("logging")));
        assertThat(outcome.logs()).extracting(LambdaOutcome.LogLine::level).containsExactly("debug", "info", "warn", "error");
        assertThat(outcome.logs().get(3).message()).contains("something that went wrong");
    }

    @Test
    void theIdleTemplateClosesAConversationTheConsumerLeft() throws Exception {
        ObjectNode payload = (ObjectNode) EventSamples.payload("controllerbot_messaging_conversation_idle").orElseThrow();
        ((ObjectNode) payload.get("general")).put("cbotEventType", "CONSUMER_NON_RESPONSIVE");
        LambdaOutcome outcome = run(template("messaging-conversation-idle"), envelope(payload));
        assertThat(new ReplyNormalizer().normalize(outcome.resultJson().getBytes(StandardCharsets.UTF_8)).commands())
                .extracting(Command::type).containsExactly(Command.Type.SYSTEM_MESSAGE, Command.Type.CLOSE_CONVERSATION);
    }

    @Test
    void thePreHookMasksCardNumbers() throws Exception {
        LambdaOutcome outcome = run(template("bot-pre-hook"), input(function("bot-pre-hook")));
        assertThat(JSON.readTree(outcome.resultJson()).path("message").asText()).isEqualTo("My card is [card number]");
    }

    private LambdaOutcome run(LambdaCode code, String input) throws Exception {
        return lambdas.invoke(code, input.getBytes(StandardCharsets.UTF_8), 5000).get(30, TimeUnit.SECONDS);
    }

    private static FunctionDefinition function(String name) {
        return templates().filter(function -> function.lambda().name().equals(name)).findFirst().orElseThrow();
    }

    private static LambdaCode template(String name) {
        return function(name).lambda();
    }

    /** The event's sample payload, or the config.json input of a function of no event. */
    private static String input(FunctionDefinition template) throws Exception {
        if (template.event() == null) {
            return JSON.writeValueAsString(template.lambda().input());
        }
        return envelope(EventSamples.payload(template.event()).orElseThrow(() -> new AssertionError("no sample of " + template.event())));
    }

    private static String envelope(JsonNode payload) throws Exception {
        ObjectNode envelope = JSON.createObjectNode().put("timestamp", 1_700_000_000_000L);
        envelope.putArray("headers");
        envelope.set("payload", payload);
        return JSON.writeValueAsString(envelope);
    }
}
