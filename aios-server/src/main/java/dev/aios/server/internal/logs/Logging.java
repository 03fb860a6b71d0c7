package dev.aios.server.internal.logs;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * How aios logs: through SLF4J and logback (see {@code logback.xml}), with the libraries that use
 * java.util.logging routed there too, as text lines or, for log shippers, one JSON object a line.
 */
public final class Logging {
    /** The log formats. */
    public enum Format {
        /** One line of text an event, for a terminal. */
        TEXT,
        /** One JSON object a line (logback's JsonEncoder), for log shippers. */
        JSON;

        /**
         * The format named {@code name} ({@code text} or {@code json}).
         *
         * @throws IllegalArgumentException naming the formats there are
         */
        public static Format named(String name) {
            return switch (name.strip().toLowerCase(Locale.ROOT)) {
                case "text" -> TEXT;
                case "json" -> JSON;
                default -> throw new IllegalArgumentException("unknown log format '" + name + "'; use text or json");
            };
        }
    }

    private Logging() {}

    /** Routes java.util.logging (Lucene's logs) through SLF4J, once. */
    public static void routeJavaUtilLogging() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /** Writes the console's log lines in {@code format} from now on. */
    public static void use(Format format) {
        if (format == Format.TEXT || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        var root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        if (!(root.getAppender("CONSOLE") instanceof ConsoleAppender<ILoggingEvent> console)) {
            return;
        }
        var encoder = new JsonEncoder();
        encoder.setContext(context);
        // "message" is the template (good for grouping), "formattedMessage" the line as a person reads it.
        encoder.setWithFormattedMessage(true);
        encoder.start();
        console.stop();
        console.setEncoder(encoder);
        console.start();
    }
}
