package io.functionsbridge.domain;

/**
 * A Functions event a function can be deployed on (docs/contract.md, §3 and §12).
 *
 * @param id          the event id used in {@code functions.yaml}
 * @param name        its display name
 * @param lambdaLimit how many deployed functions the event takes at most
 * @param skillsApply whether a function's {@code skills} filter applies to it
 * @param reply       what becomes of a function's reply
 * @param retried     whether a failed call is retried (the transcript event's are not)
 */
public record FunctionsEvent(String id, String name, int lambdaLimit, boolean skillsApply, Reply reply, boolean retried) {

    /** What the bridge does with a function's reply to the event. */
    public enum Reply {
        /** Messaging: systemMessage, transfer, closeConversation, and the automatic message. */
        COMMANDS,
        /** The chat post-survey transcript: one sendTranscript command per valid entry. */
        TRANSCRIPTS,
        /** Chat and surveys: read and counted, not executed. */
        READ_ONLY,
        /** Only invoked through the gateway, whose caller gets the reply as it is. */
        RESULT
    }

    /** Whether the reply's commands are executed. */
    public boolean acceptsCommands() {
        return reply == Reply.COMMANDS || reply == Reply.TRANSCRIPTS;
    }
}
