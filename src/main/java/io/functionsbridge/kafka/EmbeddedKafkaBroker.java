package io.functionsbridge.kafka;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node Apache Kafka broker in this JVM (KRaft, the real broker code, no Docker), on
 * loopback ports, with its data in a temporary folder removed on {@link #close()}. Used by the main
 * job and the tests; the packaged bridge never starts one.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private final Map<String, Integer> listenerPorts;
    private final KafkaConfig config;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(Path dataDir, int port, Map<String, Integer> listenerPorts, KafkaConfig config, KafkaRaftServer server) {
        this.dataDir = dataDir;
        this.port = port;
        this.listenerPorts = listenerPorts;
        this.config = config;
        this.server = server;
    }

    /** Formats a fresh storage folder and starts the broker; returns once it takes connections. */
    public static EmbeddedKafkaBroker start() {
        return start(List.of(), Map.of(), List.of());
    }

    /**
     * Likewise, with more listeners besides PLAINTEXT (each named after its security protocol:
     * {@code SASL_SSL}, {@code SASL_PLAINTEXT}, {@code SSL}), more broker settings (their security),
     * and SCRAM users added when the storage is formatted ({@code SCRAM-SHA-512=[name=...,password=...]}).
     * The controller and the brokers' own listener stay PLAINTEXT.
     */
    public static EmbeddedKafkaBroker start(List<String> securedListeners, Map<String, String> settings, List<String> scramUsers) {
        try {
            Path dataDir = Files.createTempDirectory("functions-bridge-kafka");
            int port = freePort();
            int controllerPort = freePort();
            Map<String, Integer> listenerPorts = new LinkedHashMap<>();
            StringBuilder listeners = new StringBuilder("PLAINTEXT://127.0.0.1:" + port);
            StringBuilder advertised = new StringBuilder("PLAINTEXT://127.0.0.1:" + port);
            StringBuilder protocols = new StringBuilder("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            for (String listener : securedListeners) {
                int listenerPort = freePort();
                listenerPorts.put(listener, listenerPort);
                listeners.append(',').append(listener).append("://127.0.0.1:").append(listenerPort);
                advertised.append(',').append(listener).append("://127.0.0.1:").append(listenerPort);
                protocols.append(',').append(listener).append(':').append(listener);
            }
            Properties config = new Properties();
            config.put("process.roles", "broker,controller");
            config.put("node.id", "1");
            config.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
            config.put("listeners", listeners + ",CONTROLLER://127.0.0.1:" + controllerPort);
            config.put("advertised.listeners", advertised.toString());
            config.put("controller.listener.names", "CONTROLLER");
            config.put("inter.broker.listener.name", "PLAINTEXT");
            config.put("listener.security.protocol.map", protocols.toString());
            config.put("log.dirs", dataDir.toString());
            config.put("num.partitions", "1");
            config.put("message.max.bytes", String.valueOf(16 * 1024 * 1024));
            config.put("auto.create.topics.enable", "true");
            config.put("offsets.topic.replication.factor", "1");
            config.put("offsets.topic.num.partitions", "1");
            config.put("transaction.state.log.replication.factor", "1");
            config.put("transaction.state.log.min.isr", "1");
            config.put("group.initial.rebalance.delay.ms", "0");
            config.put("log.flush.interval.messages", "10000");
            config.put("num.network.threads", "2");
            config.put("num.io.threads", "2");
            config.put("background.threads", "2");
            config.putAll(settings);
            KafkaConfig kafkaConfig = new KafkaConfig(config);

            Formatter formatter = new Formatter()
                    .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dataDir.toString()))
                    .setMetadataLogDirectory(dataDir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setScramArguments(scramUsers);
            formatter.run();

            KafkaRaftServer server = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
            server.startup();
            return new EmbeddedKafkaBroker(dataDir, port, listenerPorts, kafkaConfig, server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded Kafka broker", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the embedded Kafka broker: " + e.getMessage(), e);
        }
    }

    /** The bootstrap servers to give clients. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The bootstrap servers of a secured listener (by its security protocol). */
    public String bootstrapServers(String securedListener) {
        Integer listenerPort = listenerPorts.get(securedListener);
        if (listenerPort == null) {
            throw new IllegalArgumentException("the broker has no " + securedListener + " listener");
        }
        return "127.0.0.1:" + listenerPort;
    }

    /** Stops the broker, keeping its data: {@link #restart()} brings it back on the same ports (outage tests). */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Starts a stopped broker again, with its data, on the same ports. */
    public synchronized void restart() {
        if (server == null) {
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
        }
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is not worth failing a shutdown for
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
