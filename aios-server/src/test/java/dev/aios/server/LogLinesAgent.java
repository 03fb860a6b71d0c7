package dev.aios.server;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;

/** An agent that writes one log line through SLF4J and one through java.util.logging. */
public final class LogLinesAgent implements Agent<LogLinesAgent.Note, LogLinesAgent.Note> {
    /** What is logged. */
    public record Note(String text) {}

    private static final org.slf4j.Logger SLF4J = org.slf4j.LoggerFactory.getLogger("dev.aios.test.loglines");
    private static final java.util.logging.Logger JUL = java.util.logging.Logger.getLogger("dev.aios.test.jul");

    @Override
    public Contract<Note, Note> contract() {
        return Contract.of("log-lines", "1.0.0", Note.class, Note.class);
    }

    @Override
    public Note run(Note input, AgentContext context) {
        SLF4J.info("slf4j says {}", input.text());
        JUL.info("java.util.logging says " + input.text());
        return input;
    }
}
