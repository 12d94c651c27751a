package io.functionsbridge.reply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.functionsbridge.domain.Command;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the reply normaliser over generated replies, well-formed and not. */
class ReplyNormalizerProperties {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final ReplyNormalizer normalizer = new ReplyNormalizer();

    @Provide
    Arbitrary<ObjectNode> commands() {
        Arbitrary<String> types = Arbitraries.of("systemMessage", "transfer", "closeConversation", "dance", "", "SYSTEMMESSAGE");
        Arbitrary<Object> values = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(8).map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.just((Object) "[]"),
                Arbitraries.just((Object) null));
        return Combinators.combine(types, values, values, values, Arbitraries.integers().between(0, 15)).as((type, text, skill, agent, present) -> {
            ObjectNode command = NODES.objectNode();
            if ((present & 1) != 0) {
                command.put("type", type);
            }
            if ((present & 2) != 0) {
                command.set("text", "[]".equals(text) ? NODES.arrayNode() : NODES.pojoNode(text));
            }
            if ((present & 4) != 0) {
                command.set("skillId", NODES.pojoNode(skill));
            }
            if ((present & 8) != 0) {
                command.set("agentId", NODES.pojoNode(agent));
            }
            return command;
        });
    }

    @Provide
    Arbitrary<List<ObjectNode>> replies() {
        return commands().list().ofMaxSize(8);
    }

    private NormalizedReply normalize(List<ObjectNode> commands) throws Exception {
        ArrayNode array = NODES.arrayNode();
        commands.forEach(array::add);
        return normalizer.normalize(new ObjectMapper().writeValueAsBytes(array));
    }

    @Property(tries = 500)
    void atMostOneCommandOfEachTypeInTheContractsOrder(@ForAll("replies") List<ObjectNode> reply) throws Exception {
        List<Command> commands = normalize(reply).commands();
        List<Command.Type> types = commands.stream().map(Command::type).toList();
        assertThat(types).doesNotHaveDuplicates();
        assertThat(types).isSortedAccordingTo(Enum::compareTo);
    }

    @Property(tries = 500)
    void everyCommandKeptIsValidAndComesFromTheFirstOfItsType(@ForAll("replies") List<ObjectNode> reply) throws Exception {
        for (Command command : normalize(reply).commands()) {
            ObjectNode first = reply.stream().filter(c -> c.path("type").isTextual() && c.path("type").asText().equals(command.type().wireName()))
                    .findFirst().orElseThrow();
            switch (command.type()) {
                case SYSTEM_MESSAGE -> {
                    assertThat(command.text()).isNotEmpty();
                    assertThat(command.text()).isEqualTo(first.path("text").asText());
                }
                case TRANSFER -> assertThat(command.skillId() != null || command.agentId() != null).isTrue();
                case CLOSE_CONVERSATION -> assertThat(command.text()).isNull();
            }
        }
    }

    @Property(tries = 500)
    void everyCommandIsKeptIgnoredOrReported(@ForAll("replies") List<ObjectNode> reply) throws Exception {
        NormalizedReply normalized = normalize(reply);
        int suppressed = normalized.messageSuppressed() ? 1 : 0;
        assertThat(normalized.commands().size() + normalized.ignored().size() + normalized.problems().size() + suppressed)
                .isEqualTo(reply.size());
    }

    @Property(tries = 300)
    void arbitraryBytesNeverThrow(@ForAll byte[] body) {
        NormalizedReply reply = normalizer.normalize(body);
        assertThat(reply.commands().size()).isLessThanOrEqualTo(3);
    }

    @Property(tries = 300)
    void arbitraryTextNeverThrows(@ForAll String body) {
        NormalizedReply reply = normalizer.normalize(body.getBytes(StandardCharsets.UTF_8));
        List<Command.Type> types = new ArrayList<>(reply.commands().stream().map(Command::type).toList());
        assertThat(types).doesNotHaveDuplicates();
    }
}
