package io.functionsbridge.javascript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.functionsbridge.domain.LambdaCode;
import io.functionsbridge.registry.LambdaFolder;
import java.io.IOException;
import java.io.OutputStream;
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

/**
 * The JavaScript runtime (docs/javascript.md) case by case, on the Node.js it starts: what a lambda
 * has, its limits, its escapes. The cases of CONTRACT §19 (memory across runs, loading, waiting,
 * independent runs, versions, fairness, secrets) are in {@link LambdaIsolationTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JavaScriptLambdasTest {

    static final byte[] INPUT = "{\"timestamp\":1,\"headers\":[],\"payload\":{\"general\":{\"convId\":\"c-1\"}}}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path folder;

    private JavaScriptLambdas lambdas;
    private HttpServer server;
    private final AtomicInteger slowNow = new AtomicInteger();
    private final AtomicInteger slowAtOnce = new AtomicInteger();

    @BeforeAll
    void start() throws IOException {
        lambdas = new JavaScriptLambdas("node", 64, 1_048_576);
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
        server.createContext("/huge", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[1 << 20];
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 50; i++) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                // the lambda read no further
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    @AfterAll
    void stop() {
        lambdas.close();
        server.stop(0);
    }

    static LambdaCode lambda(Path folder, String name, String source, String config, String settings) throws IOException {
        Path dir = Files.createDirectories(folder.resolve(name));
        Files.writeString(dir.resolve("index.js"), source);
        Files.writeString(dir.resolve("config.json"), config);
        Path settingsFile = folder.resolve(name + "-settings.json");
        Files.writeString(settingsFile, settings);
        return LambdaFolder.read(dir, LambdaSettings.whitelist(settingsFile), settingsFile);
    }

    private LambdaCode lambda(String name, String source) throws IOException {
        return lambda(folder, name, source, "{}", "{\"secrets\":[{\"key\":\"apiKey\",\"value\":\"s3cret\"}],\"whitelist\":[\"127.0.0.1\"]}");
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
        LambdaCode example = lambda(folder, "exampleFunction", """
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
        assertThat(lambdas.load(example, 2000).get(30, TimeUnit.SECONDS)).isNull();
        assertThat(example.env()).isEmpty();
        assertThat(example.whitelist()).containsExactly("*.liveperson.com");
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
        LambdaCode code = lambda(folder, "env", """
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
    void anAnswerLongerThanTheCapFailsItsRequestInsideTheLambda() throws Exception {
        LambdaOutcome outcome = run(lambda("huge-answer", """
                async function lambda(input) {
                  try {
                    const response = await fetch('http://127.0.0.1:%d/huge');
                    return 'read ' + (await response.text()).length;
                  } catch (e) {
                    return 'caught: ' + e.message;
                  }
                }
                """.formatted(server.getAddress().getPort())), 10_000);
        assertThat(outcome.resultJson()).as(String.valueOf(outcome))
                .isEqualTo("\"caught: the answer is longer than 1048576 bytes (bridge.invoke.max-reply-bytes)\"");
    }

    @Test
    void aResultLongerThanTheCapIsTooLarge() throws Exception {
        LambdaOutcome outcome = run(lambda("huge-result", "async function lambda(input) { return 'x'.repeat(2 * 1048576); }"));
        assertThat(outcome.tooLarge()).as(String.valueOf(outcome)).isTrue();
        assertThat(outcome.resultJson()).isNull();
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
        assertThat(slowAtOnce.get()).as("requests under way at once, from one instance").isGreaterThan(10);
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
        long started = System.nanoTime();
        LambdaOutcome outcome = run(lambda("silent", "function lambda(input, callback) { }"), 10_000);
        assertThat(outcome.errorCode()).isEqualTo(JavaScriptLambdas.RUNTIME_EXCEPTION);
        assertThat(outcome.errorMessage()).contains("callback was not called");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("long before its timeout").isLessThan(5_000);
    }

    @Test
    void anEndlessLoopEndsAtItsTimeoutAndOtherLambdasGoOn() throws Exception {
        LambdaCode loop = lambda("loop", "function lambda(input, callback) { while (true) {} }");
        LambdaCode quick = lambda("quick", "async function lambda(input) { return 'quick'; }");
        run(quick);
        long started = System.nanoTime();
        CompletableFuture<LambdaOutcome> looping = lambdas.invoke(loop, INPUT, 500);
        assertThat(run(quick).resultJson()).as("a lambda beside the loop").isEqualTo("\"quick\"");
        LambdaOutcome ended = looping.get(10, TimeUnit.SECONDS);
        assertThat(ended.errorCode()).isEqualTo(JavaScriptLambdas.TIME_EXCEEDED);
        assertThat(ended.timedOut()).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(450L, 5000L);
        assertThat(run(quick).resultJson()).isEqualTo("\"quick\"");
        assertThat(run(loop, 300).errorCode()).as("the looping lambda's next run, on a new instance").isEqualTo(JavaScriptLambdas.TIME_EXCEEDED);
    }

    @Test
    void aMemoryHogFailsItsRunOnItsOwnInstance() throws Exception {
        LambdaOutcome outcome = run(lambda("hog", """
                async function lambda(input) {
                  const kept = [];
                  while (true) { kept.push(new Array(100000).fill(kept.length)); }
                }
                """), 20_000);
        assertThat(outcome.errorCode()).isEqualTo(JavaScriptLambdas.RUNTIME_EXCEPTION);
        assertThat(outcome.errorMessage()).contains("held more than its 64 MB");
        assertThat(run(lambda("after-hog", "async function lambda(input) { return 1; }")).resultJson()).isEqualTo("1");
    }

    @Test
    void arrayBuffersCountAgainstTheInstancesMemory() throws Exception {
        LambdaOutcome outcome = run(lambda("buffers", """
                async function lambda(input) {
                  const refused = [];
                  for (const make of [() => new ArrayBuffer(1e9), () => new Uint8Array(1e9), () => new Float64Array(2e8),
                      () => new ArrayBuffer(8, { maxByteLength: 1e9 })]) {
                    try { make(); refused.push('made'); } catch (e) { refused.push(e instanceof RangeError ? 'refused' : e.message); }
                  }
                  const kept = [];
                  try { while (true) { kept.push(new Uint8Array(4 * 1048576)); } } catch (e) { refused.push('stopped at ' + kept.length); }
                  return refused;
                }
                """), 10_000);
        assertThat(outcome.succeeded()).as(String.valueOf(outcome)).isTrue();
        assertThat(outcome.resultJson()).startsWith("[\"refused\",\"refused\",\"refused\",\"refused\",\"stopped at ");
        int kept = Integer.parseInt(outcome.resultJson().replaceAll("\\D+", " ").trim());
        assertThat(kept).as("4 MB buffers held within 64 MB").isBetween(1, 16);
    }

    @Test
    void escapesHaveNoEffectOutsideTheLambda() throws Exception {
        LambdaOutcome outcome = run(lambda("escapes", """
                async function lambda(input) {
                  const tried = {};
                  const attempt = (name, f) => { try { tried[name] = 'ran: ' + String(f()); } catch (e) { tried[name] = 'refused'; } };
                  attempt('Java.type', () => Java.type('java.lang.System').exit(3));
                  attempt('fs', () => require('fs').readFileSync('/etc/passwd'));
                  attempt('child_process', () => require('child_process').execSync('id'));
                  attempt('process.exit', () => process.exit(1));
                  attempt('process.kill', () => process.kill(1));
                  attempt('eval', () => eval('1 + 1'));
                  attempt('constructor', () => (function () {}).constructor('return process')().pid);
                  attempt('host constructor', () => setTimeout.constructor('return process')().pid);
                  attempt('WebAssembly', () => WebAssembly.Module);
                  attempt('Buffer', () => Buffer.from('x'));
                  tried.import = await import('fs').then(() => 'ran', () => 'refused');
                  return tried;
                }
                """));
        assertThat(outcome.succeeded()).as(String.valueOf(outcome)).isTrue();
        assertThat(outcome.resultJson()).isEqualTo("{\"Java.type\":\"refused\",\"fs\":\"refused\",\"child_process\":\"refused\","
                + "\"process.exit\":\"refused\",\"process.kill\":\"refused\",\"eval\":\"refused\",\"constructor\":\"refused\","
                + "\"host constructor\":\"refused\",\"WebAssembly\":\"refused\",\"Buffer\":\"refused\",\"import\":\"refused\"}");
    }

    @Test
    void aLambdaThatRewritesItsBuiltInsReachesNothingOfTheHost() throws Exception {
        LambdaOutcome outcome = run(lambda("rewrites-built-ins", """
                const caught = [];
                const originalThen = Promise.prototype.then;
                Promise.prototype.then = function (onValue, onError) {
                  caught.push(onValue, onError);
                  return originalThen.call(this, onValue, onError);
                };
                async function lambda(input) {
                  const polluted = [];
                  for (const f of caught) {
                    try {
                      const hostObject = Object.getPrototypeOf(Object.getPrototypeOf(f)).constructor;
                      Object.getPrototypeOf(hostObject.entries({})).some = () => true;
                      polluted.push(hostObject === Object ? 'own realm' : 'host realm');
                    } catch (e) {
                      polluted.push('refused');
                    }
                  }
                  let overflow = 'none';
                  try {
                    const deep = (n) => { console.log(n); return deep(n + 1); };
                    deep(0);
                  } catch (e) {
                    overflow = e instanceof Error ? 'own realm' : 'host realm';
                  }
                  let fetched;
                  try {
                    await fetch('http://elsewhere.example/x');
                    fetched = 'reached';
                  } catch (e) {
                    fetched = e.message;
                  }
                  return { hostRealm: polluted.filter((p) => p === 'host realm').length, overflow, fetched };
                }
                """));
        assertThat(outcome.succeeded()).as(String.valueOf(outcome)).isTrue();
        assertThat(outcome.resultJson()).isEqualTo("{\"hostRealm\":0,\"overflow\":\"own realm\","
                + "\"fetched\":\"host elsewhere.example is not on the whitelist (settings.json)\"}");
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
    void runsAtOnceKeepTheirOwnLogs() throws Exception {
        LambdaCode code = lambda("interleaved", """
                async function lambda(input) {
                  console.log('start ' + input.payload.n);
                  await new Promise((resolve) => setTimeout(resolve, 20 - input.payload.n));
                  console.log('end ' + input.payload.n);
                  return input.payload.n;
                }
                """);
        List<CompletableFuture<LambdaOutcome>> runs = new ArrayList<>();
        for (int n = 0; n < 10; n++) {
            runs.add(lambdas.invoke(code, ("{\"payload\":{\"n\":" + n + "}}").getBytes(StandardCharsets.UTF_8), 5000));
        }
        for (int n = 0; n < 10; n++) {
            assertThat(runs.get(n).get(10, TimeUnit.SECONDS).logs()).extracting(LambdaOutcome.LogLine::message)
                    .containsExactly("start " + n, "end " + n);
        }
    }

    @Test
    void aWarmInstanceKeepsItsModuleStateBetweenRuns() throws Exception {
        LambdaCode counter = lambda("counter", "let calls = 0;\nasync function lambda(input) { calls++; return calls; }");
        List<String> results = List.of(run(counter).resultJson(), run(counter).resultJson(), run(counter).resultJson());
        assertThat(results).containsExactly("1", "2", "3");
    }

    @Test
    void aSourceThatDoesNotParseOrDefinesNoLambdaDoesNotLoad() throws Exception {
        assertThat(lambdas.load(lambda("broken", "function lambda(input, callback) { callback(null, "), 2000).get(30, TimeUnit.SECONDS))
                .contains("does not load").contains("index.js").contains("SyntaxError");
        assertThat(lambdas.load(lambda("nameless", "function handler(input, callback) { }"), 2000).get(30, TimeUnit.SECONDS))
                .contains("defines no function lambda");
        assertThat(lambdas.load(lambda("nameless-module", "import { Toolbelt } from 'core-functions-toolbelt';\n"
                + "async function handler(input) { }"), 2000).get(30, TimeUnit.SECONDS)).contains("does not load");
        assertThat(lambdas.load(lambda("other-module", "import fs from 'fs';\nasync function lambda(input) { }"), 2000)
                .get(30, TimeUnit.SECONDS)).contains("Cannot find module 'fs'");
        assertThat(lambdas.load(lambda("fine", "async function lambda(input) { return 1; }"), 2000).get(30, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void aSourceOver100000CharactersIsRefused() throws IOException {
        String padded = "function lambda(input, callback) { callback(null, 1); }\n//" + "x".repeat(100_001);
        Path dir = Files.createDirectories(folder.resolve("huge"));
        Files.writeString(dir.resolve("index.js"), padded.substring(0, 100_001));
        Path settings = folder.resolve("none.json");
        assertThatThrownBy(() -> LambdaFolder.read(dir, List.of(), settings)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("100001 characters, more than the 100000");
        Files.writeString(dir.resolve("index.js"), padded.substring(0, 100_000));
        assertThat(LambdaFolder.read(dir, List.of(), settings).source()).hasSize(100_000);
    }
}
