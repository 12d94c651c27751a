package io.functionsbridge.registry;

import java.util.List;

/**
 * One function of the registry (CONTRACT §3).
 *
 * @param skills    the skills it is invoked for; empty means every skill
 * @param timeoutMs its per-attempt timeout, or {@code null} for the bridge default
 */
public record FunctionDefinition(
        String id, String name, String event, String url, boolean deployed, List<String> skills, Integer timeoutMs) {

    public FunctionDefinition {
        skills = skills == null ? List.of() : List.copyOf(skills);
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
