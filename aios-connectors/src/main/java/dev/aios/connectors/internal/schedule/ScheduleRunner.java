package dev.aios.connectors.internal.schedule;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Event;
import dev.aios.api.Schedule;
import dev.aios.connectors.ScheduleView;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires scheduled playbooks. Each firing is an event whose id is the playbook and the firing time,
 * started with {@link ExtensionHost#startRun}, after which the playbook's durable position moves
 * past it: a crash in between fires it again, and the repeated event id starts nothing. Firings
 * more than {@link #GRACE} in the past when they are looked at (aios was down, the clock jumped
 * forward) are missed and follow the schedule's policy; a clock that jumps back fires nothing twice,
 * since a position never moves back.
 */
public final class ScheduleRunner implements Scheduler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleRunner.class);

    /** How late a firing may be and still count as on time. */
    public static final Duration GRACE = Duration.ofMinutes(1);
    /** The most missed firings made up at once with {@code missed: all}. */
    static final int MAX_CATCH_UP = 1000;
    /** The longest the loop sleeps between looks. */
    private static final Duration LOOK_AT_LEAST_EVERY = Duration.ofSeconds(1);

    private record Entry(Schedule schedule, Ticks ticks) {}

    private final ExtensionHost host;
    private final InstantSource clock;
    private final ScheduleStore store;
    private volatile Map<String, Entry> entries = Map.of();
    private final Object signal = new Object();
    private volatile boolean running;
    private Thread loop;

    public ScheduleRunner(ExtensionHost host) {
        this.host = host;
        this.clock = host.clock();
        this.store = new ScheduleStore(host.storage());
    }

    @Override
    public void check(Schedule schedule) {
        Ticks.of(schedule);
    }

    @Override
    public void scheduled(Map<String, Schedule> playbooks) {
        var next = new TreeMap<String, Entry>();
        var now = clock.instant();
        playbooks.forEach((name, schedule) -> {
            next.put(name, new Entry(schedule, Ticks.of(schedule)));
            store.begin(name, now);
        });
        entries = Map.copyOf(next);
        if (!next.isEmpty()) {
            startLoop();
        }
        wake();
    }

    /** Fires what is due now; returns the ids of the events fired. Safe to call from any thread. */
    public synchronized List<String> fireDue() {
        var fired = new ArrayList<String>();
        var now = clock.instant();
        var positions = store.positions();
        for (var entry : entries.entrySet()) {
            var last = positions.getOrDefault(entry.getKey(), now);
            fired.addAll(fire(entry.getKey(), entry.getValue(), last, now));
        }
        return fired;
    }

    private List<String> fire(String playbook, Entry entry, Instant last, Instant now) {
        var due = new ArrayList<Instant>();
        var tick = entry.ticks().after(last);
        while (tick.isPresent() && !tick.get().isAfter(now)) {
            due.add(tick.get());
            if (due.size() > MAX_CATCH_UP) {
                due.removeFirst();
            }
            tick = entry.ticks().after(tick.get());
        }
        if (due.isEmpty()) {
            return List.of();
        }
        var onTime = due.stream().filter(t -> !t.isBefore(now.minus(GRACE))).toList();
        var missed = due.subList(0, due.size() - onTime.size());
        var toFire = new ArrayList<Instant>();
        switch (entry.schedule().missed()) {
            case ALL -> toFire.addAll(missed);
            case ONCE -> {
                if (!missed.isEmpty() && onTime.isEmpty()) {
                    toFire.add(missed.getLast());
                }
            }
            case SKIP -> {}
        }
        if (!missed.isEmpty() && toFire.size() < missed.size()) {
            LOG.info(
                    "playbook '{}' missed {} firing(s) of its schedule between {} and {}; {} of them fire now (missed: {})",
                    playbook,
                    missed.size(),
                    missed.getFirst(),
                    missed.getLast(),
                    toFire.size(),
                    entry.schedule().missed().wire());
        }
        toFire.addAll(onTime);
        var fired = new ArrayList<String>();
        for (var at : toFire) {
            var id = "schedule:" + playbook + ":" + at;
            var data = JsonNodeFactory.instance.objectNode();
            data.put("playbook", playbook);
            data.put("scheduledAt", at.toString());
            data.put("missed", missed.contains(at));
            try {
                host.startRun(playbook, new Event(id, Schedule.EVENT_TYPE, "", "schedule", at, data, "", ""));
                fired.add(id);
            } catch (NotFoundException e) {
                LOG.info("playbook '{}' is no longer active; its schedule stops", playbook);
                return fired;
            }
        }
        store.passed(playbook, due.getLast());
        return fired;
    }

    /** Every scheduled playbook with its next {@code count} firing times. */
    public List<ScheduleView> views(int count) {
        var now = clock.instant();
        var positions = store.positions();
        var views = new ArrayList<ScheduleView>();
        entries.forEach((name, entry) -> {
            var passed = positions.getOrDefault(name, now);
            var next = new ArrayList<Instant>();
            var from = passed.isAfter(now) ? passed : now;
            var tick = entry.ticks().after(from);
            while (tick.isPresent() && next.size() < count) {
                next.add(tick.get());
                tick = entry.ticks().after(tick.get());
            }
            views.add(new ScheduleView(
                    name, entry.schedule().describe(), entry.schedule().missed().wire(), passed, next));
        });
        return views;
    }

    private synchronized void startLoop() {
        if (loop != null) {
            return;
        }
        running = true;
        loop = Thread.ofVirtual().name("aios-schedules").start(this::run);
    }

    private void run() {
        while (running) {
            try {
                fireDue();
            } catch (RuntimeException e) {
                LOG.warn("firing schedules failed; trying again shortly", e);
            }
            var sleep = LOOK_AT_LEAST_EVERY;
            var now = clock.instant();
            for (var entry : entries.values()) {
                var next = entry.ticks().after(now);
                if (next.isPresent()) {
                    var until = Duration.between(now, next.get());
                    sleep = until.compareTo(sleep) < 0 ? until : sleep;
                }
            }
            pause(sleep.plusMillis(5));
        }
    }

    private void pause(Duration duration) {
        synchronized (signal) {
            try {
                TimeUnit.MILLISECONDS.timedWait(signal, Math.max(1, duration.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    private void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    @Override
    public void close() {
        running = false;
        wake();
        var thread = loop;
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
