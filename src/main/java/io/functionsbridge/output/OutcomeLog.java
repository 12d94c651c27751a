package io.functionsbridge.output;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.Command;
import io.functionsbridge.domain.DeadLetterReason;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One INFO line per event outcome, with the conversation and event type in the MDC, and the
 * running counts behind it (published over JMX as {@code io.functionsbridge:type=Outcomes}).
 */
public final class OutcomeLog implements OutcomeLogMBean {

    private static final Logger LOG = LoggerFactory.getLogger(OutcomeLog.class);

    private long slowMillis = 1000;
    private final LongAdder events = new LongAdder();
    private final LongAdder slowInvocations = new LongAdder();
    private final LongAdder invocations = new LongAdder();
    private final LongAdder commands = new LongAdder();
    private final LongAdder repliesNotExecuted = new LongAdder();
    private final Map<DeadLetterReason, LongAdder> deadLetters = new ConcurrentHashMap<>();

    private static final String OBJECT_NAME = "io.functionsbridge:type=Outcomes";

    /** An invocation slower than this is logged at WARN and counted as slow (bridge.invoke.slow-ms). */
    public void setSlowMs(long slowMillis) {
        this.slowMillis = slowMillis;
    }

    /** Publishes the counts over JMX; a second bridge in the same JVM takes the name over. */
    public void register() throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(OBJECT_NAME);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
        server.registerMBean(this, name);
    }

    public void unregister() throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(OBJECT_NAME);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
    }

    /** Logs and counts the outcome of an event whose commands or dead letter are written. */
    public void log(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        events.increment();
        boolean slow = count(event);
        for (BridgeEvent invocation : event.getInvocations()) {
            slow |= count(invocation);
        }
        if (slow ? !LOG.isWarnEnabled() : !LOG.isInfoEnabled()) {
            return;
        }
        MDC.put("convId", event.record().convId() == null ? "-" : event.record().convId());
        MDC.put("cbotEventType", event.invocation().getFunctionsEvent() == null ? "-" : event.record().eventType());
        try {
            if (slow) {
                LOG.warn("{} (slow: over {} ms)", describe(event), slowMillis);
            } else {
                LOG.info(describe(event));
            }
            if (event.outcome().isDeadLettered() && event.outcome().getDeadLetterReason().quotesTheRecord()) {
                LOG.debug("{}: {}: {}", event.describe(), event.outcome().getDeadLetterReason(), event.outcome().getDeadLetterMessage());
            }
        } finally {
            MDC.remove("convId");
            MDC.remove("cbotEventType");
        }
    }

    /** Counts one invocation's outcome; returns whether it was slow. */
    private boolean count(BridgeEvent event) {
        commands.add(event.outcome().getWritten().size());
        boolean slow = event.invocation().getAttempts() > 0 && event.invocation().getMillis() > slowMillis;
        if (event.invocation().getAttempts() > 0) {
            invocations.increment();
        }
        if (slow) {
            slowInvocations.increment();
        }
        if (event.outcome().isReadOnly()) {
            repliesNotExecuted.increment();
        }
        if (event.outcome().isDeadLettered()) {
            deadLetters.computeIfAbsent(event.outcome().getDeadLetterReason(), r -> new LongAdder()).increment();
        }
        return slow;
    }

    /**
     * The outcome line, for example {@code conv-1 CONSUMER_END_CONVERSATION -> say-bye, 1 attempt, 12 ms -> systemMessage}.
     * It holds no content of the record: the event type only once it was routed, and the dead
     * letter's message only when it cannot quote the record (what a parser complained about, an
     * unknown type...); that message is in the dead letter's {@code bridgeErrorMessage} header, and
     * logged at DEBUG.
     */
    public static String describe(BridgeEvent event) {
        StringBuilder line = new StringBuilder();
        if (event.record().convId() != null) {
            line.append(event.record().convId());
        } else {
            line.append(event.describe());
            if (event.record().key() != null) {
                line.append(" (key ").append(event.record().keyText()).append(')');
            }
        }
        if (event.invocation().getFunctionsEvent() != null) {
            line.append(' ').append(event.record().eventType());
        }
        if (event.record().redriveOf() != null) {
            line.append(" (redrive of ").append(event.record().redriveOf()).append(')');
        }
        if (event.invocation().getFunctionsEvent() != null && !event.getInvocations().isEmpty()) {
            line.append(" -> ").append(event.getInvocations().size()).append(" functions: ");
            line.append(event.getInvocations().stream().map(invocation -> {
                StringBuilder part = new StringBuilder();
                invocation(invocation, part);
                outcome(invocation, part);
                return part.toString();
            }).collect(Collectors.joining(" | ")));
            if (event.outcome().isDeadLettered()) {
                line.append("; dead letter ").append(event.outcome().getDeadLetterReason());
            }
            return line.toString();
        }
        if (event.invocation().getFunctionsEvent() != null) {
            line.append(" -> ");
            invocation(event, line);
        }
        outcome(event, line);
        return line.toString();
    }

    /** The function, its attempts and its time, or "no function". */
    private static void invocation(BridgeEvent event, StringBuilder line) {
        if (event.invocation().hasFunction()) {
            line.append(event.invocation().getFunction().displayName())
                    .append(", ").append(event.invocation().getAttempts()).append(event.invocation().getAttempts() == 1 ? " attempt, " : " attempts, ")
                    .append(event.invocation().getMillis()).append(" ms");
        } else {
            line.append("no function");
        }
    }

    /** What was written: the commands (or why none), and the dead letter. */
    private static void outcome(BridgeEvent event, StringBuilder line) {
        line.append(" -> ");
        if (event.outcome().isReadOnly()) {
            line.append("reply read, ").append(event.outcome().getNotExecuted()).append(" command(s) not executed (")
                    .append(event.record().source()).append(')');
        } else if (event.outcome().getWritten().isEmpty()) {
            line.append(event.outcome().isMessageSuppressed() ? "no commands (message suppressed)" : "no commands");
        } else {
            line.append(event.outcome().getWritten().stream().map(OutcomeLog::describe).collect(Collectors.joining(", ")));
        }
        if (event.outcome().isDeadLettered()) {
            line.append("; dead letter ").append(event.outcome().getDeadLetterReason());
            if (!event.outcome().getDeadLetterReason().quotesTheRecord()) {
                line.append(": ").append(event.outcome().getDeadLetterMessage());
            }
        }
    }

    private static String describe(Command command) {
        if (command.type() == Command.Type.SEND_TRANSCRIPT) {
            return "sendTranscript";
        }
        return command.origin() == Command.Origin.AUTO_MESSAGE ? command.type().wireName() + " (automatic)" : command.type().wireName();
    }

    @Override
    public long getEvents() {
        return events.sum();
    }

    @Override
    public long getInvocations() {
        return invocations.sum();
    }

    @Override
    public long getSlowInvocations() {
        return slowInvocations.sum();
    }

    @Override
    public long getCommands() {
        return commands.sum();
    }

    @Override
    public long getRepliesNotExecuted() {
        return repliesNotExecuted.sum();
    }

    @Override
    public Map<String, Long> getDeadLetters() {
        return deadLetters.entrySet().stream().collect(Collectors.toMap(e -> e.getKey().name(), e -> e.getValue().sum()));
    }

    public long deadLetters(DeadLetterReason reason) {
        LongAdder count = deadLetters.get(reason);
        return count == null ? 0 : count.sum();
    }
}
