package io.functionsbridge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxBuilder;
import io.vertx.core.impl.VertxThread;
import io.vertx.core.spi.VertxThreadFactory;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's function: a non-blocking Vert.x HTTP server on loopback that answers each call
 * after the workload's latency (a timer, no thread held), fails a chosen fraction of events once
 * with 503, and otherwise replies {@code [{"type":"systemMessage","text":"seq:N"}]} echoing the
 * event's seq, so that every arm's output names its event.
 */
final class BenchFunctionServer implements AutoCloseable {

    // its threads are named bench-function-*, apart from the arms' own Vert.x threads in profiles and CPU figures
    private final Vertx vertx = new VertxBuilder(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2))
            .threadFactory(new VertxThreadFactory() {
                @Override
                public VertxThread newVertxThread(Runnable target, String name, boolean worker, long maxExecTime, TimeUnit unit) {
                    return VertxThreadFactory.super.newVertxThread(target, "bench-function-" + name, worker, maxExecTime, unit);
                }
            })
            .init()
            .vertx();
    private final HttpServer server;
    private volatile Workload workload;
    private final Set<Integer> failedOnce = ConcurrentHashMap.newKeySet();
    final AtomicLong calls = new AtomicLong();

    BenchFunctionServer() throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setHost("127.0.0.1").setPort(0))
                .requestHandler(request -> request.body().onSuccess(body -> {
                    calls.incrementAndGet();
                    int seq = seqOf(body.toString());
                    Workload current = workload;
                    boolean fail = current.failOnceRate() > 0 && failsOnce(seq, current.failOnceRate()) && failedOnce.add(seq);
                    long delay = current.latency().millis(seq);
                    Runnable respond = () -> {
                        if (fail) {
                            request.response().setStatusCode(503).end();
                        } else {
                            request.response().putHeader("Content-Type", "application/json")
                                    .end("[{\"type\":\"systemMessage\",\"text\":\"seq:" + seq + "\"}]");
                        }
                    };
                    if (delay > 0) {
                        vertx.setTimer(delay, timer -> respond.run());
                    } else {
                        respond.run();
                    }
                }))
                .listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Serves this workload from now on; every event may fail once again. */
    void serve(Workload workload) {
        this.workload = workload;
        failedOnce.clear();
        calls.set(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/lambdas/bench";
    }

    private static boolean failsOnce(int seq, double rate) {
        return Math.floorMod(seq * 2654435761L, 10_000) < rate * 10_000;
    }

    static int seqOf(String text) {
        int at = text.indexOf("\"seq\":");
        if (at < 0) {
            at = text.indexOf("seq:");
            if (at < 0) {
                return -1;
            }
            at += 4;
        } else {
            at += 6;
        }
        int value = 0;
        while (at < text.length() && Character.isDigit(text.charAt(at))) {
            value = value * 10 + (text.charAt(at++) - '0');
        }
        return value;
    }

    @Override
    public void close() {
        vertx.close();
    }
}
