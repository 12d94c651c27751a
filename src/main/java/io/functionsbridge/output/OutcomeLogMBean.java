package io.functionsbridge.output;

import java.util.Map;

/** The bridge's outcome counts over JMX ({@code io.functionsbridge:type=Outcomes}). */
public interface OutcomeLogMBean {

    /** Events whose outcome is written (commands or dead letter). */
    long getEvents();

    /** Events for which a function was called. */
    long getInvocations();

    /** Invocations (all attempts together) slower than bridge.invoke.slow-ms. */
    long getSlowInvocations();

    /** Command records written. */
    long getCommands();

    /** Replies of chat and survey functions: read and, as they take no commands, not executed. */
    long getRepliesNotExecuted();

    /** Dead letters written, by reason. */
    Map<String, Long> getDeadLetters();
}
