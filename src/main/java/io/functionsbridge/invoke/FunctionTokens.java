package io.functionsbridge.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OAuth2 access token the function calls carry (docs/contract.md, "OAuth2 to functions"): one
 * token for every call, however many are in flight, fetched with the client credentials grant and
 * renewed before it expires. With no token url, there is none.
 *
 * <p>One token request at a time: every call that needs a token while one is being fetched waits
 * for that one. A token is renewed once less than {@code refreshMarginS}, or less than half its
 * lifetime, is left (whichever is less); calls go on with the current token while it is renewed.
 * A token a function refused (401) is dropped, and the next call fetches a new one.
 *
 * <p>The client secret and the tokens never appear in a log line, a message or {@link #toString()}.
 */
public final class FunctionTokens {

    private static final Logger LOG = LoggerFactory.getLogger(FunctionTokens.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private String tokenUrl = "";
    private String clientId = "";
    private String clientSecret = "";
    private String scope = "";
    private long refreshMarginS = 300;
    private int timeoutMs = 10_000;
    private WebClient client;

    /** An access token, when it expires, and when it is to be renewed. */
    private record Token(String value, long expiresAtNanos, long renewAtNanos) {
    }

    // guarded by this: the token in force, or the request that fetches one; a renewal in flight
    private CompletableFuture<Token> current;
    private CompletableFuture<Token> renewal;

    /** The token endpoint (bridge.invoke.oauth2.token-url); empty: no OAuth2. */
    public void setTokenUrl(String tokenUrl) {
        this.tokenUrl = tokenUrl == null ? "" : tokenUrl.strip();
    }

    public void setClientId(String clientId) {
        this.clientId = clientId == null ? "" : clientId;
    }

    public void setClientSecret(String clientSecret) {
        this.clientSecret = clientSecret == null ? "" : clientSecret;
    }

    /** The scope asked for, sent only when set. */
    public void setScope(String scope) {
        this.scope = scope == null ? "" : scope.strip();
    }

    /** Renew a token once less than this is left, or less than half its lifetime (bridge.invoke.oauth2.refresh-margin-s). */
    public void setRefreshMarginS(long refreshMarginS) {
        this.refreshMarginS = refreshMarginS;
    }

    /** The time allowed to the token endpoint's answer. */
    public void setTimeoutMs(int timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    /** Whether the bridge has a token endpoint. */
    public boolean isEnabled() {
        return !tokenUrl.isEmpty();
    }

    /** The HTTP client of the token requests (the function calls' own). */
    void use(WebClient client) {
        this.client = client;
    }

    /**
     * The token to send: the one in force, or the one being fetched. Fails with a
     * {@link TokenEndpointException} when the token endpoint cannot give one.
     */
    public synchronized CompletableFuture<String> token() {
        long now = System.nanoTime();
        if (current == null || (current.isDone() && (current.isCompletedExceptionally() || now - current.join().expiresAtNanos() >= 0))) {
            current = fetch();
        } else if (current.isDone() && renewal == null && now - current.join().renewAtNanos() >= 0) {
            CompletableFuture<Token> next = fetch();
            renewal = next;
            next.whenComplete((token, failure) -> renewed(next, token));
        }
        return current.thenApply(Token::value);
    }

    private synchronized void renewed(CompletableFuture<Token> fetched, Token token) {
        if (renewal == fetched) {
            renewal = null;
            if (token != null) {
                current = fetched;
            }
        }
    }

    /** A function refused this token (401): the next call fetches another, unless that happened already. */
    public synchronized void refused(String token) {
        if (current != null && current.isDone() && !current.isCompletedExceptionally() && current.join().value().equals(token)) {
            current = null;
        }
    }

    private CompletableFuture<Token> fetch() {
        CompletableFuture<Token> token = new CompletableFuture<>();
        long requested = System.nanoTime();
        StringBuilder form = new StringBuilder("grant_type=client_credentials")
                .append("&client_id=").append(URLEncoder.encode(clientId, StandardCharsets.UTF_8))
                .append("&client_secret=").append(URLEncoder.encode(clientSecret, StandardCharsets.UTF_8));
        if (!scope.isEmpty()) {
            form.append("&scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        client.postAbs(tokenUrl)
                .timeout(timeoutMs)
                .putHeader("Content-Type", "application/x-www-form-urlencoded")
                .putHeader("Accept", "application/json")
                .sendBuffer(Buffer.buffer(form.toString()))
                .onComplete(result -> {
                    if (result.failed()) {
                        token.completeExceptionally(new TokenEndpointException(endpoint(), "could not be reached: "
                                + result.cause().getClass().getSimpleName(), true));
                    } else {
                        try {
                            token.complete(read(result.result(), requested));
                        } catch (TokenEndpointException e) {
                            token.completeExceptionally(e);
                        }
                    }
                });
        return token;
    }

    private Token read(HttpResponse<Buffer> response, long requested) {
        int status = response.statusCode();
        if (status >= 400 && status < 500) {
            throw new TokenEndpointException(endpoint(), "refused the client credentials of client " + clientId + " (HTTP " + status + ")", false);
        }
        if (status < 200 || status >= 300) {
            throw new TokenEndpointException(endpoint(), "answered HTTP " + status, true);
        }
        JsonNode reply;
        try {
            reply = response.body() == null ? null : JSON.readTree(response.body().getBytes());
        } catch (IOException e) {
            reply = null;
        }
        JsonNode accessToken = reply == null ? null : reply.get("access_token");
        if (accessToken == null || !accessToken.isTextual() || accessToken.asText().isEmpty()) {
            throw new TokenEndpointException(endpoint(), "answered without an access_token", true);
        }
        JsonNode expiresIn = reply.get("expires_in");
        long lifetimeS = expiresIn != null && expiresIn.canConvertToLong() && expiresIn.asLong() > 0 ? expiresIn.asLong() : 3600;
        long margin = Math.min(refreshMarginS, lifetimeS / 2);
        LOG.debug("OAuth2 token from {}: valid for {} s, renewed after {} s", endpoint(), lifetimeS, lifetimeS - margin);
        return new Token(accessToken.asText(), requested + TimeUnit.SECONDS.toNanos(lifetimeS),
                requested + TimeUnit.SECONDS.toNanos(lifetimeS - margin));
    }

    /** The token url for messages: without any credentials or query. */
    private String endpoint() {
        return tokenUrl.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@?#]*@", "$1").replaceFirst("[?#].*$", "");
    }

    @Override
    public String toString() {
        return "FunctionTokens[" + (isEnabled() ? endpoint() + ", client " + clientId : "no OAuth2") + "]";
    }
}
