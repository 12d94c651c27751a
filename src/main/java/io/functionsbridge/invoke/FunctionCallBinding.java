package io.functionsbridge.invoke;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;
import org.apache.camel.Exchange;
import org.apache.camel.component.vertx.http.DefaultVertxHttpBinding;
import org.apache.camel.component.vertx.http.VertxHttpEndpoint;

/**
 * The vertx-http binding of the function calls. One endpoint serves every function: the route sets
 * the function's url in {@code CamelHttpUri}, and this binding applies the event's per-attempt
 * timeout (exchange property {@value #TIMEOUT_PROPERTY}, connect and reply). Replies are read into
 * memory only up to {@code maxReplyBytes}; past that, reading stops and the call fails with
 * {@link ReplyTooLargeException} (an {@code INVALID_REPLY}, not retried).
 *
 * <p>(A {@code toD} per function url resolved and parsed the endpoint uri on every call, which was a
 * sixth of the bridge's own CPU per event; the header keeps one endpoint and one connection pool.)
 */
public class FunctionCallBinding extends DefaultVertxHttpBinding {

    /** The exchange property holding the attempt's timeout in milliseconds. */
    public static final String TIMEOUT_PROPERTY = "timeoutMs";

    private final int maxReplyBytes;

    public FunctionCallBinding(int maxReplyBytes) {
        this.maxReplyBytes = maxReplyBytes;
    }

    @Override
    public HttpRequest<Buffer> prepareHttpRequest(VertxHttpEndpoint endpoint, Exchange exchange) throws Exception {
        HttpRequest<Buffer> request = super.prepareHttpRequest(endpoint, exchange);
        Integer timeoutMs = exchange.getProperty(TIMEOUT_PROPERTY, Integer.class);
        if (timeoutMs != null) {
            request.timeout(timeoutMs).connectTimeout(timeoutMs);
        }
        return request.as(new CappedCodec(maxReplyBytes));
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
