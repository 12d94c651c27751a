package io.functionsbridge.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The gateway's OAuth2 access tokens (docs/contract.md, "The gateway in a real estate"): JWTs signed
 * with RS256 or ES256 by a key of the authorization server's JWKS, from the right issuer, for this
 * audience, within their lifetime (60 s leeway), and with the scope asked, if any.
 *
 * <p>Nothing else is a signature here: {@code none}, HMACs (a token "signed" with the public key
 * as an HMAC secret) and every other algorithm are refused before any key is looked at, and the
 * key must be of the algorithm's type. The key is the JWKS's by {@code kid}; an unknown {@code kid}
 * fetches the JWKS again, at most once every 30 s (every fetch counts, the first included), so a
 * rotated key is taken without a restart. A JWKS that cannot be fetched when it is needed is a
 * {@link GatewayException} 503: a request is never let in without its key.
 *
 * <p>A token once accepted is remembered until it expires (at most {@value #REMEMBERED} of them),
 * so that a client sending the same token on every request costs one signature check.
 */
public final class JwtAccessTokens {

    /** Clock skew allowed on {@code exp} and {@code nbf}. */
    static final long LEEWAY_MS = 60_000;
    /** The least time between two fetches of the JWKS. */
    static final long REFETCH_MS = 30_000;
    static final int REMEMBERED = 10_000;
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

    private final URI jwksUrl;
    private final String issuer;
    private final String audience;
    private final String scope;
    private final LongSupplier clock;
    // made at the first fetch (no thread for a bean Camel Main creates and drops)
    private HttpClient http;

    private JWKSet keys;
    private boolean fetched;
    private long fetchedAt;
    // accepted tokens and their expiry (epoch ms, leeway included), oldest first
    private final Map<String, Long> accepted = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };

    public JwtAccessTokens(String jwksUrl, String issuer, String audience, String scope) {
        this(jwksUrl, issuer, audience, scope, System::currentTimeMillis);
    }

    JwtAccessTokens(String jwksUrl, String issuer, String audience, String scope, LongSupplier clock) {
        if (issuer == null || issuer.isBlank() || audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("bridge.gateway.jwt.jwks-url needs bridge.gateway.jwt.issuer and bridge.gateway.jwt.audience");
        }
        this.jwksUrl = URI.create(jwksUrl.strip());
        this.issuer = issuer.strip();
        this.audience = audience.strip();
        this.scope = scope == null || scope.isBlank() ? null : scope.strip();
        this.clock = clock;
    }

    /**
     * Checks a bearer token: returns normally when it is accepted; a {@link GatewayException} 401
     * names why it is not, 503 when the JWKS it needs cannot be fetched.
     */
    public void check(String token) {
        long now = clock.getAsLong();
        synchronized (accepted) {
            Long until = accepted.get(token);
            if (until != null && now <= until) {
                return;
            }
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw invalid("the token is not a signed JWT");
        }
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        if (!ALGORITHMS.contains(algorithm)) {
            throw invalid("the token's algorithm " + algorithm + " is not accepted (RS256 or ES256)");
        }
        if (!verify(jwt, key(jwt.getHeader().getKeyID(), now))) {
            throw invalid("the token's signature does not verify");
        }
        long expiry = checkClaims(claims, now);
        synchronized (accepted) {
            accepted.put(token, expiry);
        }
    }

    private static boolean verify(SignedJWT jwt, JWK key) {
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        if (key.getKeyUse() != null && key.getKeyUse() != KeyUse.SIGNATURE
                || key.getAlgorithm() != null && !key.getAlgorithm().equals(algorithm)) {
            throw invalid("the token's key is not for " + algorithm + " signatures");
        }
        try {
            JWSVerifier verifier;
            if (algorithm.equals(JWSAlgorithm.RS256) && key instanceof RSAKey rsa) {
                verifier = new RSASSAVerifier(rsa);
            } else if (algorithm.equals(JWSAlgorithm.ES256) && key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
                verifier = new ECDSAVerifier(ec);
            } else {
                throw invalid("the token's key is not an " + algorithm + " key");
            }
            return jwt.verify(verifier);
        } catch (JOSEException e) {
            throw invalid("the token's signature cannot be checked");
        }
    }

    /** The claims hold: returns until when the token is valid (epoch ms, leeway included). */
    private long checkClaims(JWTClaimsSet claims, long now) {
        Date expires = claims.getExpirationTime();
        if (expires == null) {
            throw invalid("the token has no expiry (exp)");
        }
        if (now > expires.getTime() + LEEWAY_MS) {
            throw invalid("the token has expired");
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && now < notBefore.getTime() - LEEWAY_MS) {
            throw invalid("the token is not valid yet (nbf)");
        }
        if (!issuer.equals(claims.getIssuer())) {
            throw invalid("the token's issuer is not " + issuer);
        }
        List<String> audiences = claims.getAudience();
        if (audiences == null || !audiences.contains(audience)) {
            throw invalid("the token is not for the audience " + audience);
        }
        if (scope != null && !scopes(claims).contains(scope)) {
            throw invalid("the token lacks the scope " + scope);
        }
        return expires.getTime() + LEEWAY_MS;
    }

    /** {@code scope} (space-separated, RFC 8693) or {@code scp} (a string or a list). */
    private static Collection<String> scopes(JWTClaimsSet claims) {
        Object scope = claims.getClaim("scope");
        if (scope == null) {
            scope = claims.getClaim("scp");
        }
        if (scope instanceof String text) {
            return List.of(text.strip().split("\\s+"));
        }
        if (scope instanceof Collection<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    /** The JWKS's key of that kid: the keys known, else the JWKS fetched again (at most once every 30 s). */
    private JWK key(String kid, long now) {
        if (kid == null) {
            throw invalid("the token names no key (kid)");
        }
        synchronized (this) {
            JWK key = keys == null ? null : keys.getKeyByKeyId(kid);
            if (key == null && (!fetched || now - fetchedAt >= REFETCH_MS)) {
                fetched = true;
                fetchedAt = now;
                keys = fetch();
                key = keys.getKeyByKeyId(kid);
            }
            if (key == null) {
                if (keys == null) {
                    throw unavailable("the JWKS at " + jwksUrl + " could not be fetched");
                }
                throw invalid("the token's key " + kid + " is not in the JWKS");
            }
            return key;
        }
    }

    private JWKSet fetch() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(jwksUrl).timeout(Duration.ofSeconds(5))
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw unavailable("the JWKS at " + jwksUrl + " answered " + response.statusCode());
            }
            return JWKSet.parse(response.body());
        } catch (ParseException e) {
            throw unavailable("the JWKS at " + jwksUrl + " is not a JWK set");
        } catch (IOException e) {
            throw unavailable("the JWKS at " + jwksUrl + " could not be fetched: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while fetching the JWKS");
        }
    }

    private static GatewayException invalid(String why) {
        return GatewayException.invalidToken(why);
    }

    private static GatewayException unavailable(String why) {
        return new GatewayException(503, "JWKS_UNAVAILABLE", why);
    }
}
