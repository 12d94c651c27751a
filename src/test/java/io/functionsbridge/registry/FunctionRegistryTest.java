package io.functionsbridge.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.functionsbridge.domain.EventCatalog;
import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.domain.RegistryException;
import io.functionsbridge.javascript.JavaScriptFunctions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionRegistryTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static FunctionRegistry parse(String yaml) throws IOException {
        return FunctionRegistry.parse(YAML.readTree(yaml), new EventCatalog(), "functions.yaml");
    }

    private static String function(String id, String event, String url, String state, String extra) {
        return "  - id: " + id + "\n    event: " + event + "\n    url: " + url + "\n    state: " + state + "\n" + extra;
    }

    @Test
    void loadsTheShippedRegistry() {
        FunctionRegistry registry = FunctionRegistry.read(Path.of("functions.yaml"));
        assertThat(registry.functions()).isNotEmpty();
        assertThat(registry.find("controllerbot_messaging_new_conversation", null)).isPresent();
    }

    @Test
    void aJavaScriptFunctionHasASourceFolderAndAFunctionMayHaveNoEvent(@TempDir Path dir) throws IOException {
        Path lambda = Files.createDirectories(dir.resolve("greet"));
        Files.writeString(lambda.resolve("index.js"), "async function lambda(input) { return 1; }");
        FunctionRegistry registry = parse("""
                functions:
                  - id: js
                    event: controllerbot_messaging_ttr
                    state: deployed
                    runtime: javascript
                    source: %s
                  - id: no-event
                    url: http://h/no-event
                    state: deployed
                """.formatted(lambda));
        assertThat(registry.find("controllerbot_messaging_ttr", null)).hasValueSatisfying(js -> {
            assertThat(js.isJavaScript()).isTrue();
            assertThat(js.url()).isNull();
            assertThat(js.lambda().source()).contains("async function lambda");
        });
        assertThat(registry.byId("no-event")).hasValueSatisfying(function -> assertThat(function.hasEvent()).isFalse());
        assertThat(registry.functions()).hasSize(2);
    }

    @Test
    void refusesAJavaScriptFunctionWithoutASourceOrWithAUrlOrAnUnknownRuntime(@TempDir Path dir) throws IOException {
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("index.js"), "function lambda(input, callback) {");
        assertThatThrownBy(() -> parse("""
                functions:
                  - id: no-source
                    state: deployed
                    runtime: javascript
                  - id: both
                    state: deployed
                    runtime: javascript
                    url: http://h/x
                    source: %1$s
                  - id: python
                    state: deployed
                    runtime: python
                  - id: broken
                    state: deployed
                    runtime: javascript
                    source: %1$s
                  - id: missing
                    state: deployed
                    runtime: javascript
                    source: %2$s
                """.formatted(broken, dir.resolve("nowhere"))))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("function no-source has runtime javascript and no source folder")
                .hasMessageContaining("function both has runtime javascript and a url")
                .hasMessageContaining("function python has runtime 'python' (http | javascript)")
                .hasMessageContaining("function missing: source " + dir.resolve("nowhere") + " has no index.js");
    }

    @Test
    void aRegistryWhoseLambdaDoesNotLoadIsRefusedAsAWhole(@TempDir Path dir) throws IOException {
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("index.js"), "function lambda(input, callback) {");
        Path fine = Files.createDirectories(dir.resolve("fine"));
        Files.writeString(fine.resolve("index.js"), "async function lambda(input) { return 1; }");
        Path file = Files.writeString(dir.resolve("functions.yaml"), """
                functions:
                  - id: fine
                    state: deployed
                    runtime: javascript
                    source: %s
                  - id: broken
                    state: undeployed
                    runtime: javascript
                    source: %s
                """.formatted(fine, broken));
        FunctionRegistry registry = new FunctionRegistry();
        registry.setFile(file.toString());
        registry.setSettingsFile(dir.resolve("settings.json").toString());
        JavaScriptFunctions javascript = new JavaScriptFunctions();
        registry.setJavascript(javascript);
        try {
            assertThatThrownBy(registry::load).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("function broken: source " + broken.resolve("index.js") + " does not load: SyntaxError")
                    .hasMessageNotContaining("function fine");
            assertThat(registry.functions()).as("none in force").isEmpty();
            assertThat(javascript.warmInstances()).as("what the refused registry loaded is let go").isZero();
        } finally {
            javascript.stop();
        }
    }

    @Test
    void severalFilesAreOneRegistry(@TempDir Path dir) throws IOException {
        Path first = Files.writeString(dir.resolve("functions.yaml"), "functions:\n"
                + function("a", "controllerbot_messaging_ttr", "http://h/a", "deployed", ""));
        Path second = Files.writeString(dir.resolve("more.yaml"), "functions:\n"
                + function("b", "controllerbot_messaging_conversation_end", "http://h/b", "deployed", ""));
        FunctionRegistry registry = FunctionRegistry.read(FunctionRegistry.files(first + " , " + second), dir.resolve("settings.json"));
        assertThat(registry.functions()).extracting(FunctionDefinition::id).containsExactly("a", "b");

        Files.writeString(second, "functions:\n" + function("a", "controllerbot_messaging_conversation_end", "http://h/b", "undeployed", "")
                + function("c", "controllerbot_messaging_ttr", "http://h/c", "deployed", ""));
        assertThatThrownBy(() -> FunctionRegistry.read(List.of(first, second), dir.resolve("settings.json")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("function registry " + first + ", " + second + " refused")
                .hasMessageContaining("function id a is repeated")
                .hasMessageContaining("event controllerbot_messaging_ttr has 2 deployed functions");
    }

    @Test
    void findsTheDeployedFunctionForTheSkill() throws IOException {
        FunctionRegistry registry = parse("functions:\n"
                + function("a", "controllerbot_messaging_conversation_routing", "http://h/a", "deployed", "    skills: [\"123\", 456]\n    timeoutMs: 700\n")
                + function("b", "controllerbot_messaging_ttr", "https://h/b", "deployed", "")
                + function("c", "controllerbot_messaging_conversation_end", "http://h/c", "undeployed", ""));
        assertThat(registry.find("controllerbot_messaging_conversation_routing", "123")).map(FunctionDefinition::id).contains("a");
        assertThat(registry.find("controllerbot_messaging_conversation_routing", "456")).map(FunctionDefinition::timeoutMs).contains(700);
        assertThat(registry.find("controllerbot_messaging_conversation_routing", "789")).isEmpty();
        assertThat(registry.find("controllerbot_messaging_conversation_routing", null)).isEmpty();
        assertThat(registry.find("controllerbot_messaging_ttr", "anything")).map(FunctionDefinition::id).contains("b");
        assertThat(registry.find("controllerbot_messaging_ttr", null)).map(FunctionDefinition::id).contains("b");
        assertThat(registry.find("controllerbot_messaging_conversation_end", null)).as("undeployed").isEmpty();
    }

    @Test
    void refusesUnknownEventsRepeatedIdsAndNonHttpUrlsNamingThem() {
        assertThatThrownBy(() -> parse("functions:\n"
                + function("a", "controllerbot_messaging_ttr", "http://h/a", "deployed", "")
                + function("a", "controllerbot_messaging_nope", "http://h/b", "undeployed", "")
                + function("c", "controllerbot_messaging_idle", "ftp://h/c", "undeployed", "")
                + function("d", "controllerbot_messaging_conversation_end", "not a url", "deployed", "")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("function id a is repeated")
                .hasMessageContaining("function a names unknown event 'controllerbot_messaging_nope'")
                .hasMessageContaining("function c has url 'ftp://h/c', which is not an http(s) url")
                .hasMessageContaining("function d has url 'not a url'");
    }

    @Test
    void aFunctionOptsOutOfOAuth2WithAuthNoneAndAUrlWithCredentialsTakesNoToken() throws IOException {
        FunctionRegistry registry = parse("functions:\n"
                + function("open", "controllerbot_messaging_ttr", "http://h/open", "deployed", "    auth: none\n")
                + function("default", "controllerbot_messaging_conversation_end", "https://h/api/account/1/lambdas/x/invoke?v=1", "deployed", "")
                + function("basic", "controllerbot_messaging_conversation_idle", "https://svc:pw@h/basic", "deployed", ""));
        assertThat(registry.find("controllerbot_messaging_ttr", null)).map(FunctionDefinition::takesToken).contains(false);
        assertThat(registry.find("controllerbot_messaging_conversation_end", null)).map(FunctionDefinition::takesToken).contains(true);
        assertThat(registry.find("controllerbot_messaging_conversation_end", null)).map(FunctionDefinition::url)
                .contains("https://h/api/account/1/lambdas/x/invoke?v=1");
        assertThat(registry.find("controllerbot_messaging_conversation_idle", null)).map(FunctionDefinition::takesToken).contains(false);
        assertThatThrownBy(() -> parse("functions:\n" + function("x", "controllerbot_messaging_ttr", "http://h/x", "deployed", "    auth: basic\n")))
                .hasMessageContaining("function x has auth 'basic'");
    }

    @Test
    void refusesMoreDeployedFunctionsThanTheLimitNamingTheEventAndIds() throws IOException {
        assertThatThrownBy(() -> parse("functions:\n"
                + function("f1", "controllerbot_messaging_new_conversation", "http://h/1", "deployed", "")
                + function("f2", "controllerbot_messaging_new_conversation", "http://h/2", "deployed", "")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("event controllerbot_messaging_new_conversation has 2 deployed functions, more than its limit of 1: f1, f2");
        // undeployed functions do not count against the limit
        assertThat(parse("functions:\n"
                + function("f1", "controllerbot_messaging_new_conversation", "http://h/1", "deployed", "")
                + function("f2", "controllerbot_messaging_new_conversation", "http://h/2", "undeployed", "")).functions()).hasSize(2);
    }

    @Test
    void takesTenDeployedTranscriptFunctionsAndRefusesAnEleventh() throws IOException {
        StringBuilder ten = new StringBuilder("functions:\n");
        for (int i = 1; i <= 10; i++) {
            ten.append(function("t" + i, "denver_post_survey_email_transcript", "http://h/" + i, "deployed", ""));
        }
        FunctionRegistry registry = parse(ten.toString());
        assertThat(registry.findAll("denver_post_survey_email_transcript", null)).hasSize(10)
                .extracting(FunctionDefinition::id).startsWith("t1", "t2").endsWith("t10");
        assertThatThrownBy(() -> parse(ten + function("t11", "denver_post_survey_email_transcript", "http://h/11", "deployed", "")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("event denver_post_survey_email_transcript has 11 deployed functions, more than its limit of 10: t1, t2, t3,")
                .hasMessageContaining("t10, t11");
    }

    @Test
    void takesTheGatewaysEventsWithTheirLimits() throws IOException {
        StringBuilder thirty = new StringBuilder("functions:\n");
        for (int i = 1; i <= 30; i++) {
            thirty.append(function("c" + i, "conversational_command", "http://h/c" + i, "deployed", ""));
        }
        assertThat(parse(thirty.toString()).findAll("conversational_command", "any skill")).hasSize(30);
        assertThatThrownBy(() -> parse(thirty + function("c31", "conversational_command", "http://h/c31", "deployed", "")))
                .hasMessageContaining("more than its limit of 30");
        StringBuilder sixteen = new StringBuilder("functions:\n");
        for (int i = 1; i <= 16; i++) {
            sixteen.append(function("h" + i, "bot_connectors_pre_hook", "http://h/h" + i, "deployed", ""));
        }
        assertThatThrownBy(() -> parse(sixteen.toString())).hasMessageContaining("bot_connectors_pre_hook has 16 deployed functions, more than its limit of 15");
        // survey events take skills; the gateway's do not
        assertThat(parse("functions:\n" + function("s", "surveybot_messaging_survey_ended", "http://h/s", "deployed", "    skills: [\"7\"]\n"))
                .find("surveybot_messaging_survey_ended", "7")).isPresent();
        assertThatThrownBy(() -> parse("functions:\n" + function("k", "bot_connectors_post_hook", "http://h/k", "deployed", "    skills: [\"7\"]\n")))
                .hasMessageContaining("function k: skills do not apply to event bot_connectors_post_hook");
    }

    @Test
    void refusesBadStatesTimeoutsAndSkillsOnChatEvents() {
        assertThatThrownBy(() -> parse("functions:\n"
                + function("s", "controllerbot_messaging_ttr", "http://h/s", "running", "")
                + function("t", "controllerbot_messaging_idle_x", "http://h/t", "deployed", "    timeoutMs: -5\n")
                + function("k", "chat_start", "http://h/k", "deployed", "    skills: [\"1\"]\n")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("function s has state 'running'")
                .hasMessageContaining("function t: timeoutMs must be a positive whole number")
                .hasMessageContaining("function k: skills do not apply to event chat_start");
    }

    @Test
    void credentialsInAUrlBecomeAnAuthorizationHeaderAndAreNeverEchoed() throws IOException {
        FunctionRegistry registry = parse("functions:\n"
                + function("a", "controllerbot_messaging_ttr", "https://svc:p%40ss@h.example/a", "deployed", ""));
        FunctionDefinition function = registry.functions().get(0);
        assertThat(function.url()).isEqualTo("https://h.example/a");
        assertThat(function.authorization()).isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString("svc:p@ss".getBytes()));
        assertThat(function.toString()).doesNotContain("p%40ss").doesNotContain(function.authorization());
        assertThatThrownBy(() -> parse("functions:\n" + function("b", "controllerbot_messaging_ttr", "ftp://svc:hidden@h/b", "deployed", "")))
                .hasMessageContaining("ftp://h/b")
                .hasMessageNotContaining("hidden");
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> FunctionRegistry.read(dir.resolve("nope.yaml")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("nope.yaml not found");
    }

    @Test
    void anEmptyRegistryIsAllowed(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("functions.yaml"), "functions: []\n");
        assertThat(FunctionRegistry.read(file).functions()).isEmpty();
    }
}
