package io.functionsbridge.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.event.SeedEventTable;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EventCatalogTest {

    private final EventCatalog catalog = new EventCatalog();

    @Test
    void theSeedTableHasItsTwentyOneTypesOverEightEvents() {
        Map<String, String> rows = SeedEventTable.rows();
        assertThat(rows).hasSize(21);
        assertThat(Set.copyOf(rows.values()).stream().map(String::toLowerCase).collect(Collectors.toSet())).hasSize(8);
    }

    @Test
    void everyEventOfTheSeedTableIsInTheCatalogueWithTheContractsLimits() {
        for (String mappedTo : SeedEventTable.rows().values()) {
            FunctionsEvent event = catalog.find(SeedEventTable.eventId(mappedTo)).orElseThrow();
            assertThat(event.lambdaLimit()).as(event.id()).isEqualTo(1);
            assertThat(event.skillsApply()).as(event.id()).isTrue();
            assertThat(event.acceptsCommands()).as(event.id()).isTrue();
        }
        assertThat(SeedEventTable.eventId("Messaging consumer step up")).isEqualTo("controllerbot_messaging_consumer_step_up");
        assertThat(SeedEventTable.eventId("Messaging Line in Off-Hours")).isEqualTo("controllerbot_messaging_mid_conversation_msg");
    }

    @Test
    void chatEventsTakeNoSkillsAndNoCommands() {
        for (String id : new String[] {"chat_in_queue", "chat_start", "chat_end"}) {
            FunctionsEvent event = catalog.find(id).orElseThrow();
            assertThat(event.skillsApply()).isFalse();
            assertThat(event.acceptsCommands()).isFalse();
        }
        assertThat(catalog.find("controllerbot_messaging_unknown")).isEmpty();
    }

    @Test
    void theOtherSourcesEventsHaveTheContractsLimitsSkillsAndReplies() {
        // id, limit, skills apply, what becomes of the reply, retried (CONTRACT §12)
        Object[][] rows = {
            {"surveybot_messaging_survey_started", 1, true, FunctionsEvent.Reply.READ_ONLY, true},
            {"surveybot_messaging_survey_ended", 1, true, FunctionsEvent.Reply.READ_ONLY, true},
            {"denver_post_survey_email_transcript", 10, false, FunctionsEvent.Reply.TRANSCRIPTS, false},
            {"conversational_command", 30, false, FunctionsEvent.Reply.RESULT, true},
            {"bot_connectors_custom_integration", 15, false, FunctionsEvent.Reply.RESULT, true},
            {"bot_connectors_pre_hook", 15, false, FunctionsEvent.Reply.RESULT, true},
            {"bot_connectors_post_hook", 15, false, FunctionsEvent.Reply.RESULT, true},
            {"bot_connectors_error_hook", 15, false, FunctionsEvent.Reply.RESULT, true},
        };
        for (Object[] row : rows) {
            FunctionsEvent event = catalog.find((String) row[0]).orElseThrow();
            assertThat(event.lambdaLimit()).as(event.id()).isEqualTo(row[1]);
            assertThat(event.skillsApply()).as(event.id()).isEqualTo(row[2]);
            assertThat(event.reply()).as(event.id()).isEqualTo(row[3]);
            assertThat(event.retried()).as(event.id()).isEqualTo(row[4]);
        }
        assertThat(catalog.events()).hasSize(11 + rows.length);
    }
}
