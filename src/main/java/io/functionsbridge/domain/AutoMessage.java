package io.functionsbridge.domain;

/** The account's automatic message for one {@code cbotEventType} (auto-messages.yaml). */
public record AutoMessage(boolean enabled, String text) {

    /** Whether it is sent when the function sets no message: enabled and not empty. */
    public boolean sends() {
        return enabled && text != null && !text.isEmpty();
    }
}
