package dev.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Stopping aios while runs move: the policy's learning stops cleanly and reads on at the next start. */
class StoppingTest {
    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void listen() {
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void stopListening() {
        root.detachAppender(logs);
    }

    private java.util.List<String> warnings() {
        var found = new ArrayList<String>();
        for (var event : logs.list) {
            if (event.getLevel().isGreaterOrEqual(Level.WARN)
                    && event.getLoggerName().startsWith("dev.aios.policy")) {
                found.add(event.getLoggerName() + ": " + event.getFormattedMessage());
            }
        }
        return found;
    }

    private long learnedUpTo() throws java.sql.SQLException {
        return one("SELECT position FROM policy_feed WHERE source = 'journal'");
    }

    private long journalEnd() throws java.sql.SQLException {
        return one("SELECT MAX(pos) FROM journal");
    }

    private long one(String sql) throws java.sql.SQLException {
        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/aios.db"));
                var rows = db.createStatement().executeQuery(sql)) {
            assertThat(rows.next()).isTrue();
            return rows.getLong(1);
        }
    }

    @Test
    void stoppingWhileRunsMoveWarnsOfNothingAndTheLearningReadsOnAtTheNextStart() throws Exception {
        var aios = new PolicyHarness(dir, "");
        var runs = new ArrayList<String>();
        for (int i = 0; i < 150; i++) {
            runs.add(aios.lead("acme-" + (i % 7), 100 + i));
        }
        aios.close();

        assertThat(warnings()).isEmpty();

        try (var again = new PolicyHarness(dir, "")) {
            runs.forEach(again::completed);
            again.policy.settle();
            // The learning read the whole journal, what it had not reached at the stop included.
            assertThat(learnedUpTo()).isEqualTo(journalEnd()).isPositive();
        }
        assertThat(warnings()).isEmpty();
    }
}
