package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The gateway over HTTPS (docs/contract.md, "The gateway in a real estate"): with Camel's global
 * SSL settings (camel.ssl.*) and camel.server.useGlobalSslContextParameters, a client that trusts
 * the certificate is answered, and plain HTTP to the same port is not.
 */
class GatewayHttpsIT extends AbstractBridgeIT {

    private static final String PASSWORD = "changeit";
    private static Path keyStore;

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: 66666666-0000-4000-8000-000000000001
                    event: bot_connectors_custom_integration
                    url: %URL%/hook
                    state: deployed
                """;
    }

    @Override
    Map<String, String> properties() {
        return Map.of("bridge.gateway.tokens", "tls-token", "camel.ssl.enabled", "true",
                "camel.ssl.keyStore", "file:" + keyStore(), "camel.ssl.keystorePassword", PASSWORD,
                "camel.server.useGlobalSslContextParameters", "true");
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/hook", Response.ok("{\"response\":\"over tls\"}"));
    }

    @Test
    void aClientThatTrustsTheCertificateIsAnsweredAndPlainHttpIsNot() throws Exception {
        String https = bridge.gatewayUrl().replace("http://", "https://");
        HttpClient client = HttpClient.newBuilder().sslContext(trusting()).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(https
                        + "/api/account/local/lambdas/66666666-0000-4000-8000-000000000001/invoke?v=1"))
                .header("Authorization", "Bearer tls-token").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(GatewayClient.envelope("{}"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("over tls");

        URI plain = URI.create(bridge.gatewayUrl());
        try (Socket socket = new Socket(plain.getHost(), plain.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/account/local/events/chat_end/isImplemented?v=1 HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = new String(readSome(socket.getInputStream()), StandardCharsets.ISO_8859_1);
            assertThat(reply).as("no HTTP answer on the TLS port").doesNotStartWith("HTTP/");
        }
        assertThat(functions.calls("/hook")).isEqualTo(1);
    }

    private static byte[] readSome(InputStream in) throws IOException {
        byte[] buffer = new byte[256];
        try {
            int n = in.read(buffer);
            return n <= 0 ? new byte[0] : Arrays.copyOf(buffer, n);
        } catch (IOException closedOrTimedOut) {
            return new byte[0];
        }
    }

    private static SSLContext trusting() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore())) {
            store.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** A self-signed certificate for 127.0.0.1 and localhost, made with the JDK's keytool. */
    private static synchronized Path keyStore() {
        if (keyStore == null) {
            try {
                Path file = Files.createTempDirectory("gateway-tls").resolve("gateway.p12");
                Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                        "-genkeypair", "-alias", "gateway", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                        "-keystore", file.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                        .redirectErrorStream(true).start();
                String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                    throw new IllegalStateException("keytool failed: " + output);
                }
                keyStore = file;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return keyStore;
    }
}
