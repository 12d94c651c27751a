package io.functionsbridge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's JWT access tokens against a real JWKS served over HTTP, with tokens signed here
 * with real RSA and EC keys; the clock is the test's, so that the 30 s between fetches of the
 * JWKS can be passed without waiting.
 */
class JwtAccessTokensTest {

    private static final String ISSUER = "https://sentinel.example.com";
    private static final String AUDIENCE = "functions-bridge";
    private static final String SCOPE = "faas.lambda.invoke";

    private static RSAKey rsa;
    private static ECKey ec;
    private static LocalFunctionServer jwksServer;
    private static final AtomicReference<List<JWK>> published = new AtomicReference<>();
    private static final AtomicReference<Response> jwksDown = new AtomicReference<>();

    private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    private String jwksPath;
    private JwtAccessTokens tokens;

    @BeforeAll
    static void keysAndTheirJwks() throws JOSEException {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        jwksServer = LocalFunctionServer.start(0);
    }

    @AfterAll
    static void stop() {
        jwksServer.close();
    }

    @BeforeEach
    void freshTokens() {
        published.set(List.of(rsa.toPublicJWK(), ec.toPublicJWK()));
        jwksDown.set(null);
        // a path of its own per test: its fetches are counted apart
        jwksPath = "/jwks/" + System.nanoTime();
        jwksServer.on(jwksPath, (request, calls) -> jwksDown.get() != null ? jwksDown.get()
                : Response.ok(new JWKSet(published.get()).toString()));
        tokens = new JwtAccessTokens(jwksServer.url(jwksPath), ISSUER, AUDIENCE, SCOPE, clock::get);
    }

    @Test
    void validRs256AndEs256TokensAreAccepted() throws JOSEException {
        assertThatCode(() -> tokens.check(token(rsa, claims -> { }))).doesNotThrowAnyException();
        assertThatCode(() -> tokens.check(token(ec, claims -> { }))).doesNotThrowAnyException();
        assertThat(jwksServer.calls(jwksPath)).as("one fetch for both keys").isEqualTo(1);
    }

    @Test
    void aTokenExpiredWithinTheLeewayIsAcceptedOneExpiredLongerIsNot() throws JOSEException {
        assertThatCode(() -> tokens.check(token(rsa, claims -> claims.expirationTime(at(-20_000))))).doesNotThrowAnyException();
        refused(token(rsa, claims -> claims.expirationTime(at(-61_000))), "expired");
    }

    @Test
    void anAcceptedTokenIsRefusedOnceItExpires() throws JOSEException {
        String token = token(rsa, claims -> claims.expirationTime(at(10_000)));
        tokens.check(token);
        clock.addAndGet(71_000);
        refused(token, "expired");
    }

    @Test
    void aTokenNotYetValidIsRefused() throws JOSEException {
        refused(token(rsa, claims -> claims.notBeforeTime(at(120_000))), "not valid yet");
        assertThatCode(() -> tokens.check(token(rsa, claims -> claims.notBeforeTime(at(30_000))))).as("within the leeway")
                .doesNotThrowAnyException();
    }

    @Test
    void theIssuerAudienceAndScopeMustHold() throws JOSEException {
        refused(token(rsa, claims -> claims.issuer("https://elsewhere.example.com")), "issuer");
        refused(token(rsa, claims -> claims.audience("another-service")), "audience");
        refused(token(rsa, claims -> claims.claim("scope", "faas.lambda.read")), "scope");
        refused(token(rsa, claims -> claims.expirationTime(null)), "no expiry");
        assertThatCode(() -> tokens.check(token(rsa, claims -> claims.claim("scope", null).claim("scp", List.of("other", SCOPE)))))
                .as("scp as a list").doesNotThrowAnyException();
        assertThatCode(() -> tokens.check(token(rsa, claims -> claims.audience(List.of("other", AUDIENCE)))))
                .as("one audience of several").doesNotThrowAnyException();
    }

    @Test
    void anAlteredPayloadIsRefused() throws JOSEException {
        String[] parts = token(rsa, claims -> claims.claim("scope", "faas.lambda.read")).split("\\.");
        String altered = Base64URL.encode(claims(c -> { }).toString()).toString();
        refused(parts[0] + "." + altered + "." + parts[2], "signature");
    }

    @Test
    void algNoneAnHmacWithThePublicKeyAndGarbageAreRefused() throws JOSEException {
        String none = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"rsa-1\"}") + "." + Base64URL.encode(claims(c -> { }).toString()) + ".";
        refused(none, "not a signed JWT");

        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims(c -> { }));
        hmac.sign(new MACSigner(rsa.toPublicJWK().toRSAPublicKey().getEncoded()));
        refused(hmac.serialize(), "HS256 is not accepted");

        refused("garbage", "not a signed JWT");
        refused("a.b.c", "not a signed JWT");
        assertThat(jwksServer.calls(jwksPath)).as("no key looked up for any of them").isZero();
    }

    @Test
    void aKeyOfAnotherTypeThanTheAlgorithmIsRefused() throws JOSEException {
        // an RS256 token naming the EC key
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("ec-1").build(), claims(c -> { }));
        jwt.sign(new RSASSASigner(rsa));
        refused(jwt.serialize(), "not an RS256 key");
    }

    @Test
    void aRotatedKeyIsTakenWithoutARestartAndTheJwksIsFetchedAtMostOnceEvery30Seconds() throws JOSEException {
        tokens.check(token(rsa, claims -> { }));
        RSAKey rotated = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        published.set(List.of(rsa.toPublicJWK(), rotated.toPublicJWK()));

        clock.addAndGet(10_000);
        refused(token(rotated, claims -> { }), "not in the JWKS");
        assertThat(jwksServer.calls(jwksPath)).as("not fetched again within 30 s").isEqualTo(1);

        clock.addAndGet(20_000);
        assertThatCode(() -> tokens.check(token(rotated, claims -> { }))).doesNotThrowAnyException();
        assertThat(jwksServer.calls(jwksPath)).isEqualTo(2);
        refused(token(new RSAKeyGenerator(2048).keyID("rsa-3").generate(), claims -> { }), "not in the JWKS");
        assertThat(jwksServer.calls(jwksPath)).isEqualTo(2);
    }

    @Test
    void aJwksThatCannotBeFetchedIs503NeverAnAcceptedToken() throws JOSEException {
        jwksDown.set(Response.status(503));
        GatewayException down = catchThrowableOfType(GatewayException.class, () -> tokens.check(token(rsa, claims -> { })));
        assertThat(down.status()).isEqualTo(503);

        JwtAccessTokens unreachable = new JwtAccessTokens("http://127.0.0.1:1/jwks", ISSUER, AUDIENCE, SCOPE, clock::get);
        assertThat(catchThrowableOfType(GatewayException.class, () -> unreachable.check(token(rsa, claims -> { }))).status()).isEqualTo(503);

        jwksDown.set(Response.ok("not a JWK set"));
        clock.addAndGet(30_000);
        assertThat(catchThrowableOfType(GatewayException.class, () -> tokens.check(token(rsa, claims -> { }))).status()).isEqualTo(503);

        jwksDown.set(null);
        clock.addAndGet(30_000);
        assertThatCode(() -> tokens.check(token(rsa, claims -> { }))).as("back once it can be fetched").doesNotThrowAnyException();
    }

    @Test
    void aJwksWithoutItsIssuerOrAudienceIsRefusedAtStart() {
        assertThatThrownBy(() -> new JwtAccessTokens("http://127.0.0.1:1/jwks", "", AUDIENCE, null))
                .hasMessageContaining("bridge.gateway.jwt.issuer");
        assertThatThrownBy(() -> new JwtAccessTokens("http://127.0.0.1:1/jwks", ISSUER, null, null))
                .hasMessageContaining("bridge.gateway.jwt.audience");
    }

    private void refused(String token, String why) {
        GatewayException refusal = catchThrowableOfType(GatewayException.class, () -> tokens.check(token));
        assertThat(refusal).as("refused: " + why).isNotNull();
        assertThat(refusal.status()).isEqualTo(401);
        assertThat(refusal.isTokenRejected()).isTrue();
        assertThat(refusal.getMessage()).contains(why);
    }

    private Date at(long fromNow) {
        return new Date(clock.get() + fromNow);
    }

    private JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> change) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("client-1")
                .claim("scope", "openid " + SCOPE).issueTime(at(0)).expirationTime(at(3_600_000));
        change.accept(claims);
        return claims.build();
    }

    private String token(JWK key, Consumer<JWTClaimsSet.Builder> change) throws JOSEException {
        JWSAlgorithm algorithm = key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256;
        JWSSigner signer = key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(), claims(change));
        jwt.sign(signer);
        return jwt.serialize();
    }
}
