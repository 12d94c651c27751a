package io.functionsbridge.reply;

import io.functionsbridge.domain.Command;
import java.util.List;

/**
 * A function's reply as the bridge executes it.
 *
 * @param commands          the commands to execute: the first valid one of each type, in the contract's order
 * @param messageSuppressed the reply's systemMessage had {@code text: []}: no message at all, not even the automatic one
 * @param problems          what was wrong with the reply (invalid commands, or a body that is no reply at all)
 * @param ignored           commands not executed because an earlier one of their type came first
 */
public record NormalizedReply(List<Command> commands, boolean messageSuppressed, List<String> problems, List<String> ignored) {

    public NormalizedReply {
        commands = List.copyOf(commands);
        problems = List.copyOf(problems);
        ignored = List.copyOf(ignored);
    }

    public static NormalizedReply empty() {
        return new NormalizedReply(List.of(), false, List.of(), List.of());
    }

    public static NormalizedReply unusable(String problem) {
        return new NormalizedReply(List.of(), false, List.of(problem), List.of());
    }

    public boolean hasProblems() {
        return !problems.isEmpty();
    }

    /** How many commands the reply carried that would be executed. */
    public int size() {
        return commands.size();
    }
}
