package dev.aios.connectors.internal.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.aios.api.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * The firing times of a {@link Schedule}: cron expressions through cron-utils (five fields, or six
 * with seconds first), intervals counted from the epoch so that they fall on the same instants
 * whenever aios starts.
 */
public sealed interface Ticks {

    /** The first firing strictly after {@code time}, if the schedule ever fires again. */
    Optional<Instant> after(Instant time);

    /**
     * The firing times of {@code schedule}.
     *
     * @throws IllegalArgumentException saying what is wrong with a cron expression
     */
    static Ticks of(Schedule schedule) {
        if (schedule.every().isPresent()) {
            return new Every(schedule.every().get());
        }
        return Cron.parse(schedule.cron().orElseThrow(), ZoneId.of(schedule.zone()));
    }

    /** Every fixed interval, on multiples of it since the epoch. */
    record Every(Duration interval) implements Ticks {
        @Override
        public Optional<Instant> after(Instant time) {
            long step = interval.toMillis();
            long millis = time.toEpochMilli();
            return Optional.of(Instant.ofEpochMilli(Math.floorDiv(millis, step) * step + step));
        }
    }

    /** A cron expression read in a time zone. */
    record Cron(ExecutionTime execution, ZoneId zone) implements Ticks {
        private static final CronParser FIVE_FIELDS =
                new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
        private static final CronParser WITH_SECONDS =
                new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));

        static Cron parse(String expression, ZoneId zone) {
            var fields = expression.strip().split("\\s+").length;
            if (fields != 5 && fields != 6) {
                throw new IllegalArgumentException("schedule: '" + expression + "' has " + fields
                        + " fields; write five (minute hour day month weekday, e.g. \"0 9 * * MON\")"
                        + " or six with seconds first (\"30 0 9 * * MON\")");
            }
            try {
                var cron = (fields == 5 ? FIVE_FIELDS : WITH_SECONDS).parse(expression.strip());
                cron.validate();
                return new Cron(ExecutionTime.forCron(cron), zone);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "schedule: '" + expression + "' is not a valid cron expression: " + e.getMessage(), e);
            }
        }

        @Override
        public Optional<Instant> after(Instant time) {
            return execution.nextExecution(time.atZone(zone)).map(next -> next.toInstant());
        }
    }
}
