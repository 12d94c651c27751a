package io.functionsbridge.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A bridge's management server, as an orchestrator and Prometheus see it: health and metrics over HTTP. */
final class Management {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)");

    private final String baseUrl;

    Management(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** An answer: its status and body. */
    record Answer(int status, String body) {
    }

    Answer get(String path) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every sample of {@code /observe/metrics}, by its name and labels as served ({@code name{a="1",b="2"}}). */
    Map<String, Double> metrics() {
        Answer answer = get("/observe/metrics");
        if (answer.status() != 200) {
            throw new IllegalStateException("/observe/metrics answered " + answer.status());
        }
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : answer.body().split("\n")) {
            Matcher matcher = SAMPLE.matcher(line);
            if (!line.startsWith("#") && matcher.find()) {
                samples.put(matcher.group(1) + (matcher.group(2) == null ? "" : matcher.group(2)), Double.parseDouble(matcher.group(3)));
            }
        }
        return samples;
    }

    /** The value of the sample with that name and at least those labels (0 when there is none). */
    double metric(String name, String... labels) {
        double sum = 0;
        boolean found = false;
        for (Map.Entry<String, Double> sample : metrics().entrySet()) {
            if (matches(sample.getKey(), name, labels)) {
                sum += sample.getValue();
                found = true;
            }
        }
        return found ? sum : 0;
    }

    static boolean matches(String sample, String name, String... labels) {
        if (!sample.equals(name) && !sample.startsWith(name + "{")) {
            return false;
        }
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (!sample.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
                return false;
            }
        }
        return true;
    }
}
