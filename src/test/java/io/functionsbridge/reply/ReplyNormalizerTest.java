package io.functionsbridge.reply;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.domain.Command;
import io.functionsbridge.domain.Command.Type;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReplyNormalizerTest {

    private final ReplyNormalizer normalizer = new ReplyNormalizer();

    private NormalizedReply normalize(String body) {
        return normalizer.normalize(body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void emptyRepliesHaveNoCommandsAndNoProblems() {
        for (String body : new String[] {null, "", "  \n", "null", "[]"}) {
            NormalizedReply reply = normalize(body);
            assertThat(reply.commands()).as(String.valueOf(body)).isEmpty();
            assertThat(reply.problems()).as(String.valueOf(body)).isEmpty();
            assertThat(reply.messageSuppressed()).isFalse();
        }
    }

    @Test
    void aTranscriptReplysValidEntriesAreSendTranscriptsAndTheOthersProblems() {
        NormalizedReply reply = normalizer.normalizeTranscripts(("[{\"targetEmail\":\"lead@example.com\",\"senderName\":\"S\","
                + "\"senderEmail\":\"s@example.com\",\"subject\":\"Hi\"},{\"targetEmail\":\"not an address\"},{\"subject\":\"no target\"},"
                + "7,{\"targetEmail\":\" two@example.org \"}]").getBytes(StandardCharsets.UTF_8));
        assertThat(reply.commands()).extracting(Command::type).containsOnly(Type.SEND_TRANSCRIPT);
        assertThat(reply.commands()).extracting(Command::transcript).containsExactly(
                new Command.Transcript(0, "lead@example.com", "S", "s@example.com", "Hi"),
                new Command.Transcript(4, "two@example.org", null, null, null));
        assertThat(reply.problems()).containsExactly("entry 1 has no targetEmail that is an e-mail address",
                "entry 2 has no targetEmail that is an e-mail address", "entry 3 has no targetEmail that is an e-mail address");
        assertThat(normalizer.normalizeTranscripts("{\"targetEmail\":\"one@example.com\"}".getBytes(StandardCharsets.UTF_8)).commands()).hasSize(1);
        for (String empty : new String[] {"", "null", "[]"}) {
            assertThat(normalizer.normalizeTranscripts(empty.getBytes(StandardCharsets.UTF_8)).commands()).isEmpty();
            assertThat(normalizer.normalizeTranscripts(empty.getBytes(StandardCharsets.UTF_8)).problems()).isEmpty();
        }
        assertThat(normalizer.normalizeTranscripts("\"x\"".getBytes(StandardCharsets.UTF_8)).problems()).hasSize(1);
        assertThat(normalizer.normalizeTranscripts("<html>".getBytes(StandardCharsets.UTF_8)).problems()).hasSize(1);
        // in a messaging reply, sendTranscript is no command
        assertThat(normalize("[{\"type\":\"sendTranscript\",\"targetEmail\":\"a@b.c\"}]").problems()).hasSize(1);
    }

    @Test
    void aSingleObjectIsOneCommand() {
        NormalizedReply reply = normalize("{\"type\":\"transfer\",\"skillId\":\"123456\"}");
        assertThat(reply.commands()).containsExactly(Command.transfer("123456", null));
    }

    @Test
    void commandsComeOutInTheContractsOrderWhateverTheReplysOrder() {
        NormalizedReply reply = normalize("[{\"type\":\"closeConversation\"},{\"type\":\"transfer\",\"agentId\":\"a1\"},"
                + "{\"type\":\"systemMessage\",\"text\":\"hi\"}]");
        assertThat(reply.commands()).extracting(Command::type).containsExactly(Type.SYSTEM_MESSAGE, Type.TRANSFER, Type.CLOSE_CONVERSATION);
        assertThat(reply.commands().get(0).text()).isEqualTo("hi");
        assertThat(reply.commands().get(0).origin()).isEqualTo(Command.Origin.FUNCTION);
    }

    @Test
    void onlyTheFirstCommandOfEachTypeCounts() {
        NormalizedReply reply = normalize("[{\"type\":\"systemMessage\",\"text\":\"first\"},{\"type\":\"systemMessage\",\"text\":\"second\"},"
                + "{\"type\":\"closeConversation\"},{\"type\":\"closeConversation\"}]");
        assertThat(reply.commands()).containsExactly(Command.systemMessage(Command.Origin.FUNCTION, "first"), Command.closeConversation());
        assertThat(reply.ignored()).containsExactly("command 1 (systemMessage)", "command 3 (closeConversation)");
        assertThat(reply.problems()).isEmpty();
    }

    @Test
    void aTransferKeepsBothTargetsAndNumbersBecomeText() {
        NormalizedReply reply = normalize("[{\"type\":\"transfer\",\"skillId\":123456,\"agentId\":\"agent-7\"}]");
        assertThat(reply.commands()).containsExactly(Command.transfer("123456", "agent-7"));
    }

    @Test
    void invalidCommandsAreReportedAndTheValidOnesKept() {
        NormalizedReply reply = normalize("[{\"type\":\"dance\"},{\"type\":\"transfer\"},{\"type\":\"systemMessage\"},"
                + "{\"type\":\"closeConversation\"},42,{\"text\":\"no type\"}]");
        assertThat(reply.commands()).containsExactly(Command.closeConversation());
        assertThat(reply.problems()).containsExactly(
                "command 0 has unknown type \"dance\"",
                "command 1 is a transfer with neither skillId nor agentId",
                "command 2 is a systemMessage without text",
                "command 4 is not an object",
                "command 5 has unknown type (none)");
    }

    @Test
    void anInvalidFirstCommandOfATypeIsNotReplacedByALaterOne() {
        NormalizedReply reply = normalize("[{\"type\":\"systemMessage\",\"text\":\"\"},{\"type\":\"systemMessage\",\"text\":\"later\"}]");
        assertThat(reply.commands()).isEmpty();
        assertThat(reply.problems()).containsExactly("command 0 is a systemMessage without text");
    }

    @Test
    void anEmptyArrayTextSuppressesTheMessage() {
        NormalizedReply reply = normalize("[{\"type\":\"systemMessage\",\"text\":[]},{\"type\":\"closeConversation\"}]");
        assertThat(reply.messageSuppressed()).isTrue();
        assertThat(reply.commands()).containsExactly(Command.closeConversation());
        assertThat(reply.problems()).isEmpty();
    }

    @Test
    void aBodyThatIsNoReplyIsAProblem() {
        assertThat(normalize("<html>oops</html>").problems()).singleElement().asString().startsWith("the reply is not JSON");
        assertThat(normalize("\"done\"").problems()).containsExactly("the reply is a JSON string, neither an array, an object nor null");
        assertThat(normalize("17").problems()).containsExactly("the reply is a JSON number, neither an array, an object nor null");
        assertThat(normalize("true").commands()).isEmpty();
    }
}
