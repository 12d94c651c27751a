package io.functionsbridge.it;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Every line logged in this JVM from {@link #start} to {@link #stop}, at that level and above
 * (every logger turned down to it), each with its level, logger, message and stack trace.
 */
final class LogCapture extends AbstractAppender {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Map<String, Level> levels = new HashMap<>();

    private LogCapture() {
        super("capture", null, null, true, Property.EMPTY_ARRAY);
    }

    /** Captures from now on, with every logger at {@code level} or below. */
    static LogCapture start(Level level) {
        LogCapture capture = new LogCapture();
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        config.addAppender(capture);
        LoggerConfig root = config.getRootLogger();
        capture.levels.put("", root.getLevel());
        root.addAppender(capture, level, null);
        root.setLevel(level);
        for (LoggerConfig logger : config.getLoggers().values()) {
            capture.levels.put(logger.getName(), logger.getLevel());
            if (!logger.isAdditive()) {
                // the others pass their events on to the root's appenders
                logger.addAppender(capture, level, null);
            }
            logger.setLevel(level);
        }
        context.updateLoggers();
        return capture;
    }

    /** Stops capturing and puts the levels back. */
    void stopCapture() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        for (LoggerConfig logger : config.getLoggers().values()) {
            logger.removeAppender(getName());
            logger.setLevel(levels.getOrDefault(logger.getName(), Level.WARN));
        }
        config.getRootLogger().removeAppender(getName());
        config.getRootLogger().setLevel(levels.getOrDefault("", Level.WARN));
        context.updateLoggers();
        stop();
    }

    @Override
    public void append(LogEvent event) {
        StringBuilder text = new StringBuilder(event.getLevel() + " " + event.getLoggerName() + " - ")
                .append(event.getMessage().getFormattedMessage());
        if (event.getThrown() != null) {
            StringWriter trace = new StringWriter();
            event.getThrown().printStackTrace(new PrintWriter(trace));
            text.append('\n').append(trace);
        }
        lines.add(text.toString());
    }

    List<String> lines() {
        return List.copyOf(lines);
    }
}
