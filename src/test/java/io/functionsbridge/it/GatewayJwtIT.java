package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway with an authorization server's JWKS (docs/contract.md, "The gateway in a real
 * estate"): the shipped routes and beans accept its RS256 and ES256 access tokens, and the static
 * tokens beside them; a refused token is 401 {@code Bearer error="invalid_token"} and calls nothing.
 * Each refusal reason is JwtAccessTokensTest's.
 */
class GatewayJwtIT extends AbstractBridgeIT {

    private static final String INVOKE = "/api/account/local/lambdas/55555555-0000-4000-8000-000000000001/invoke?v=1";
    private static final String ISSUER = "https://sentinel.example.com";
    private static final RSAKey RSA;
    private static final ECKey EC;

    static {
        try {
            RSA = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
            EC = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: 55555555-0000-4000-8000-000000000001
                    event: bot_connectors_custom_integration
                    url: %URL%/hook
                    state: deployed
                """;
    }

    @Override
    Map<String, String> properties() {
        return Map.of("bridge.gateway.tokens", "static-token", "bridge.gateway.jwt.jwks-url", "%URL%/jwks",
                "bridge.gateway.jwt.issuer", ISSUER, "bridge.gateway.jwt.audience", "functions-bridge",
                "bridge.gateway.jwt.scope", "faas.lambda.invoke");
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/hook", Response.ok("{\"response\":\"hooked\"}"));
        server.on("/jwks", Response.ok(new JWKSet(List.of(RSA.toPublicJWK(), EC.toPublicJWK())).toString()));
        // the authorization server's token endpoint (client credentials): a JWT for the right client
        server.on("/token", (request, calls) -> {
            if (!request.body().contains("client_id=crm-service") || !request.body().contains("client_secret=crm-secret")) {
                return Response.status(401);
            }
            try {
                return Response.ok("{\"access_token\":\"" + token(JWSAlgorithm.RS256, 3_600_000)
                        + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void accessTokensOfTheJwksAndTheStaticTokensAreAcceptedAnythingElseIsAnInvalidToken() throws JOSEException {
        GatewayClient gateway = new GatewayClient(bridge.gatewayUrl());
        String body = GatewayClient.envelope("{\"message\":\"hi\"}");
        int before = functions.calls("/hook");

        for (String token : List.of(token(JWSAlgorithm.RS256, 3_600_000), token(JWSAlgorithm.ES256, 3_600_000), "static-token")) {
            GatewayClient.Answer answer = gateway.post(INVOKE, body, "Authorization", "Bearer " + token);
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        }
        assertThat(functions.calls("/hook")).isEqualTo(before + 3);

        GatewayClient.Answer expired = gateway.post(INVOKE, body, "Authorization", "Bearer " + token(JWSAlgorithm.RS256, -120_000));
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.errorCode()).isEqualTo("UNAUTHORIZED");
        assertThat(expired.json().path("errorMsg").asText()).isEqualTo("the token has expired");
        assertThat(expired.headers().get("www-authenticate")).containsExactly("Bearer error=\"invalid_token\"");

        GatewayClient.Answer none = gateway.post(INVOKE, body);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers().get("www-authenticate")).as("no token sent: no error code (RFC 6750)").containsExactly("Bearer");
        assertThat(gateway.post(INVOKE, body, "Authorization", "Bearer garbage").status()).isEqualTo(401);
        assertThat(functions.calls("/hook")).as("no call for a refused request").isEqualTo(before + 3);
        assertThat(functions.calls("/jwks")).as("the JWKS fetched once").isEqualTo(1);
    }

    /**
     * The platform's Node client ({@code liveperson-functions-client} from npm, installed by the
     * test into target/node-client): its access token from the token endpoint, through its
     * {@code authStrategy}; the gateway's address in place of its service lookup.
     */
    @Test
    void thePlatformsNodeClientInvokesALambdaWithAnAccessTokenFromTheTokenEndpoint() throws Exception {
        NodeClient.install();
        URI gateway = URI.create(bridge.gatewayUrl());
        int before = functions.calls("/hook");

        NodeClient.Result run = NodeClient.script("invoke-gateway.js", gateway.getHost() + ":" + gateway.getPort(), functions.url("/token"),
                "55555555-0000-4000-8000-000000000001");

        assertThat(run.exitCode()).as(run.output()).isZero();
        JsonNode answer = json(run.output().lines().reduce((first, last) -> last).orElseThrow());
        assertThat(answer.path("ok").asBoolean()).as(run.output()).isTrue();
        assertThat(answer.path("body").path("response").asText()).isEqualTo("hooked");
        assertThat(functions.calls("/hook")).isEqualTo(before + 1);
        JsonNode sent = json(functions.requests("/hook").get(before).body());
        assertThat(sent.path("headers").get(0).path("value").asText()).as("the envelope as the client sent it").isEqualTo("node");
        assertThat(sent.path("payload").path("conversationId").asText()).isEqualTo("conv-node");
    }

    private static String token(JWSAlgorithm algorithm, long expiresIn) throws JOSEException {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience("functions-bridge").subject("crm")
                .claim("scope", "faas.lambda.invoke").expirationTime(new Date(System.currentTimeMillis() + expiresIn)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(algorithm == JWSAlgorithm.RS256 ? "rsa-1" : "ec-1").build(), claims);
        jwt.sign(algorithm == JWSAlgorithm.RS256 ? new RSASSASigner(RSA) : new ECDSASigner(EC));
        return jwt.serialize();
    }
}
