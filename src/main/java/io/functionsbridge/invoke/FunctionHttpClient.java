package io.functionsbridge.invoke;

import io.vertx.ext.web.client.WebClientOptions;

/** The HTTP client settings of the function calls (the vertx-http component's WebClient). */
public final class FunctionHttpClient {

    private FunctionHttpClient() {
    }

    /**
     * Keep-alive connections, up to {@code maxConnections} per function host, so that as many calls
     * can be in flight as events (bridge.max-in-flight); no Nagle delay on small requests.
     */
    public static WebClientOptions options(int maxConnections) {
        return new WebClientOptions()
                .setMaxPoolSize(maxConnections)
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setMaxWaitQueueSize(-1)
                .setUserAgentEnabled(false);
    }
}
