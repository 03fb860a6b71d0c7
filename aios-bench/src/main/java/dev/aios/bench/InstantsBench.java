package dev.aios.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.kernel.internal.IsoInstants;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.run.RunState;
import java.time.Instant;
import java.util.Locale;

/**
 * Reading a stored run state (as a restart reloads thousands) with the kernel's mapper, whose
 * instants go through {@link IsoInstants}, against the same mapper with Jackson's reader of instants
 * alone; and one instant through each. Rounds alternate in one process; nanoseconds a read, best
 * round of each, and their ratio.
 *
 * <pre>{@code
 * java -cp 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*' dev.aios.bench.InstantsBench [--rounds 6]
 * }</pre>
 */
public final class InstantsBench {
    /** A run waiting on a timer, as {@code RecoveryBench}'s runs are stored (956 bytes). */
    static final String STATE = """
            {"id":"r-1m91d5932a229m5","playbook":"bench-wake","version":"63f2314ba0a4","subject":"s-1",\
            "status":"waiting","trigger":{"seq":1,"id":"wake-1","type":"bench.wake","subject":"s-1",\
            "source":"bench","time":"2026-12-04T20:50:30.613095263Z","data":{"at":"2026-12-04T20:54:36.696823617Z"},\
            "correlationId":"c-1","causationId":""},"steps":{},"records":{"sleep":{"id":"sleep","kind":"wait",\
            "iteration":0,"status":"waiting","input":{"until":"2026-12-04T20:54:36.696823617Z"},"output":null,\
            "attempts":[{"attempt":1,"startedAt":"2026-12-04T20:50:30.767Z","endedAt":"2026-12-04T20:50:31.078Z",\
            "outcome":"waiting","handedOver":true}],"scheduledAt":"2026-12-04T20:50:30.626Z","version":"63f2314ba0a4",\
            "receipts":[],"provenance":[]}},"entered":{"sleep":1},"awaited":{},"current":"sleep",\
            "currentIteration":0,"createdAt":"2026-12-04T20:50:30.626Z","updatedAt":"2026-12-04T20:50:31.078Z",\
            "seq":4,"checksum":"2af3150c090aedacc5765682a6da0645bca62c53a9505632d25d0baa847e27c3"}""";

    private static volatile Object sink;

    private InstantsBench() {}

    private static double statesNs(ObjectMapper mapper, int reads) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < reads; i++) {
            sink = mapper.readValue(STATE, RunState.class);
        }
        return (System.nanoTime() - start) / (double) reads;
    }

    private static double instantsNs(boolean fast, int reads) {
        var text = "2026-12-04T20:50:30.767Z";
        long start = System.nanoTime();
        for (int i = 0; i < reads; i++) {
            sink = fast ? IsoInstants.parseOrNull(text) : Instant.parse(text);
        }
        return (System.nanoTime() - start) / (double) reads;
    }

    /** Runs the rounds and prints a Markdown table. */
    public static void main(String[] args) throws Exception {
        int rounds = args.length == 2 && args[0].equals("--rounds") ? Integer.parseInt(args[1]) : 6;
        var before = Json.withJacksonsInstants().build();
        var after = Json.mapper();
        // Checks that both read the same state before timing them.
        if (!Json.text(before.readValue(STATE, RunState.class))
                .equals(Json.text(after.readValue(STATE, RunState.class)))) {
            throw new IllegalStateException("the two mappers read the state differently");
        }
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        for (int round = 0; round < rounds; round++) {
            best[0] = Math.min(best[0], statesNs(before, 50_000));
            best[1] = Math.min(best[1], statesNs(after, 50_000));
            best[2] = Math.min(best[2], instantsNs(false, 1_000_000));
            best[3] = Math.min(best[3], instantsNs(true, 1_000_000));
        }
        System.out.println("| read | Jackson's reader of instants, ns | the kernel's, ns | ratio |");
        System.out.println("|---|---:|---:|---:|");
        System.out.printf(
                Locale.ROOT,
                "| a stored run state (956 bytes, six instants) | %,.0f | %,.0f | %.2f |%n",
                best[0],
                best[1],
                best[1] / best[0]);
        System.out.printf(Locale.ROOT, "| one instant | %,.1f | %,.1f | %.2f |%n", best[2], best[3], best[3] / best[2]);
    }
}
