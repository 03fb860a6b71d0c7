package dev.aios.api;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * When a scheduled playbook starts: on a cron expression in a time zone, or every fixed interval.
 * Each firing is one event with an id made of the playbook and the firing time, so it starts one
 * run even across restarts and clock jumps.
 *
 * @param cron a cron expression of five fields ({@code 0 9 * * MON}) or six with seconds first
 * @param every a fixed interval, counted from the epoch (every 15 minutes fires at :00, :15, …)
 * @param zone the time zone the cron expression is read in ({@code UTC} unless given)
 * @param missed what happens to firings missed while aios was down or the clock jumped
 */
public record Schedule(Optional<String> cron, Optional<Duration> every, String zone, Missed missed) {

    /** What happens to firings missed while aios was not running. */
    public enum Missed {
        /** Missed firings are dropped; the schedule goes on with the next one. */
        SKIP,
        /** The latest missed firing happens once, the others are dropped. */
        ONCE,
        /** Every missed firing happens, oldest first. */
        ALL;

        /** The name in a playbook: {@code skip}, {@code once}, {@code all}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The policy called {@code wire}.
         *
         * @throws IllegalArgumentException for any other name
         */
        public static Missed fromWire(String wire) {
            for (var missed : values()) {
                if (missed.wire().equals(wire)) {
                    return missed;
                }
            }
            throw new IllegalArgumentException("missed: '" + wire + "' must be skip, once or all");
        }
    }

    /** The event type of a schedule's firings. */
    public static final String EVENT_TYPE = "schedule.fired";

    public Schedule {
        Objects.requireNonNull(cron, "cron");
        Objects.requireNonNull(every, "every");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(missed, "missed");
        if (cron.isPresent() == every.isPresent()) {
            throw new IllegalArgumentException(
                    "a schedule has either a cron expression (schedule: \"0 9 * * MON\") or an interval (every: 15m)");
        }
        cron.ifPresent(expression -> {
            if (expression.isBlank()) {
                throw new IllegalArgumentException("a schedule's cron expression is empty");
            }
        });
        every.ifPresent(interval -> {
            if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("every: must be at least 1s, was " + interval);
            }
        });
        try {
            ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                    "zone: '" + zone + "' is not a time zone; use a region such as Europe/Berlin, or UTC");
        }
    }

    /** Fires on {@code expression} in UTC, the latest missed firing once. */
    public static Schedule cron(String expression) {
        return new Schedule(Optional.of(expression), Optional.empty(), "UTC", Missed.ONCE);
    }

    /** Fires every {@code interval}, the latest missed firing once. */
    public static Schedule every(Duration interval) {
        return new Schedule(Optional.empty(), Optional.of(interval), "UTC", Missed.ONCE);
    }

    /** A copy read in {@code zone}. */
    public Schedule inZone(String zone) {
        return new Schedule(cron, every, zone, missed);
    }

    /** A copy with another policy for missed firings. */
    public Schedule withMissed(Missed missed) {
        return new Schedule(cron, every, zone, missed);
    }

    /** How it is written: the cron expression and zone, or the interval. */
    public String describe() {
        return cron.map(c -> c + " (" + zone + ")").orElseGet(() -> "every " + Durations.format(every.orElseThrow()));
    }
}
