package io.functionsbridge.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.functionsbridge.demo.LocalFunctionServer.Request;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Templates: a starting point for a function of each of the other sources' events, served by the
 * main job at the paths {@code functions.yaml} names. Each is what a deployed function does: it
 * receives {@code POST} with the envelope {@code {"timestamp", "headers", "payload"}} and answers
 * with its result as JSON. Copy the one of your event, keep its reply's shape, and put your own
 * logic where it decides.
 */
public final class Templates {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(Templates.class);

    private Templates() {
    }

    /** Serves every template at its path. */
    static void serve(LocalFunctionServer server) {
        server.onRequest("/templates/survey-started", Templates::surveyStarted);
        server.onRequest("/templates/survey-ended", Templates::surveyEnded);
        server.onRequest("/templates/transcript", Templates::transcript);
        server.onRequest("/templates/transcript-archive", Templates::transcriptArchive);
        server.onRequest("/templates/conversational-command", Templates::conversationalCommand);
        server.onRequest("/templates/custom-integration", Templates::customIntegration);
        server.onRequest("/templates/pre-hook", Templates::preHook);
        server.onRequest("/templates/post-hook", Templates::postHook);
        server.onRequest("/templates/error-hook", Templates::errorHook);
    }

    /**
     * Messaging Survey Started ({@code surveybot_messaging_survey_started}). The payload names the
     * survey: {@code conversationId}, {@code accountId}, {@code surveyId}, {@code skillId}. The reply is
     * read and counted, not executed: use the event to start something of your own (a CRM note).
     */
    static Response surveyStarted(Request request) {
        JsonNode payload = payload(request);
        // your logic here: e.g. note in your CRM that this conversation is being surveyed
        LOG.info("template: survey {} started in conversation {}", payload.path("surveyId").asText(), payload.path("conversationId").asText());
        return Response.ok("[]");
    }

    /**
     * Messaging Survey Ended ({@code surveybot_messaging_survey_ended}): the same payload, with the
     * survey's {@code dialogs}. The reply is read and counted, not executed.
     */
    static Response surveyEnded(Request request) {
        JsonNode payload = payload(request);
        // your logic here: e.g. store the answers of the survey's dialogs
        LOG.info("template: survey {} ended in conversation {} with {} dialog(s)", payload.path("surveyId").asText(),
                payload.path("conversationId").asText(), payload.path("dialogs").size());
        return Response.ok("[]");
    }

    /**
     * Chat Post Survey E-Mail Transcript ({@code denver_post_survey_email_transcript}). The payload:
     * {@code csatRank}, {@code skillName}, {@code agentName}, {@code questionWithAnswers[]}. The
     * reply: the e-mails to send the chat's transcript to, each
     * {@code {"targetEmail", "senderName", "senderEmail", "subject"}}; {@code []} sends none. This one
     * sends low ratings to the skill's quality lead.
     */
    static Response transcript(Request request) {
        JsonNode payload = payload(request);
        ArrayNode emails = JSON.createArrayNode();
        if (payload.path("csatRank").asInt(5) <= 2) {
            emails.add(email("quality-" + payload.path("skillName").asText("team") + "@example.com",
                    "Low CSAT (" + payload.path("csatRank").asInt() + ") for " + payload.path("agentName").asText("an agent")));
        }
        return Response.ok(emails.toString());
    }

    /** A second transcript function (the event takes up to 10, all called): every transcript to the archive. */
    static Response transcriptArchive(Request request) {
        return Response.ok(JSON.createArrayNode().add(email("archive@example.com", "Chat transcript")).toString());
    }

    /**
     * Conversational Command ({@code conversational_command}), invoked through the gateway when an
     * agent types "/" and the command. The payload: {@code conversationId} and {@code arguments[]},
     * the words after the command. The result goes back to the agent as it is: a string or a number.
     */
    static Response conversationalCommand(Request request) {
        JsonNode arguments = payload(request).path("arguments");
        if (arguments.isEmpty()) {
            return Response.ok(text("Usage: /order <order number>"));
        }
        return Response.ok(text("Order " + arguments.get(0).asText() + " was shipped yesterday."));
    }

    /**
     * Third-Party Bots Custom Integration ({@code bot_connectors_custom_integration}): the bot
     * connector sends the consumer's message; the result is the bot's answer:
     * {@code {"messages": [...], "context": {...}}}.
     */
    static Response customIntegration(Request request) {
        JsonNode payload = payload(request);
        ObjectNode answer = JSON.createObjectNode();
        answer.putArray("messages").add("You said: " + payload.path("message").asText(""));
        answer.putObject("context").put("turn", payload.path("context").path("turn").asInt(0) + 1);
        return Response.ok(answer.toString());
    }

    /**
     * Third-Party Bots Pre Hook ({@code bot_connectors_pre_hook}): called before the bot vendor gets
     * the consumer's message; the result is the message to pass on. This one masks card numbers.
     */
    static Response preHook(Request request) {
        ObjectNode payload = (ObjectNode) payload(request).deepCopy();
        payload.put("message", payload.path("message").asText("").replaceAll("\\b\\d{13,19}\\b", "[card number]"));
        return Response.ok(payload.toString());
    }

    /**
     * Third-Party Bots Post Hook ({@code bot_connectors_post_hook}): called after the vendor answered;
     * the result is the answer to send. This one passes it on as it is.
     */
    static Response postHook(Request request) {
        return Response.ok(payload(request).toString());
    }

    /**
     * Third-Party Bots Error Hook ({@code bot_connectors_error_hook}): called when the bot fails; the
     * result is what to tell the consumer instead.
     */
    static Response errorHook(Request request) {
        return Response.ok(JSON.createObjectNode().put("message", "Sorry, something went wrong; an agent will take over.").toString());
    }

    private static JsonNode payload(Request request) {
        try {
            return JSON.readTree(request.body()).path("payload");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode email(String targetEmail, String subject) {
        return JSON.createObjectNode().put("targetEmail", targetEmail).put("senderName", "Functions Bridge demo")
                .put("senderEmail", "noreply@example.com").put("subject", subject);
    }

    private static String text(String value) {
        return JSON.getNodeFactory().textNode(value).toString();
    }
}
