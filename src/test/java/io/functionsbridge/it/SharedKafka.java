package io.functionsbridge.it;

import io.functionsbridge.kafka.EmbeddedKafkaBroker;

/** One in-JVM broker for the whole test run: started on first use, stopped when the JVM exits. */
final class SharedKafka {

    private static EmbeddedKafkaBroker broker;

    private SharedKafka() {
    }

    static synchronized String bootstrapServers() {
        if (broker == null) {
            broker = EmbeddedKafkaBroker.start();
            EmbeddedKafkaBroker started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-kafka-stop"));
        }
        return broker.bootstrapServers();
    }
}
