package io.functionsbridge.demo;

import io.functionsbridge.BridgeApplication;
import io.functionsbridge.BridgeMain;
import io.functionsbridge.kafka.EmbeddedKafkaBroker;
import io.functionsbridge.output.OutcomeLog;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main job: the bridge on its embedded default. An in-process Kafka broker, the demo functions
 * on localhost ({@code demo.functions.port}, 18081), and a feed of sample events; the bridge prints
 * one line per event outcome and runs until Ctrl-C ({@code -Ddemo.exit-when-done=true} stops it once
 * every sample has its outcome).
 */
public final class DemoMain {

    /** The main job's registry: the demo functions of functions.yaml and the templates of functions/. */
    static final String MAIN_JOB_REGISTRY = "functions.yaml,functions/templates.yaml";

    private static final Logger LOG = LoggerFactory.getLogger(DemoMain.class);

    /**
     * The main job reloads an edited {@code routes/*.camel.yaml} (the packaged bridge only when
     * asked): only the routes of the edited file are replaced, the others keep running.
     */
    public static final Map<String, String> ROUTES_RELOAD = Map.of(
            "camel.main.routesReloadEnabled", "true",
            "camel.main.routesReloadDirectory", "routes",
            "camel.main.routesReloadPattern", "*.camel.yaml",
            "camel.main.routesReloadRemoveAllRoutes", "false");

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        int functionsPort = Integer.getInteger("demo.functions.port", 18081);
        boolean exitWhenDone = Boolean.getBoolean("demo.exit-when-done");

        LOG.info("Starting the embedded Kafka broker...");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        LocalFunctionServer functions = LocalFunctionServer.start(functionsPort);
        DemoFunctions.serve(functions);
        LOG.info("Kafka on {}, demo functions on http://127.0.0.1:{}/lambdas/", broker.bootstrapServers(), functions.port());

        Map<String, String> settings = new HashMap<>(ROUTES_RELOAD);
        settings.put("kafka.brokers", broker.bootstrapServers());
        // the demo functions, and the JavaScript templates beside them (they need their folders,
        // which the packaged bridge's folder does not have)
        settings.put("bridge.functions.file", System.getProperty("bridge.functions.file", MAIN_JOB_REGISTRY));
        Main main = BridgeApplication.create(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                // the bridge stops first (Camel's own hook), then what it runs on
                stopped.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            functions.close();
            broker.close();
        }, "demo-stop"));

        Thread feeder = new Thread(() -> feed(main, broker.bootstrapServers(), exitWhenDone), "demo-feed");
        feeder.setDaemon(true);
        feeder.start();
        int status = 1;
        try {
            status = main.run(args);
        } catch (Exception e) {
            status = BridgeMain.reportStartFailure(e);
        } finally {
            stopped.countDown();
        }
        System.exit(status);
    }

    private static void feed(Main main, String bootstrap, boolean exitWhenDone) {
        try {
            CamelContext context = awaitStarted(main);
            Map<String, String> topics = Map.of(
                    "events", context.resolvePropertyPlaceholders("{{bridge.topic.events}}"),
                    "chat", context.resolvePropertyPlaceholders("{{bridge.topic.chat-events}}"),
                    "survey", context.resolvePropertyPlaceholders("{{bridge.topic.survey-events}}"),
                    "transcript", context.resolvePropertyPlaceholders("{{bridge.topic.transcript-events}}"));
            List<SampleEvents.Sample> samples = SampleEvents.all();
            LOG.info("Writing {} sample events; one line per outcome follows", samples.size());
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
                for (SampleEvents.Sample sample : samples) {
                    ProducerRecord<String, String> record = new ProducerRecord<>(topics.get(sample.input()), sample.key(), sample.value());
                    sample.headers().forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
                    producer.send(record);
                }
            }
            OutcomeLog outcomes = context.getRegistry().lookupByNameAndType("outcomeLog", OutcomeLog.class);
            long deadline = System.currentTimeMillis() + 120_000;
            while (outcomes.getEvents() < samples.size() && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            LOG.info("All {} sample events handled: {} commands written, dead letters {}.",
                    outcomes.getEvents(), outcomes.getCommands(), outcomes.getDeadLetters());
            callTheGateway("http://127.0.0.1:" + context.resolvePropertyPlaceholders("{{camel.server.port}}"));
            LOG.info("Ctrl-C stops the bridge.");
            if (exitWhenDone) {
                main.completed();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.error("The demo feed failed", e);
            main.completed();
        }
    }

    /** A few calls of the gateway, as a conversational command, a bot connector and an external system make them. */
    private static void callTheGateway(String gateway) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String account = gateway + "/api/account/local";
        String command = "{\"timestamp\":" + System.currentTimeMillis()
                + ",\"headers\":[],\"payload\":{\"conversationId\":\"conv-4\",\"arguments\":[\"12345\"]}}";
        String message = "{\"timestamp\":" + System.currentTimeMillis()
                + ",\"headers\":[],\"payload\":{\"message\":\"my card is 4111111111111111\"}}";
        List<HttpRequest> calls = List.of(
                HttpRequest.newBuilder(URI.create(account + "/lambdas/a1c2e3f4-1111-4a5b-8c6d-7e8f9a0b1c05/invoke?v=1"))
                        .POST(HttpRequest.BodyPublishers.ofString(command)).header("Content-Type", "application/json").build(),
                HttpRequest.newBuilder(URI.create(account + "/events/bot_connectors_pre_hook/invoke?v=1"))
                        .POST(HttpRequest.BodyPublishers.ofString(message)).header("Content-Type", "application/json").build(),
                HttpRequest.newBuilder(URI.create(account + "/events/conversational_command/isImplemented?v=1")).GET().build(),
                // the Greeting template, a function of no event: by its UUID only
                HttpRequest.newBuilder(URI.create(account + "/lambdas/c3e5a7b9-3333-4d7f-8b2c-4e6a8c0d2f01/invoke?v=1"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"headers\":[],\"payload\":{\"name\":\"main job\"}}"))
                        .header("Content-Type", "application/json").build());
        for (HttpRequest call : calls) {
            HttpResponse<String> answer = http.send(call, HttpResponse.BodyHandlers.ofString());
            LOG.info("gateway {} {} -> {} {}", call.method(), call.uri().getPath(), answer.statusCode(), answer.body());
        }
    }

    private static CamelContext awaitStarted(Main main) throws InterruptedException {
        while (main.getCamelContext() == null || !main.getCamelContext().isStarted()) {
            Thread.sleep(100);
        }
        return main.getCamelContext();
    }
}
