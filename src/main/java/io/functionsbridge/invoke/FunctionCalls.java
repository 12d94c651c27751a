package io.functionsbridge.invoke;

import io.functionsbridge.BeanLifecycle;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.Delivery;
import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.domain.PartitionRevokedException;
import io.functionsbridge.domain.ReplyTooLargeException;
import io.functionsbridge.domain.TraceContext;
import io.functionsbridge.javascript.JavaScriptFunctions;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;
import java.net.URI;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Headers;
import org.apache.camel.spi.CamelTracingService;

/**
 * One attempt of a function call (docs/contract.md), on a non-blocking HTTP client: {@code POST} to the
 * event's function url with the envelope, {@code Content-Type: application/json},
 * {@code X-Request-ID}, the event's {@code traceparent} (and {@code tracestate}; every attempt the
 * same) and, for a url that carried credentials, {@code Authorization}, within the
 * function's per-attempt timeout (connect and reply). No message header travels to the function,
 * and none of the reply's travels on.
 *
 * <p>{@link #call} returns at once; the route goes on when the reply is in (Camel continues a bean
 * that returns a {@link CompletionStage} when it completes), on the HTTP client's thread, so a
 * call holds no thread while it waits. A 2xx reply completes it with the reply's body; anything
 * else fails it, and the route's redelivery policy decides: a {@link FunctionCallException} names
 * the status. Replies are read into memory only up to {@code maxReplyBytes}; past that, reading
 * stops and the call fails with {@link ReplyTooLargeException} (an {@code INVALID_REPLY}, not
 * retried).
 *
 * <p>A failed reply with a {@code Retry-After} header (seconds or an HTTP date; 429 and 503 send
 * one) sets the delay before the next attempt, through Camel's {@code CamelRedeliveryDelay} header
 * that the redelivery policy reads: at least {@code minDelayMs}, at most {@code maxDelayMs}. It
 * applies to that retry only; the exponential backoff then grows from it (Camel's policy).
 *
 * <p>A function of {@code runtime: javascript} is no HTTP request: the attempt is one run of its
 * lambda by {@link JavaScriptFunctions}, with the same envelope and timeout (at most 30 s).
 */
public final class FunctionCalls implements CamelContextAware {

    private CamelContext camelContext;

    private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("Content-Type");
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
    private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("X-Request-ID");
    private static final CharSequence AUTHORIZATION = HttpHeaders.createOptimized("Authorization");
    private static final CharSequence TRACEPARENT = HttpHeaders.createOptimized(TraceContext.TRACEPARENT);
    private static final CharSequence TRACESTATE = HttpHeaders.createOptimized(TraceContext.TRACESTATE);
    private static final byte[] NO_BODY = new byte[0];

    /** The platform's limit on one run of a lambda. */
    private static final int MAX_LAMBDA_MS = 30_000;

    private FunctionInvoker invoker;
    private JavaScriptFunctions javascript = new JavaScriptFunctions();
    private FunctionTokens tokens = new FunctionTokens();
    private WebClientOptions clientOptions = new WebClientOptions();
    private int maxReplyBytes = 1_048_576;
    private long minDelayMs = 200;
    private long maxDelayMs = 10_000;
    private Vertx vertx;
    private WebClient client;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private volatile Boolean traced;

    /** A function url, parsed once. */
    private record Target(boolean ssl, String host, int port, String requestUri) {

        static Target of(String url) {
            URI uri = URI.create(url);
            boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            return new Target(ssl, uri.getHost(), uri.getPort() != -1 ? uri.getPort() : ssl ? 443 : 80,
                    uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery());
        }
    }

    /** The OAuth2 token of the calls (none when it has no token url). */
    public void setTokens(FunctionTokens tokens) {
        this.tokens = tokens;
    }

    /** Runs the functions of runtime javascript. */
    public void setJavascript(JavaScriptFunctions javascript) {
        this.javascript = javascript;
    }

    /** Counts the attempts and gives the envelope, request id and timeout. */
    public void setInvoker(FunctionInvoker invoker) {
        this.invoker = invoker;
    }

    /** The HTTP client's settings (connection pool, keep-alive). */
    public void setClientOptions(WebClientOptions clientOptions) {
        this.clientOptions = clientOptions;
    }

    /** A larger reply is refused (bridge.invoke.max-reply-bytes). */
    public void setMaxReplyBytes(int maxReplyBytes) {
        this.maxReplyBytes = maxReplyBytes;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** The shortest delay a Retry-After may set (bridge.invoke.backoff-ms). */
    public void setMinDelayMs(long minDelayMs) {
        this.minDelayMs = minDelayMs;
    }

    /** The longest (bridge.invoke.max-backoff-ms). */
    public void setMaxDelayMs(long maxDelayMs) {
        this.maxDelayMs = maxDelayMs;
    }

    /** Starts the HTTP client with the Camel context (its event loops are made as calls need them). */
    public void start() throws Exception {
        BeanLifecycle.startWithContext(camelContext, this, () -> {
            vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
            client = WebClient.create(vertx, clientOptions);
            tokens.use(client);
        });
    }

    /** Closes the client and its connections. */
    public void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Makes one attempt: completes with the reply's body (empty when it has none) on a 2xx; fails
     * with the cause otherwise. With OAuth2, the attempt carries the bridge's token; a function
     * that answers 401 gets the attempt once more with a new token (not counted as a retry).
     */
    public CompletionStage<byte[]> call(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event,
            @ExchangeProperty(Delivery.PROPERTY) Delivery delivery, @Headers Map<String, Object> headers) {
        if (delivery != null && !delivery.owned()) {
            // the event's partition was revoked: its new owner calls the function
            return CompletableFuture.failedFuture(new PartitionRevokedException("an attempt of function " + event.invocation().getFunctionId()));
        }
        // a delay asked for by an earlier attempt's Retry-After was for that retry only
        headers.remove(Exchange.REDELIVERY_DELAY);
        if (isTraced()) {
            // OpenTelemetry on: Camel's tracer put the call's span in the message; the function is
            // its child, and the event's command records and dead letter carry it
            event.traceIn((String) headers.get(TraceContext.TRACEPARENT));
        }
        FunctionDefinition function = event.invocation().getFunction();
        if (function.isJavaScript()) {
            // run by the bridge: the attempt's envelope and timeout, at most the platform's 30 s
            byte[] envelope = invoker.attempt(event);
            return javascript.call(function, envelope, Math.min(MAX_LAMBDA_MS, FunctionInvoker.attemptTimeoutMs(event)), event.record().convId());
        }
        if (!tokens.isEnabled() || !function.takesToken()) {
            return send(event, null, headers);
        }
        return tokens.token().thenCompose(token -> send(event, token, headers).handle((reply, failure) -> {
            if (failure instanceof FunctionCallException refused && refused.status() == 401) {
                tokens.refused(token);
                return tokens.token().thenCompose(renewed -> send(event, renewed, headers));
            }
            return failure == null ? CompletableFuture.completedFuture(reply) : CompletableFuture.<byte[]>failedFuture(failure);
        }).thenCompose(reply -> reply));
    }

    /** Whether Camel's tracer runs (camel.opentelemetry2.enabled): it starts with the context, after the beans. */
    private boolean isTraced() {
        Boolean known = traced;
        if (known == null) {
            known = camelContext.hasService(CamelTracingService.class) != null;
            traced = known;
        }
        return known;
    }

    /** One HTTP request to the event's function, with that bearer token, if any. */
    private CompletableFuture<byte[]> send(BridgeEvent event, String token, Map<String, Object> headers) {
        byte[] envelope = invoker.attempt(event);
        FunctionDefinition function = event.invocation().getFunction();
        Target target = targets.computeIfAbsent(function.url(), Target::of);
        HttpRequest<Buffer> request = client.request(HttpMethod.POST, target.port(), target.host(), target.requestUri())
                .ssl(target.ssl())
                .timeout(FunctionInvoker.attemptTimeoutMs(event))
                .connectTimeout(FunctionInvoker.attemptTimeoutMs(event));
        MultiMap requestHeaders = request.headers();
        requestHeaders.set(CONTENT_TYPE, JSON);
        requestHeaders.set(REQUEST_ID, event.invocation().getRequestId());
        TraceContext trace = event.trace();
        requestHeaders.set(TRACEPARENT, trace.traceparent());
        if (trace.tracestate() != null) {
            requestHeaders.set(TRACESTATE, trace.tracestate());
        }
        if (function.authorization() != null) {
            requestHeaders.set(AUTHORIZATION, function.authorization());
        } else if (token != null) {
            requestHeaders.set(AUTHORIZATION, "Bearer " + token);
        }
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        request.as(new CappedCodec(maxReplyBytes)).sendBuffer(Buffer.buffer(envelope)).onComplete(result -> {
            if (result.failed()) {
                reply.completeExceptionally(result.cause());
                return;
            }
            HttpResponse<Buffer> response = result.result();
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                reply.complete(response.body() == null ? NO_BODY : response.body().getBytes());
                return;
            }
            Long retryAfter = retryAfterMillis(response.getHeader("Retry-After"), System.currentTimeMillis());
            if (retryAfter != null) {
                headers.put(Exchange.REDELIVERY_DELAY, Math.min(maxDelayMs, Math.max(minDelayMs, retryAfter)));
            }
            reply.completeExceptionally(new FunctionCallException(function.id(), status));
        });
        return reply;
    }

    /** A Retry-After value in milliseconds from now: delta-seconds or an HTTP date; null when absent or unreadable. */
    static Long retryAfterMillis(String value, long nowMillis) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.trim();
        if (text.chars().allMatch(Character::isDigit)) {
            return text.length() > 9 ? Long.MAX_VALUE : Long.parseLong(text) * 1000;
        }
        try {
            long at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            return Math.max(0, at - nowMillis);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static final class CappedCodec implements BodyCodec<Buffer> {
        private final int cap;

        CappedCodec(int cap) {
            this.cap = cap;
        }

        @Override
        public void create(Handler<AsyncResult<BodyStream<Buffer>>> handler) {
            handler.handle(Future.succeededFuture(new CappedStream(cap)));
        }
    }

    private static final class CappedStream implements BodyStream<Buffer> {
        private final int cap;
        private final Promise<Buffer> result = Promise.promise();
        private final Buffer body = Buffer.buffer();

        CappedStream(int cap) {
            this.cap = cap;
        }

        @Override
        public Future<Buffer> result() {
            return result.future();
        }

        @Override
        public void handle(Throwable failure) {
            result.tryFail(failure);
        }

        @Override
        public CappedStream exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public Future<Void> write(Buffer data) {
            if (!result.future().isComplete()) {
                if (body.length() + data.length() > cap) {
                    result.tryFail(new ReplyTooLargeException(cap));
                } else {
                    body.appendBuffer(data);
                }
            }
            return Future.succeededFuture();
        }

        @Override
        public void write(Buffer data, Handler<AsyncResult<Void>> handler) {
            write(data);
            if (handler != null) {
                handler.handle(Future.succeededFuture());
            }
        }

        @Override
        public void end(Handler<AsyncResult<Void>> handler) {
            result.tryComplete(body);
            if (handler != null) {
                handler.handle(Future.succeededFuture());
            }
        }

        @Override
        public CappedStream setWriteQueueMaxSize(int maxSize) {
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return false;
        }

        @Override
        public CappedStream drainHandler(Handler<Void> handler) {
            return this;
        }
    }
}
