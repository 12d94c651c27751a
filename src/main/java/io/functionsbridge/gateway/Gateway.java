package io.functionsbridge.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.functionsbridge.BeanLifecycle;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.DeadLetterReason;
import io.functionsbridge.domain.EventRecord;
import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.domain.FunctionsEvent;
import io.functionsbridge.domain.InvocationResult;
import io.functionsbridge.domain.TraceContext;
import io.functionsbridge.registry.FunctionRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeException;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Headers;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform's invoke API (docs/contract.md, §13), for callers that wait for the answer: who may
 * call, which function or event a request names, the request's envelope and deadline, and the
 * answer. The routes of {@code routes/gateway.camel.yaml} call the functions the way the Kafka
 * routes do ({@code direct:invoke-function}: the same envelope, X-Request-ID, retries and circuit
 * breakers).
 *
 * <p>Each step returns its decision or throws a {@link GatewayException} with the status and error
 * code to answer; the routes' error handler turns it into {@code {"errorCode", "errorMsg"}}.
 */
public final class Gateway implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where a gateway request's event comes from, in its outcome and ids (it has no topic). */
    private static final String SOURCE = "gateway";
    /** A route of routes/gateway.camel.yaml: without it, the gateway is off. */
    private static final String GATEWAY_ROUTE = "gateway-invoke-lambda";

    private CamelContext camelContext;
    private long maxRequestBytes = 1_048_576;
    private FunctionRegistry functions;
    private String account = "local";
    private List<byte[]> tokens = List.of();
    private String jwksUrl = "";
    private String jwtIssuer;
    private String jwtAudience;
    private String jwtScope;
    private JwtAccessTokens accessTokens;
    private long timeoutMs = 30_000;

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** The largest request body (bridge.gateway.max-request-bytes): a larger one is answered 413. */
    public void setMaxRequestBytes(long maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    /**
     * With the context: says where the gateway answers. On Camel Main's own HTTP server
     * ({@code camel.server.*}), a body over {@code maxRequestBytes}, which the server refuses before
     * any route sees it, is answered as every other refusal, 413 {@code {"errorCode", "errorMsg"}}.
     * On a host application's HTTP server (Spring Boot's, for one), that server's limits and answers
     * apply.
     */
    public void start() throws Exception {
        // a JWKS without its issuer or audience stops the start, with the setting's name
        accessTokens = jwksUrl.isEmpty() ? null : new JwtAccessTokens(jwksUrl, jwtIssuer, jwtAudience, jwtScope);
        BeanLifecycle.startAfterContext(camelContext, this, () -> {
            if (camelContext.getRoute(GATEWAY_ROUTE) == null) {
                LOG.info("gateway: off (its routes are not loaded)");
                return;
            }
            String access = !jwksUrl.isEmpty() ? "JWT access tokens of " + jwksUrl + (tokens.isEmpty() ? "" : " or bearer tokens") + " asked"
                    : isSecured() ? "bearer tokens asked" : "no credentials asked: callers on this host only";
            MainHttpServer server = camelContext.hasService(MainHttpServer.class);
            if (server == null) {
                LOG.info("gateway: /api/account/{}/ on the application's HTTP server ({})", account, access);
                return;
            }
            LOG.info("gateway: http://{}:{}/api/account/{}/ ({})", server.getHost(), server.getPort(), account, access);
            byte[] tooLarge = error(new GatewayException(413, "REQUEST_TOO_LARGE",
                    "the body is over " + maxRequestBytes + " bytes (bridge.gateway.max-request-bytes)"));
            server.getRouter().route().failureHandler(context -> {
                if (context.statusCode() == 413 && !context.response().headWritten()) {
                    context.response().setStatusCode(413).putHeader("Content-Type", "application/json").end(Buffer.buffer(tooLarge));
                } else {
                    context.next();
                }
            });
        });
    }

    public void setFunctions(FunctionRegistry functions) {
        this.functions = functions;
    }

    /** The only account the gateway serves (bridge.account). */
    public void setAccount(String account) {
        this.account = account;
    }

    /** The bearer tokens a request may carry (bridge.gateway.tokens, comma-separated); none: no credentials asked. */
    public void setTokens(String tokens) {
        List<byte[]> accepted = new ArrayList<>();
        for (String token : tokens == null ? new String[0] : tokens.split(",")) {
            if (!token.isBlank()) {
                accepted.add(token.strip().getBytes(StandardCharsets.UTF_8));
            }
        }
        this.tokens = List.copyOf(accepted);
    }

    /**
     * The authorization server's JWKS (bridge.gateway.jwt.jwks-url): with it, a request may carry a
     * JWT access token it signed, for the issuer, audience and scope below; empty: none accepted.
     */
    public void setJwksUrl(String jwksUrl) {
        this.jwksUrl = jwksUrl == null ? "" : jwksUrl.strip();
    }

    /** The access tokens' {@code iss} (bridge.gateway.jwt.issuer). */
    public void setJwtIssuer(String jwtIssuer) {
        this.jwtIssuer = jwtIssuer;
    }

    /** What the access tokens' {@code aud} must hold (bridge.gateway.jwt.audience). */
    public void setJwtAudience(String jwtAudience) {
        this.jwtAudience = jwtAudience;
    }

    /** The scope the access tokens must hold (bridge.gateway.jwt.scope); empty: none asked. */
    public void setJwtScope(String jwtScope) {
        this.jwtScope = jwtScope;
    }

    /** Whether requests must carry a token: one of the tokens, or a JWT of the JWKS. */
    public boolean isSecured() {
        return !tokens.isEmpty() || !jwksUrl.isEmpty();
    }

    /** The deadline of a whole request, retries included (bridge.gateway.timeout-ms). */
    public void setTimeoutMs(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    /**
     * {@code POST /api/account/{account}/lambdas/{uuid}/invoke?v=1}: the invocation of that
     * function, deployed, with the request's payload. Any event's function can be invoked by its id.
     */
    public BridgeEvent lambdaRequest(@Headers Map<String, Object> headers, @Body byte[] body) {
        checkRequest(headers);
        String uuid = text(headers.get("uuid"));
        FunctionDefinition function = functions.byId(uuid)
                .orElseThrow(() -> new GatewayException(404, "UNKNOWN_LAMBDA", "no function " + uuid + " in the registry"));
        if (!function.deployed()) {
            throw new GatewayException(404, "LAMBDA_NOT_DEPLOYED", "function " + uuid + " is not deployed");
        }
        return request(headers, body, function.event()).invocationOf(function);
    }

    /**
     * {@code POST /api/account/{account}/events/{eventId}/invoke?v=1}: the request, with one
     * invocation per function deployed on the event for the {@code skillId} query parameter's skill
     * (skills applied where the event takes them), for the routes' split.
     */
    public BridgeEvent eventRequest(@Headers Map<String, Object> headers, @Body byte[] body) {
        checkRequest(headers);
        FunctionsEvent event = knownEvent(headers);
        BridgeEvent request = request(headers, body, event.id());
        List<BridgeEvent> invocations = new ArrayList<>();
        for (FunctionDefinition function : functions.findAll(event.id(), skill(headers, event))) {
            invocations.add(request.invocationOf(function));
        }
        request.setInvocations(invocations);
        return request;
    }

    /** {@code GET /api/account/{account}/events/{eventId}/isImplemented?v=1}: {@code {"implemented": true|false}}. */
    public byte[] isImplemented(@Headers Map<String, Object> headers) {
        checkRequest(headers);
        FunctionsEvent event = knownEvent(headers);
        boolean implemented = !functions.findAll(event.id(), skill(headers, event)).isEmpty();
        return ("{\"implemented\":" + implemented + "}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The answer to an invocation by lambda: 200 with the function's reply as it is (JSON; an empty
     * reply is {@code null}); 502 when the function failed, refused the call or answered no JSON;
     * 503 while its circuit breaker is open; 504 past the request's deadline.
     */
    public byte[] lambdaAnswer(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent invocation) {
        GatewayException failure = failure(invocation);
        if (failure != null) {
            LOG.warn("gateway: function {}: {} {}", invocation.invocation().getFunctionId(), failure.status(), failure.getMessage());
            throw failure;
        }
        return result(invocation);
    }

    /**
     * The answer to an invocation by event: 200 with {@code [{"uuid", "timestamp", "result"}]},
     * one per function called, in the registry's order; a function that failed has
     * {@code "errorCode"} and {@code "errorMsg"} in place of its result.
     */
    public byte[] eventAnswer(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent request) {
        ArrayNode answers = JSON.createArrayNode();
        for (BridgeEvent invocation : request.getInvocations()) {
            ObjectNode entry = answers.addObject();
            entry.put("uuid", invocation.invocation().getFunctionId());
            entry.put("timestamp", invocation.invocation().getInvokedAtMillis());
            GatewayException failure = failure(invocation);
            if (failure == null) {
                entry.set("result", readTree(result(invocation)));
            } else {
                LOG.warn("gateway: function {}: {} {}", invocation.invocation().getFunctionId(), failure.status(), failure.getMessage());
                entry.put("errorCode", failure.errorCode());
                entry.put("errorMsg", failure.getMessage());
            }
        }
        return bytes(answers);
    }

    /** A refused request's answer (the route has removed every header): its status, and {@code {"errorCode", "errorMsg"}}. */
    public byte[] refused(@ExchangeException Exception exception, @Headers Map<String, Object> headers) {
        GatewayException refusal = exception instanceof GatewayException known ? known
                : new GatewayException(500, "BRIDGE_ERROR", "the bridge failed on the request: " + exception.getClass().getSimpleName());
        if (refusal.status() == 500) {
            LOG.error("gateway: {}", refusal.getMessage(), exception);
        }
        headers.put(Exchange.HTTP_RESPONSE_CODE, refusal.status());
        headers.put(Exchange.CONTENT_TYPE, "application/json");
        if (refusal.status() == 401) {
            // RFC 6750: no error code when no token was sent
            headers.put("WWW-Authenticate", refusal.isTokenRejected() ? "Bearer error=\"invalid_token\"" : "Bearer");
        }
        return error(refusal);
    }

    private static byte[] error(GatewayException refusal) {
        ObjectNode error = JSON.createObjectNode();
        error.put("errorCode", refusal.errorCode());
        error.put("errorMsg", refusal.getMessage());
        return bytes(error);
    }

    /** Credentials first (nothing is said to a caller without them), then the account and the version. */
    private void checkRequest(Map<String, Object> headers) {
        if (isSecured()) {
            authorize(text(headers.get("Authorization")));
        }
        if (!isSecured() && !fromThisHost(headers.get(VertxPlatformHttpConstants.REMOTE_ADDRESS))) {
            // the bridge's own server listens on 127.0.0.1 then; a host application's may not
            throw new GatewayException(401, "UNAUTHORIZED", "without bridge.gateway.tokens the gateway answers callers shown to be on this host only");
        }
        String requested = text(headers.get("account"));
        if (!account.equals(requested)) {
            throw new GatewayException(404, "UNKNOWN_ACCOUNT", "account " + requested + " is not served here");
        }
        Object version = headers.get("v");
        if (version != null && !"1".equals(text(version))) {
            throw new GatewayException(400, "UNSUPPORTED_VERSION", "only v=1 of the invoke API is served");
        }
    }

    /**
     * Whether the caller is on this host. Fails closed: a caller whose address the HTTP server does
     * not hand over (a host application's server may not) is not shown to be, so it is refused.
     */
    private static boolean fromThisHost(Object remote) {
        if (!(remote instanceof SocketAddress address) || address.hostAddress() == null) {
            return false;
        }
        try {
            return InetAddress.getByName(address.hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** One of the tokens, else a JWT access token of the JWKS; anything else is refused (401, or 503 without the JWKS). */
    private void authorize(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.substring(7).isBlank()) {
            throw new GatewayException(401, "UNAUTHORIZED", "a valid 'Authorization: Bearer <token>' header is required");
        }
        String token = authorization.substring(7).strip();
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] known : tokens) {
            match |= MessageDigest.isEqual(known, given);
        }
        if (match) {
            return;
        }
        if (accessTokens == null) {
            throw GatewayException.invalidToken("the bearer token is not accepted");
        }
        accessTokens.check(token);
    }

    private FunctionsEvent knownEvent(Map<String, Object> headers) {
        String id = text(headers.get("eventId"));
        return functions.event(id).orElseThrow(() -> new GatewayException(404, "UNKNOWN_EVENT", "no event " + id));
    }

    /** The skillId query parameter, where the event takes skills; an empty one is no skill. */
    private static String skill(Map<String, Object> headers, FunctionsEvent event) {
        String skill = text(headers.get("skillId"));
        return event.skillsApply() && skill != null && !skill.isBlank() ? skill.strip() : null;
    }

    /**
     * The request as an event: its envelope's payload, its X-Request-ID (else a new one) and its
     * deadline. The body must be the envelope {@code {timestamp, headers, payload}}.
     */
    private BridgeEvent request(Map<String, Object> headers, byte[] body, String eventId) {
        JsonNode envelope;
        try {
            envelope = body == null || body.length == 0 ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new GatewayException(400, "INVALID_REQUEST", "the body is not JSON: " + DeadLetterReason.shorten(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new GatewayException(400, "INVALID_REQUEST", "the body could not be read");
        }
        if (envelope == null || !envelope.isObject() || !envelope.has("payload")) {
            throw new GatewayException(400, "INVALID_REQUEST", "the body must be the envelope {\"timestamp\", \"headers\", \"payload\"}");
        }
        if (envelope.has("timestamp") && !envelope.get("timestamp").isNumber()) {
            throw new GatewayException(400, "INVALID_REQUEST", "the envelope's timestamp must be a number (epoch milliseconds)");
        }
        if (envelope.has("headers") && !envelope.get("headers").isArray()) {
            throw new GatewayException(400, "INVALID_REQUEST", "the envelope's headers must be an array");
        }
        JsonNode payloadNode = envelope.get("payload");
        byte[] payload = payloadAsSent(body);
        String conversation = payloadNode.path("conversationId").isTextual() ? payloadNode.get("conversationId").asText() : null;
        BridgeEvent request = new BridgeEvent(new EventRecord(SOURCE, "eventId", SOURCE, 0, 0, null, payload, traceHeaders(headers), eventId,
                conversation, null, 0, payload.length, null));
        // the function gets the envelope as the caller sent it: its headers, timestamp and payload
        request.invocation().setGivenEnvelope(envelope.has("timestamp") ? body : withTimestamp(body, System.currentTimeMillis()));
        request.invocation().setFunctionsEvent(eventId);
        request.invocation().setRetried(functions.event(eventId).map(FunctionsEvent::retried).orElse(true));
        String requestId = text(headers.get("X-Request-ID"));
        request.invocation().setGivenRequestId(requestId == null || requestId.isBlank() ? UUID.randomUUID().toString() : requestId.strip());
        request.invocation().setDeadlineNanos(System.nanoTime() + timeoutMs * 1_000_000);
        return request;
    }

    /** The request's {@code traceparent} and {@code tracestate}, as the event's record headers: the caller's trace. */
    private static Map<String, byte[]> traceHeaders(Map<String, Object> headers) {
        Map<String, byte[]> trace = new HashMap<>(4);
        for (String name : List.of(TraceContext.TRACEPARENT, TraceContext.TRACESTATE)) {
            String value = text(headers.get(name));
            if (value != null) {
                trace.put(name, value.getBytes(StandardCharsets.UTF_8));
            }
        }
        return trace;
    }

    /** Why an invocation is not answered with its reply, or {@code null} when it is. */
    private static GatewayException failure(BridgeEvent invocation) {
        if (invocation.invocationResult() == InvocationResult.CIRCUIT_OPEN) {
            return new GatewayException(503, "CIRCUIT_OPEN", invocation.outcome().getDeadLetterMessage());
        }
        if (invocation.outcome().isDeadLettered()) {
            if (invocation.invocation().isPastDeadline()) {
                return new GatewayException(504, "TIMEOUT", "no answer within the request's deadline: " + invocation.outcome().getDeadLetterMessage());
            }
            // the bridge's own failure is not the function's: 500, as any other failure of the bridge
            int status = invocation.outcome().getDeadLetterReason() == DeadLetterReason.BRIDGE_ERROR ? 500 : 502;
            return new GatewayException(status, invocation.outcome().getDeadLetterReason().name(), invocation.outcome().getDeadLetterMessage());
        }
        if (!isJson(invocation.invocation().getReply())) {
            return new GatewayException(502, DeadLetterReason.INVALID_REPLY.name(),
                    "function " + invocation.invocation().getFunctionId() + " answered something that is not JSON");
        }
        return null;
    }

    private static byte[] result(BridgeEvent invocation) {
        byte[] reply = invocation.invocation().getReply();
        return reply == null || isBlank(reply) ? "null".getBytes(StandardCharsets.UTF_8) : reply;
    }

    private static boolean isJson(byte[] reply) {
        if (reply == null || isBlank(reply)) {
            return true;
        }
        try (var parser = JSON.createParser(reply)) {
            while (parser.nextToken() != null) {
                // reads to the end: anything that is not one JSON value fails
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    /** The answer carries no header of the request's: only its status and content type. */
    private static JsonNode readTree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("a reply checked as JSON is not", e);
        }
    }

    /** The envelope's payload, byte for byte as the request holds it (the body is a JSON object with a payload). */
    private static byte[] payloadAsSent(byte[] body) {
        try (JsonParser parser = JSON.getFactory().createParser(body)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean payload = "payload".equals(parser.currentName());
                parser.nextToken();
                long start = parser.currentTokenLocation().getByteOffset();
                parser.skipChildren();
                if (payload) {
                    return Arrays.copyOfRange(body, (int) start, (int) parser.currentLocation().getByteOffset());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("the envelope was read before", e);
        }
        throw new IllegalStateException("the envelope has a payload");
    }

    /** The envelope with {@code "timestamp": <now>} as its first member, the rest byte for byte. */
    private static byte[] withTimestamp(byte[] body, long now) {
        int open = 0;
        while (body[open] != '{') {
            open++;
        }
        byte[] timestamp = ("\"timestamp\":" + now + ",").getBytes(StandardCharsets.US_ASCII);
        byte[] envelope = new byte[body.length + timestamp.length];
        System.arraycopy(body, 0, envelope, 0, open + 1);
        System.arraycopy(timestamp, 0, envelope, open + 1, timestamp.length);
        System.arraycopy(body, open + 1, envelope, open + 1 + timestamp.length, body.length - open - 1);
        return envelope;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(Object value) {
        if (value instanceof List<?> list) {
            return list.isEmpty() ? null : String.valueOf(list.get(0));
        }
        return value == null ? null : value.toString();
    }
}
