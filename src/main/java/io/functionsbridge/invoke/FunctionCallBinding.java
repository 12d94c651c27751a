package io.functionsbridge.invoke;

import io.functionsbridge.event.EventProperties;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;
import org.apache.camel.Exchange;
import org.apache.camel.component.vertx.http.DefaultVertxHttpBinding;
import org.apache.camel.component.vertx.http.VertxHttpEndpoint;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The vertx-http binding of the function calls. One endpoint serves every function: the route sets
 * the function's url in {@code CamelHttpUri}, and this binding applies the event's per-attempt
 * timeout (exchange property {@value EventProperties#TIMEOUT_MS}, connect and reply). Replies are read into
 * memory only up to {@code maxReplyBytes}; past that, reading stops and the call fails with
 * {@link ReplyTooLargeException} (an {@code INVALID_REPLY}, not retried).
 *
 * <p>A failed reply with a {@code Retry-After} header (seconds or an HTTP date; 429 and 503 send
 * one) sets the delay before the next attempt, through Camel's {@code CamelRedeliveryDelay} header
 * that the redelivery policy reads: at least {@code minDelayMs}, at most {@code maxDelayMs}. It
 * applies to that retry only; the exponential backoff then grows from it (Camel's policy).
 *
 * <p>(A {@code toD} per function url resolved and parsed the endpoint uri on every call, which was a
 * sixth of the bridge's own CPU per event; the header keeps one endpoint and one connection pool.)
 */
public class FunctionCallBinding extends DefaultVertxHttpBinding {

    private final int maxReplyBytes;
    private final long minDelayMs;
    private final long maxDelayMs;

    /**
     * @param maxReplyBytes a larger reply is refused
     * @param minDelayMs    the shortest delay a Retry-After may set (bridge.invoke.backoff-ms)
     * @param maxDelayMs    the longest (bridge.invoke.max-backoff-ms)
     */
    public FunctionCallBinding(int maxReplyBytes, long minDelayMs, long maxDelayMs) {
        this.maxReplyBytes = maxReplyBytes;
        this.minDelayMs = minDelayMs;
        this.maxDelayMs = maxDelayMs;
    }

    @Override
    public HttpRequest<Buffer> prepareHttpRequest(VertxHttpEndpoint endpoint, Exchange exchange) throws Exception {
        // a delay asked for by an earlier attempt's Retry-After was for that retry only
        exchange.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
        HttpRequest<Buffer> request = super.prepareHttpRequest(endpoint, exchange);
        Integer timeoutMs = exchange.getProperty(EventProperties.TIMEOUT_MS, Integer.class);
        if (timeoutMs != null) {
            request.timeout(timeoutMs).connectTimeout(timeoutMs);
        }
        return request.as(new CappedCodec(maxReplyBytes));
    }

    @Override
    public Throwable handleResponseFailure(VertxHttpEndpoint endpoint, Exchange exchange, HttpResponse<Buffer> result) throws Exception {
        Long retryAfter = retryAfterMillis(result.getHeader("Retry-After"), System.currentTimeMillis());
        if (retryAfter != null) {
            exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, Math.min(maxDelayMs, Math.max(minDelayMs, retryAfter)));
        }
        return super.handleResponseFailure(endpoint, exchange, result);
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

    /** Collects a body up to the cap. */
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
