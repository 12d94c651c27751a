package io.functionsbridge.domain;

/**
 * A command to execute in the conversation (docs/contract.md).
 *
 * @param text    the message of a systemMessage
 * @param skillId the target skill of a transfer, if any
 * @param agentId the target agent of a transfer, if any
 */
public record Command(Type type, Origin origin, String text, String skillId, String agentId) {

    /** The command types, in the order a conversation's commands are written. */
    public enum Type {
        SYSTEM_MESSAGE("systemMessage"),
        TRANSFER("transfer"),
        CLOSE_CONVERSATION("closeConversation");

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
        return new Command(Type.SYSTEM_MESSAGE, origin, text, null, null);
    }

    public static Command transfer(String skillId, String agentId) {
        return new Command(Type.TRANSFER, Origin.FUNCTION, null, skillId, agentId);
    }

    public static Command closeConversation() {
        return new Command(Type.CLOSE_CONVERSATION, Origin.FUNCTION, null, null, null);
    }
}
