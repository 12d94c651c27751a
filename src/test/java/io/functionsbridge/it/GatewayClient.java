package io.functionsbridge.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A real HTTP client of the gateway, sending what the platform's function clients send. */
final class GatewayClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    private final String baseUrl;

    GatewayClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** An answer: its status, body and headers. */
    record Answer(int status, String body, Map<String, java.util.List<String>> headers) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        String errorCode() {
            return json().path("errorCode").asText(null);
        }
    }

    /** The envelope the platform's clients send: {timestamp, headers, payload}. */
    static String envelope(String payloadJson) {
        return "{\"timestamp\":" + System.currentTimeMillis() + ",\"headers\":[],\"payload\":" + payloadJson + "}";
    }

    Answer post(String path, String body, String... headers) {
        return join(postAsync(path, body, headers));
    }

    CompletableFuture<Answer> postAsync(String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        return send(request, headers);
    }

    Answer get(String path, String... headers) {
        return join(send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60)).GET(), headers));
    }

    private CompletableFuture<Answer> send(HttpRequest.Builder request, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> new Answer(response.statusCode(), response.body(), response.headers().map()));
    }

    private static Answer join(CompletableFuture<Answer> answer) {
        return answer.join();
    }
}
