package io.functionsbridge.it;

import io.functionsbridge.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One in-JVM broker with secured listeners for the whole test run, besides its PLAINTEXT one (the
 * tests write and read through that): SASL_SSL with SCRAM-SHA-512 and SCRAM-SHA-256, SASL_PLAINTEXT
 * with PLAIN, and SSL with client certificates required. The SCRAM user is added when the storage
 * is formatted; the certificates are made with the JDK's keytool when the broker starts.
 */
final class SecureKafka {

    static final String USER = "bridge";
    static final String SCRAM_PASSWORD = "scram-Pa55-w0rd-7";
    static final String PLAIN_PASSWORD = "plain-Pa55-w0rd-8";
    static final String STORE_PASSWORD = "store-Pa55-w0rd-9";

    /** How the bridge connects. */
    enum Mode {
        SASL_SSL_SCRAM_SHA_512("SASL_SSL", "SCRAM-SHA-512"),
        SASL_SSL_SCRAM_SHA_256("SASL_SSL", "SCRAM-SHA-256"),
        SASL_PLAINTEXT_PLAIN("SASL_PLAINTEXT", "PLAIN"),
        SSL_CLIENT_CERTIFICATE("SSL", null);

        final String protocol;
        final String mechanism;

        Mode(String protocol, String mechanism) {
            this.protocol = protocol;
            this.mechanism = mechanism;
        }
    }

    private static SecureKafka instance;

    final EmbeddedKafkaBroker broker;
    final Path certificates;

    private SecureKafka(EmbeddedKafkaBroker broker, Path certificates) {
        this.broker = broker;
        this.certificates = certificates;
    }

    static synchronized SecureKafka get() {
        if (instance == null) {
            Path certificates = makeCertificates();
            Map<String, String> settings = new HashMap<>();
            settings.put("sasl.enabled.mechanisms", "SCRAM-SHA-512,SCRAM-SHA-256,PLAIN");
            settings.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512,SCRAM-SHA-256");
            settings.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            settings.put("listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            settings.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN");
            settings.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                    + "username=\"broker\" password=\"broker-only\" user_" + USER + "=\"" + PLAIN_PASSWORD + "\";");
            settings.put("ssl.keystore.location", certificates.resolve("broker.p12").toString());
            settings.put("ssl.keystore.password", STORE_PASSWORD);
            settings.put("ssl.keystore.type", "PKCS12");
            settings.put("ssl.key.password", STORE_PASSWORD);
            settings.put("ssl.truststore.location", certificates.resolve("broker-trust.p12").toString());
            settings.put("ssl.truststore.password", STORE_PASSWORD);
            settings.put("ssl.truststore.type", "PKCS12");
            settings.put("listener.name.ssl.ssl.client.auth", "required");
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(List.of("SASL_SSL", "SASL_PLAINTEXT", "SSL"), settings, List.of(
                    "SCRAM-SHA-512=[name=" + USER + ",password=" + SCRAM_PASSWORD + "]",
                    "SCRAM-SHA-256=[name=" + USER + ",password=" + SCRAM_PASSWORD + "]"));
            instance = new SecureKafka(broker, certificates);
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "secure-kafka-stop"));
        }
        return instance;
    }

    /** The PLAINTEXT listener, for the tests' own clients. */
    String plaintext() {
        return broker.bootstrapServers();
    }

    String bootstrap(Mode mode) {
        return broker.bootstrapServers(mode.protocol);
    }

    /**
     * The bridge's settings for that mode, as camel-kafka component options; {@code password} is
     * the SASL password (or, for SSL, the keystore's), {@code truststore} the file it trusts.
     */
    Map<String, String> bridgeSettings(Mode mode, String password, String truststore) {
        Map<String, String> settings = new HashMap<>();
        settings.put("kafka.brokers", bootstrap(mode));
        settings.put("camel.component.kafka.securityProtocol", mode.protocol);
        if (mode.mechanism != null) {
            settings.put("camel.component.kafka.saslMechanism", mode.mechanism);
            settings.put("camel.component.kafka.saslJaasConfig", jaas(mode, password));
        }
        if (mode.protocol.endsWith("SSL")) {
            settings.put("camel.component.kafka.sslTruststoreLocation", certificates.resolve(truststore).toString());
            settings.put("camel.component.kafka.sslTruststorePassword", STORE_PASSWORD);
            settings.put("camel.component.kafka.sslTruststoreType", "PKCS12");
        }
        if (mode == Mode.SSL_CLIENT_CERTIFICATE) {
            settings.put("camel.component.kafka.sslKeystoreLocation", certificates.resolve("client.p12").toString());
            settings.put("camel.component.kafka.sslKeystorePassword", password);
            settings.put("camel.component.kafka.sslKeystoreType", "PKCS12");
        }
        return settings;
    }

    /** The correct password of that mode. */
    static String password(Mode mode) {
        return switch (mode) {
            case SASL_SSL_SCRAM_SHA_512, SASL_SSL_SCRAM_SHA_256 -> SCRAM_PASSWORD;
            case SASL_PLAINTEXT_PLAIN -> PLAIN_PASSWORD;
            case SSL_CLIENT_CERTIFICATE -> STORE_PASSWORD;
        };
    }

    static String jaas(Mode mode, String password) {
        String module = mode.mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=\"" + USER + "\" password=\"" + password + "\";";
    }

    /**
     * A self-signed certificate for the broker (for 127.0.0.1 and localhost) and one for the
     * bridge; each side's truststore holds the other's. {@code untrusted-trust.p12} trusts neither.
     */
    private static Path makeCertificates() {
        try {
            Path dir = Files.createTempDirectory("functions-bridge-certs");
            dir.toFile().deleteOnExit();
            keytool(dir, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                    "-keystore", "broker.p12", "-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
            keytool(dir, "-exportcert", "-alias", "broker", "-keystore", "broker.p12", "-storepass", STORE_PASSWORD, "-rfc", "-file", "broker.pem");
            keytool(dir, "-importcert", "-noprompt", "-alias", "broker", "-file", "broker.pem",
                    "-keystore", "client-trust.p12", "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
            keytool(dir, "-genkeypair", "-alias", "client", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=" + USER, "-keystore", "client.p12", "-storetype", "PKCS12", "-storepass", STORE_PASSWORD,
                    "-keypass", STORE_PASSWORD);
            keytool(dir, "-exportcert", "-alias", "client", "-keystore", "client.p12", "-storepass", STORE_PASSWORD, "-rfc", "-file", "client.pem");
            keytool(dir, "-importcert", "-noprompt", "-alias", "client", "-file", "client.pem",
                    "-keystore", "broker-trust.p12", "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
            // a truststore that trusts only a stranger
            keytool(dir, "-genkeypair", "-alias", "stranger", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=stranger", "-keystore", "stranger.p12", "-storetype", "PKCS12", "-storepass", STORE_PASSWORD,
                    "-keypass", STORE_PASSWORD);
            keytool(dir, "-exportcert", "-alias", "stranger", "-keystore", "stranger.p12", "-storepass", STORE_PASSWORD, "-rfc", "-file", "stranger.pem");
            keytool(dir, "-importcert", "-noprompt", "-alias", "stranger", "-file", "stranger.pem",
                    "-keystore", "untrusted-trust.p12", "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void keytool(Path dir, String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (process.waitFor() != 0) {
                throw new IllegalStateException("keytool " + arguments[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("keytool interrupted", e);
        }
    }
}
