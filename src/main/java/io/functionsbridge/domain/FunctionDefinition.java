package io.functionsbridge.domain;

import java.util.List;

/**
 * One function of the registry (docs/contract.md).
 *
 * @param url           where it is called, without credentials
 * @param skills        the skills it is invoked for; empty means every skill
 * @param timeoutMs     its per-attempt timeout, or {@code null} for the bridge default
 * @param authorization the {@code Authorization} header value, from credentials in the registry's url
 *                      ({@code https://user:password@host/...}), or {@code null}; it never appears in
 *                      an endpoint uri, a log line or a message
 * @param auth          {@code none}: the function takes no OAuth2 token; {@code null}: it does, when the
 *                      bridge has a token endpoint
 * @param lambda        for {@code runtime: javascript}, the lambda the bridge runs (then {@code url} is
 *                      {@code null}); {@code null} for a function called over HTTP
 */
public record FunctionDefinition(
        String id, String name, String event, String url, boolean deployed, List<String> skills, Integer timeoutMs,
        String authorization, String auth, LambdaCode lambda) {

    /** The registry value of {@code auth} that opts a function out of OAuth2. */
    public static final String NO_AUTH = "none";

    /** The registry's {@code runtime} values. */
    public static final String HTTP = "http";
    public static final String JAVASCRIPT = "javascript";

    public FunctionDefinition {
        skills = skills == null ? List.of() : List.copyOf(skills);
    }

    public FunctionDefinition(String id, String name, String event, String url, boolean deployed, List<String> skills, Integer timeoutMs) {
        this(id, name, event, url, deployed, skills, timeoutMs, null, null, null);
    }

    /** Whether the bridge runs it ({@code runtime: javascript}) rather than calling a url. */
    public boolean isJavaScript() {
        return lambda != null;
    }

    /** Whether it belongs to no event: it is invoked through the gateway only, by its id. */
    public boolean hasEvent() {
        return event != null;
    }

    /** Whether calls to it carry the bridge's OAuth2 token: not when it opts out, nor when its url carries its own credentials. */
    public boolean takesToken() {
        return lambda == null && !NO_AUTH.equals(auth) && authorization == null;
    }

    @Override
    public String toString() {
        return "FunctionDefinition[id=" + id + ", name=" + name + ", event=" + event + (lambda == null ? ", url=" + url
                : ", runtime=javascript, source=" + lambda.folder()) + ", deployed=" + deployed
                + ", skills=" + skills + ", timeoutMs=" + timeoutMs + (authorization == null ? "" : ", authorization=***")
                + (auth == null ? "" : ", auth=" + auth) + "]";
    }

    /** Whether this function is invoked for a conversation of that skill ({@code null}: not known). */
    public boolean servesSkill(String skillId) {
        return skills.isEmpty() || (skillId != null && skills.contains(skillId));
    }

    /** The name for logs: the free-text name, else the id. */
    public String displayName() {
        return name == null || name.isBlank() ? id : name;
    }
}
