package io.functionsbridge.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real HTTP server on loopback standing in for deployed functions: each path answers as its
 * {@link Behaviour} says (a reply, a status, a delay), and every request is recorded. The main
 * job's demo functions and the integration tests use it.
 */
public final class LocalFunctionServer implements AutoCloseable {

    /** A request as the function received it. */
    public record Request(String path, String query, Map<String, List<String>> headers, String body, long receivedMillis) {

        public String header(String name) {
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
                    return header.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** What a function answers. */
    public record Response(int status, String body, long delayMillis, Map<String, String> headers) {

        public Response(int status, String body, long delayMillis) {
            this(status, body, delayMillis, Map.of());
        }

        public static Response ok(String json) {
            return new Response(200, json, 0);
        }

        public static Response status(int status) {
            return new Response(status, "", 0);
        }

        public Response after(long millis) {
            return new Response(status, body, millis, headers);
        }

        public Response withHeader(String name, String value) {
            Map<String, String> more = new HashMap<>(headers);
            more.put(name, value);
            return new Response(status, body, delayMillis, Map.copyOf(more));
        }
    }

    /** Decides a function's answer from the request and how many calls this path had before it. */
    @FunctionalInterface
    public interface Behaviour {
        Response answer(Request request, int previousCalls);
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "local-function");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<String, List<Request>> requests = new ConcurrentHashMap<>();

    private LocalFunctionServer(HttpServer server) {
        this.server = server;
    }

    /** Starts a server on 127.0.0.1 at that port (0: any free port). */
    public static LocalFunctionServer start(int port) {
        // without it, small replies wait for the client's delayed ACK (about 40 ms each)
        System.setProperty("sun.net.httpserver.nodelay", "true");
        // the JDK server closes kept-alive connections beyond 200 idle ones; a bridge with more calls in
        // flight reuses such a closed connection (HttpClosedException): keep as many as it may open
        System.setProperty("sun.net.httpserver.maxIdleConnections", "2000");
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 200);
            LocalFunctionServer functions = new LocalFunctionServer(http);
            http.createContext("/", functions::handle);
            http.setExecutor(functions.executor);
            http.start();
            return functions;
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve the local functions on port " + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The url of a function at that path, for example {@code /lambdas/greet}. */
    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    public LocalFunctionServer on(String path, Behaviour behaviour) {
        behaviours.put(path, behaviour);
        return this;
    }

    /** Answers every call with the same reply. */
    public LocalFunctionServer on(String path, Response response) {
        return on(path, (request, calls) -> response);
    }

    /** Answers with a reply computed from the request alone. */
    public LocalFunctionServer onRequest(String path, Function<Request, Response> behaviour) {
        return on(path, (request, calls) -> behaviour.apply(request));
    }

    public List<Request> requests(String path) {
        return List.copyOf(requests.getOrDefault(path, List.of()));
    }

    public int calls(String path) {
        return requests.getOrDefault(path, List.of()).size();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(path, exchange.getRequestURI().getRawQuery(), Map.copyOf(exchange.getRequestHeaders()), body,
                    System.currentTimeMillis());
            List<Request> seen = requests.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>());
            int previousCalls;
            synchronized (seen) {
                previousCalls = seen.size();
                seen.add(request);
            }
            Behaviour behaviour = behaviours.get(path);
            Response response = behaviour == null ? Response.status(404) : behaviour.answer(request, previousCalls);
            if (response.delayMillis() > 0) {
                Thread.sleep(response.delayMillis());
            }
            byte[] bytes = response.body() == null ? new byte[0] : response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("X-Function-Runtime", "local");
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
