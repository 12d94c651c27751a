package io.functionsbridge.demo;

import io.functionsbridge.demo.LocalFunctionServer.Response;

/**
 * The demo functions of the main job, at the paths {@code functions.yaml} names: between them they
 * exercise every command type, every automatic-message rule and the failure paths.
 */
final class DemoFunctions {

    private DemoFunctions() {
    }

    static void serve(LocalFunctionServer server) {
        // a systemMessage overriding the automatic message
        server.onRequest("/lambdas/greet", request -> Response.ok(
                "[{\"type\":\"systemMessage\",\"text\":\"Hi, this is the greet function: how can we help?\"}]"));
        // no reply at all: the automatic message is sent
        server.on("/lambdas/goodbye", Response.ok("null"));
        // a single command object: transfer to a skill
        server.on("/lambdas/route-vip", Response.ok("{\"type\":\"transfer\",\"skillId\":\"987654\"}"));
        // text [] suppresses both the message and the automatic message
        server.on("/lambdas/agent-joined", Response.ok("[{\"type\":\"systemMessage\",\"text\":[]}]"));
        // always 503: retried 3 times, then FUNCTION_FAILED, and the automatic message is still sent
        server.on("/lambdas/crm-down", Response.status(503));
        // every command type; the second systemMessage is ignored (only the first of a type counts)
        server.on("/lambdas/off-hours", Response.ok("""
                [{"type":"systemMessage","text":"We are closed; an agent will call you back."},
                 {"type":"transfer","skillId":"555","agentId":"agent-42"},
                 {"type":"closeConversation"},
                 {"type":"systemMessage","text":"never sent"}]"""));
        // an invalid transfer: INVALID_REPLY names it, the close still runs, the automatic message is sent
        server.on("/lambdas/idle", Response.ok("[{\"type\":\"transfer\"},{\"type\":\"closeConversation\"}]"));
        // 401 is not retried: FUNCTION_REJECTED
        server.on("/lambdas/step-up", Response.status(401));
        // chat replies are read and counted, never executed
        server.on("/lambdas/chat-start", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"chat takes no commands\"}]"));
        // the other sources' functions are the templates of functions/: JavaScript, run by the bridge
    }
}
