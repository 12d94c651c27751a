package io.functionsbridge.domain;

/**
 * A Functions event a function can be deployed on.
 *
 * @param id            the event id used in {@code functions.yaml}
 * @param name          its display name
 * @param lambdaLimit   how many deployed functions the event takes at most
 * @param skillsApply   whether a function's {@code skills} filter applies to it
 * @param acceptsCommands whether the function's reply is executed (messaging) or only read (chat)
 */
public record FunctionsEvent(String id, String name, int lambdaLimit, boolean skillsApply, boolean acceptsCommands) {
}
