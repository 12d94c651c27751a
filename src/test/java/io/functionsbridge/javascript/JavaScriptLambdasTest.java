package io.functionsbridge.javascript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The JavaScript runtime (docs/javascript.md) case by case: what a lambda has, its limits, its escapes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JavaScriptLambdasTest {

    private static final String INPUT = "{\"timestamp\":1,\"headers\":[],\"payload\":{\"general\":{\"convId\":\"c-1\"}}}";

    @TempDir
    Path folder;

    private JavaScriptLambdas lambdas;
    private HttpServer server;
    private final AtomicInteger slowNow = new AtomicInteger();
    private final AtomicInteger slowAtOnce = new AtomicInteger();

    @BeforeAll
    void start() throws IOException {
        lambdas = new JavaScriptLambdas(2, 64L * 1024 * 1024);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hello", exchange -> {
            byte[] body = ("{\"method\":\"" + exchange.getRequestMethod() + "\",\"sent\":"
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).length() + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/slow", exchange -> {
            slowAtOnce.accumulateAndGet(slowNow.incrementAndGet(), Math::max);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                slowNow.decrementAndGet();
            }
            byte[] body = "{\"slow\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    @AfterAll
    void stop() {
        lambdas.close();
        server.stop(0);
    }

    private LambdaCode lambda(String name, String source) throws IOException {
        return lambda(name, source, "{}", "{\"secrets\":[{\"key\":\"apiKey\",\"value\":\"s3cret\"}],\"whitelist\":[\"127.0.0.1\"]}");
    }

    private LambdaCode lambda(String name, String source, String config, String settings) throws IOException {
        Path dir = Files.createDirectories(folder.resolve(name));
        Files.writeString(dir.resolve("index.js"), source);
        Files.writeString(dir.resolve("config.json"), config);
        Path settingsFile = folder.resolve(name + "-settings.json");
        Files.writeString(settingsFile, settings);
        return LambdaCode.read(dir, LambdaSettings.read(settingsFile));
    }

    private LambdaOutcome run(LambdaCode code) throws Exception {
        return run(code, 2000);
    }

    private LambdaOutcome run(LambdaCode code, long timeoutMs) throws Exception {
        return lambdas.invoke(code, INPUT, timeoutMs).get(30, TimeUnit.SECONDS);
    }

    @Test
    void aV1LambdaAnswersThroughItsCallback() throws Exception {
        LambdaOutcome outcome = run(lambda("v1", """
                function lambda(input, callback) {
                  callback(null, [{type: 'systemMessage', text: 'hello ' + input.payload.general.convId}]);
                }
                """));
        assertThat(outcome.succeeded()).as(String.valueOf(outcome)).isTrue();
        assertThat(outcome.resultJson()).isEqualTo("[{\"type\":\"systemMessage\",\"text\":\"hello c-1\"}]");
    }

    @Test
    void aFolderAsThePlatformsCliMakesItRunsUnchanged() throws Exception {
        // lpf init's example function, config.json and settings.json, as the CLI writes them
        LambdaCode example = lambda("exampleFunction", """
                function lambda(input, callback) {
                  callback(null, `Hello World`);
                }
                """, """
                {
                  "name": null,
                  "event": null,
                  "description": null,
                  "input": {
                    "headers": [],
                    "payload": {}
                  },
                  "environmentVariables": [
                    {
                      "key": "",
                      "value": ""
                    }
                  ]
                }
                """, """
                {
                  "secrets": [
                    {
                      "key": "",
                      "value": ""
                    }
                  ],
                  "whitelist": ["*.liveperson.com"]
                }
                """);
        JavaScriptLambdas.check(example);
        assertThat(example.env()).isEmpty();
        assertThat(example.settings().allows("api.liveperson.com")).isTrue();
        assertThat(example.settings().allows("example.org")).isFalse();
        assertThat(run(example).resultJson()).isEqualTo("\"Hello World\"");
    }

    @Test
    void aV2LambdaAnswersWithItsValue() throws Exception {
        LambdaOutcome outcome = run(lambda("v2", """
                import { Toolbelt } from 'core-functions-toolbelt';
                async function lambda(input) {
                  const secret = await Toolbelt.SecretClient().readSecret('apiKey');
                  return { convId: input.payload.general.convId, secret: secret.value };
                }
                """));
        assertThat(outcome.succeeded()).as(String.valueOf(outcome)).isTrue();
        assertThat(outcome.resultJson()).isEqualTo("{\"convId\":\"c-1\",\"secret\":\"s3cret\"}");
    }

    @Test
    void aLambdaHasItsEnvironmentAndItsSecretsAndUpdatesThemInItsSettings() throws Exception {
        LambdaCode code = lambda("env", """
                const { Toolbelt } = require('lp-faas-toolbelt');
                function lambda(input, callback) {
                  const secrets = Toolbelt.SecretClient();
                  secrets.updateSecret({ key: 'counter', value: '7' })
                    .then(() => secrets.readSecret('counter'))
                    .then((counter) => callback(null, { region: process.env.REGION, counter: counter.value }))
                    .catch((error) => callback(error));
                }
                """, "{\"environmentVariables\":[{\"key\":\"REGION\",\"value\":\"eu\"}]}", "{\"secrets\":[],\"whitelist\":[]}");
        LambdaOutcome outcome = run(code);
        assertThat(outcome.resultJson()).as(String.valueOf(outcome)).isEqualTo("{\"region\":\"eu\",\"counter\":\"7\"}");
        assertThat(Files.readString(folder.resolve("env-settings.json"))).contains("\"counter\"").contains("\"7\"");
    }

    @Test
    void anUnknownSecretRejectsItsRead() throws Exception {
        LambdaOutcome outcome = run(lambda("no-secret", """
                const { Toolbelt } = require('lp-faas-toolbelt');
                async function lambda(input) { return Toolbelt.SecretClient().readSecret('nope'); }
                """));
        assertThat(outcome.errorCode()).isEqualTo(JavaScriptLambdas.CUSTOM_FAILURE);
        assertThat(outcome.errorMessage()).contains("secret nope does not exist");
    }

    @Test
    void fetchReachesAWhitelistedHostAndIsRefusedAnyOther() throws Exception {
        int port = server.getAddress().getPort();
        LambdaOutcome allowed = run(lambda("fetch", """
                async function lambda(input) {
                  const response = await fetch('http://127.0.0.1:%d/hello', { method: 'POST', body: 'abc' });
                  return { status: response.status, body: await response.json(), type: response.headers.get('content-type') };
                }
                """.formatted(port)));
        assertThat(allowed.resultJson()).as(String.valueOf(allowed))
                .isEqualTo("{\"status\":200,\"body\":{\"method\":\"POST\",\"sent\":3},\"type\":\"application/json\"}");

        LambdaOutcome refused = run(lambda("fetch-refused", """
                async function lambda(input) {
                  try {
                    await fetch('http://localhost:%d/hello');
                    return 'reached';
                  } catch (e) {
                    return 'refused: ' + e.message;
                  }
                }
                """.formatted(port)));
        assertThat(refused.resultJson()).isEqualTo("\"refused: host localhost is not on the whitelist (settings.json)\"");
    }

    @Test
    void runsAwaitingAnAnswerHoldNoThread() throws Exception {
        LambdaCode slow = lambda("slow", """
                async function lambda(input) {
                  const response = await fetch('http://127.0.0.1:%d/slow');
                  return (await response.json()).slow;
                }
                """.formatted(server.getAddress().getPort()));
        run(slow);
        List<CompletableFuture<LambdaOutcome>> runs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            runs.add(lambdas.invoke(slow, INPUT, 10_000));
        }
        for (CompletableFuture<LambdaOutcome> each : runs) {
            assertThat(each.get(30, TimeUnit.SECONDS).resultJson()).isEqualTo("true");
        }
        assertThat(slowAtOnce.get()).as("requests under way at once, from two threads").isGreaterThan(10);
    }

    @Test
    void timersRunLaterInTheSameInvocationAndCanBeCleared() throws Exception {
        LambdaOutcome outcome = run(lambda("timers", """
                async function lambda(input) {
                  const fired = [];
                  const cleared = setTimeout(() => fired.push('cleared'), 10);
                  clearTimeout(cleared);
                  await new Promise((resolve) => setTimeout(() => { fired.push('waited'); resolve(); }, 50));
                  return fired;
                }
                """));
        assertThat(outcome.resultJson()).as(String.valueOf(outcome)).isEqualTo("[\"waited\"]");
    }

    @Test
    void theV1HttpClientIsRequestPromiseShaped() throws Exception {
        LambdaOutcome outcome = run(lambda("http-client", """
                const { Toolbelt } = require('lp-faas-toolbelt');
                function lambda(input, callback) {
                  Toolbelt.HTTPClient()({ uri: 'http://127.0.0.1:%d/hello', method: 'PUT', json: true, body: { a: 1 } })
                    .then((body) => callback(null, body), callback);
                }
                """.formatted(server.getAddress().getPort())));
        assertThat(outcome.resultJson()).as(String.valueOf(outcome)).isEqualTo("{\"method\":\"PUT\",\"sent\":7}");
    }

    @Test
    void theToolbeltsPlatformClientsSayTheyAreNotAvailable() throws Exception {
        LambdaOutcome outcome = run(lambda("conversation-util", """
                const { Toolbelt } = require('lp-faas-toolbelt');
                async function lambda(input) { return Toolbelt.ConversationUtil().getConversationById('x'); }
                """));
        assertThat(outcome.errorCode()).isEqualTo(JavaScriptLambdas.CUSTOM_FAILURE);
        assertThat(outcome.errorMessage()).contains("ConversationUtil() is not available in functions-bridge");
    }

    @Test
    void aThrowARejectionAndACallbackErrorAreCustomFailures() throws Exception {
        for (String source : List.of(
                "function lambda(input, callback) { throw new Error('thrown'); }",
                "async function lambda(input) { throw new Error('rejected'); }",
                "function lambda(input, callback) { callback(new Error('called back')); }",
                "async function lambda(input) { return Promise.reject('a string'); }")) {
            LambdaOutcome outcome = run(lambda("fails-" + Math.abs(source.hashCode()), source));
            assertThat(outcome.errorCode()).as(source).isEqualTo(JavaScriptLambdas.CUSTOM_FAILURE);
            assertThat(outcome.errorMessage()).as(source).containsAnyOf("thrown", "rejected", "called back", "a string");
        }
    }

    @Test
    void aLambdaThatNeverAnswersFailsAtOnce() throws Exception {
        LambdaOutcome outcome = run(lambda("silent", "function lambda(input, callback) { }"));
        assertThat(outcome.errorCode()).isEqualTo(JavaScriptLambdas.RUNTIME_EXCEPTION);
        assertThat(outcome.errorMessage()).contains("callback was not called");
    }

    @Test
    void anEndlessLoopEndsAtItsTimeoutAndOtherLambdasGoOn() throws Exception {
        LambdaCode loop = lambda("loop", "function lambda(input, callback) { while (true) {} }");
        LambdaCode quick = lambda("quick", "async function lambda(input) { return 'quick'; }");
        long started = System.nanoTime();
        CompletableFuture<LambdaOutcome> looping = lambdas.invoke(loop, INPUT, 500);
        assertThat(run(quick).resultJson()).as("a lambda beside the loop").isEqualTo("\"quick\"");
        LambdaOutcome ended = looping.get(10, TimeUnit.SECONDS);
        assertThat(ended.errorCode()).isEqualTo(JavaScriptLambdas.TIME_EXCEEDED);
        assertThat(ended.timedOut()).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(450L, 5000L);
        assertThat(run(quick).resultJson()).isEqualTo("\"quick\"");
    }

    @Test
    void aMemoryHogFailsItsRunAndTheHeapStaysBounded() throws Exception {
        LambdaOutcome outcome = run(lambda("hog", """
                async function lambda(input) {
                  const kept = [];
                  while (true) { kept.push(new Array(100000).fill(kept.length)); }
                }
                """), 20_000);
        assertThat(outcome.errorCode()).isEqualTo(JavaScriptLambdas.RUNTIME_EXCEPTION);
        assertThat(outcome.errorMessage()).contains("allocated more than 64 MB");
        System.gc();
        long usedMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
        assertThat(usedMb).as("what the hog held is garbage once its run ended").isLessThan(400);
        assertThat(run(lambda("after-hog", "async function lambda(input) { return 1; }")).resultJson()).isEqualTo("1");
    }

    @Test
    void aHogAtTheTopOfItsSourceIsCappedAsItsRunIs() throws Exception {
        LambdaOutcome outcome = run(lambda("top-hog", "const kept = [];\n"
                + "while (true) { kept.push(new Array(100000).fill(1)); }\n"
                + "async function lambda(input) { return 1; }\n"), 20_000);
        assertThat(outcome.errorCode()).isEqualTo(JavaScriptLambdas.RUNTIME_EXCEPTION);
        assertThat(outcome.errorMessage()).contains("allocated more than 64 MB");
    }

    @Test
    void escapesHaveNoEffectOutsideTheLambda() throws Exception {
        LambdaOutcome outcome = run(lambda("escapes", """
                async function lambda(input) {
                  const tried = {};
                  const attempt = (name, f) => { try { tried[name] = 'ran: ' + String(f()); } catch (e) { tried[name] = 'refused'; } };
                  attempt('Java.type', () => Java.type('java.lang.System').exit(3));
                  attempt('Polyglot.eval', () => Polyglot.eval('python', '1'));
                  attempt('load', () => load('/etc/passwd'));
                  attempt('fs', () => require('fs').readFileSync('/etc/passwd'));
                  attempt('child_process', () => require('child_process').execSync('id'));
                  attempt('process.exit', () => process.exit(1));
                  attempt('constructor', () => (function () {}).constructor('return typeof Java')());
                  return tried;
                }
                """));
        assertThat(outcome.succeeded()).as(String.valueOf(outcome)).isTrue();
        assertThat(outcome.resultJson()).isEqualTo("{\"Java.type\":\"refused\",\"Polyglot.eval\":\"refused\",\"load\":\"refused\","
                + "\"fs\":\"refused\",\"child_process\":\"refused\",\"process.exit\":\"refused\",\"constructor\":\"ran: undefined\"}");
    }

    @Test
    void aRunKeepsItsFirstTenLogEntriesAndCountsTheRest() throws Exception {
        LambdaOutcome outcome = run(lambda("chatty", """
                function lambda(input, callback) {
                  for (let i = 1; i <= 12; i++) { console.info('line', i, { i }); }
                  console.error(new Error('boom'));
                  callback(null, 'ok');
                }
                """));
        assertThat(outcome.logs()).hasSize(10).first().satisfies(line -> {
            assertThat(line.level()).isEqualTo("info");
            assertThat(line.message()).isEqualTo("line 1 {\"i\":1}");
        });
        assertThat(outcome.dropped()).isEqualTo(3);
    }

    @Test
    void aRunKeepsAtMost6000CharactersOfLog() throws Exception {
        LambdaOutcome outcome = run(lambda("wordy", """
                async function lambda(input) { console.log('a'.repeat(4000)); console.log('b'.repeat(4000)); console.log('c'); return null; }
                """));
        assertThat(outcome.logs()).extracting(LambdaOutcome.LogLine::message).containsExactly("a".repeat(4000), "c");
        assertThat(outcome.dropped()).isEqualTo(1);
        assertThat(outcome.resultJson()).isEqualTo("null");
    }

    @Test
    void aWarmInstanceKeepsItsModuleStateBetweenRuns() throws Exception {
        LambdaCode counter = lambda("counter", "let calls = 0;\nasync function lambda(input) { calls++; return calls; }");
        List<String> results = List.of(run(counter).resultJson(), run(counter).resultJson(), run(counter).resultJson());
        assertThat(results).as("runs on at most two warm instances").contains("2");
    }

    @Test
    void aSourceThatDoesNotParseOrDefinesNoLambdaIsRefused() throws Exception {
        assertThatThrownBy(() -> JavaScriptLambdas.check(lambda("broken", "function lambda(input, callback) { callback(null, ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not load").hasMessageContaining("index.js");
        assertThatThrownBy(() -> JavaScriptLambdas.check(lambda("nameless", "function handler(input, callback) { }")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defines no function lambda");
        assertThatThrownBy(() -> JavaScriptLambdas.check(lambda("nameless-module", "import { Toolbelt } from 'core-functions-toolbelt';\n"
                + "async function handler(input) { }"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not load");
        JavaScriptLambdas.check(lambda("fine", "async function lambda(input) { return 1; }"));
    }

    @Test
    void aSourceOver100000CharactersIsRefused() throws IOException {
        String padded = "function lambda(input, callback) { callback(null, 1); }\n//" + "x".repeat(100_001);
        Path dir = Files.createDirectories(folder.resolve("huge"));
        Files.writeString(dir.resolve("index.js"), padded.substring(0, 100_001));
        assertThatThrownBy(() -> LambdaCode.read(dir, LambdaSettings.none())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("100001 characters, more than the 100000");
        Files.writeString(dir.resolve("index.js"), padded.substring(0, 100_000));
        assertThat(LambdaCode.read(dir, LambdaSettings.none()).source()).hasSize(100_000);
    }
}
