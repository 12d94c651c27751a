package io.functionsbridge.domain;

/**
 * A command to execute in the conversation (docs/contract.md).
 *
 * @param text    the message of a systemMessage
 * @param skillId the target skill of a transfer, if any
 * @param agentId the target agent of a transfer, if any
 * @param transcript the e-mail of a sendTranscript
 */
public record Command(Type type, Origin origin, String text, String skillId, String agentId, Transcript transcript) {

    /**
     * Where a sendTranscript sends the chat's transcript, and from whom.
     *
     * @param entry which entry of the function's reply it is (0 for the first)
     */
    public record Transcript(int entry, String targetEmail, String senderName, String senderEmail, String subject) {
    }

    /** The command types, in the order a conversation's commands are written. */
    public enum Type {
        SYSTEM_MESSAGE("systemMessage"),
        TRANSFER("transfer"),
        CLOSE_CONVERSATION("closeConversation"),
        /** The chat post-survey transcript's command (docs/contract.md, §12). */
        SEND_TRANSCRIPT("sendTranscript");

        private final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        /** The name in replies and command records. */
        public String wireName() {
            return wireName;
        }

        public static Type fromWireName(String name) {
            for (Type type : values()) {
                if (type.wireName.equals(name)) {
                    return type;
                }
            }
            return null;
        }
    }

    /** Who set the command. */
    public enum Origin {
        FUNCTION("function"),
        AUTO_MESSAGE("autoMessage");

        private final String wireName;

        Origin(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    public static Command systemMessage(Origin origin, String text) {
        return new Command(Type.SYSTEM_MESSAGE, origin, text, null, null, null);
    }

    public static Command transfer(String skillId, String agentId) {
        return new Command(Type.TRANSFER, Origin.FUNCTION, null, skillId, agentId, null);
    }

    public static Command closeConversation() {
        return new Command(Type.CLOSE_CONVERSATION, Origin.FUNCTION, null, null, null, null);
    }

    public static Command sendTranscript(Transcript transcript) {
        return new Command(Type.SEND_TRANSCRIPT, Origin.FUNCTION, null, null, null, transcript);
    }
}
