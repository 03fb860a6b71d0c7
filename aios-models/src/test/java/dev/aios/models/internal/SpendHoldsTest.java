package dev.aios.models.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.api.BudgetExceeded;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.TestClock;
import dev.aios.kernel.internal.store.TestPostgres;
import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.Storage;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelSettings.Budgets;
import dev.aios.models.ModelsExtension;
import dev.aios.models.spi.SpendLimits;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spend limits hold however many nodes spend against one ledger: calls reserved at once on two nodes
 * sharing a PostgreSQL database never pass a limit together, a call in flight longer than its hold's
 * expiry still counts until its cost lands, and the holds of a node that dies with calls in flight run
 * out. On SQLite (one node) the same contract holds, and a restart frees them.
 */
class SpendHoldsTest {
    /** Ten calls of $0.10 fit the day; three of them may be about acme in any hour. */
    static final Budgets DAY = new Budgets(Optional.empty(), Optional.empty(), Optional.of(BigDecimal.ONE), Map.of());

    static final SpendLimits ACME = () ->
            List.of(new SpendLimits.Limit("subject", "acme", new BigDecimal("0.30"), Duration.ofHours(1), "acme"));
    static final long DIME = PriceTable.nanos(new BigDecimal("0.10"));
    static final Duration EXPIRY = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    final List<Kernel> kernels = new ArrayList<>();

    final List<Spending> spendings = new ArrayList<>();

    @AfterEach
    void stop() {
        spendings.forEach(Spending::close);
        kernels.forEach(Kernel::close);
    }

    @Test
    void aCallInFlightLongerThanItsHoldsExpiryStillCountsUntilItsCostLandsOnPostgres() throws Exception {
        String url = TestPostgres.newDatabase();
        var a = node(url, "a");
        var b = node(url, "b");
        var calls = new ArrayList<Spending.Account>();
        var holds = new ArrayList<Holds.Hold>();
        for (int i = 0; i < 10; i++) {
            calls.add(account("run-a" + i, "globex"));
            holds.add(a.spending.reserve(calls.get(i), DIME, EXPIRY));
        }

        // Node a's ten calls wait on a rate limit and retries for three times their hold's expiry.
        for (int minute = 0; minute < 3 * EXPIRY.toMinutes(); minute++) {
            clock.advance(Duration.ofMinutes(1));
            var now = clock.instant().toEpochMilli();
            dev.aios.kernel.Eventually.await(
                    () -> a.storage.read(
                            h -> h.count("SELECT COUNT(*) FROM models_spend_holds WHERE expires_at > ?", now + 60_000)),
                    renewed -> renewed == 10);
            assertThatThrownBy(() -> b.spending.reserve(account("run-b", "globex"), DIME, EXPIRY))
                    .as("the day is held by calls in flight after %d minutes", minute + 1)
                    .isInstanceOf(BudgetExceeded.class)
                    .hasMessageContaining("per-day");
        }

        for (int i = 0; i < 10; i++) {
            finish(a.storage, calls.get(i), holds.get(i));
        }
        long left = a.storage.read(h -> h.count("SELECT COUNT(*) FROM models_spend_holds"));
        assertThat(left).as("holds left once every cost landed").isZero();
        assertThat(dayIsFull(b)).as("the ten calls' costs").isEqualTo(PriceTable.nanos(BigDecimal.ONE));
    }

    @Test
    void onSqliteACallInFlightLongerThanItsHoldsExpiryStillCountsUntilItsCostLands() throws Exception {
        var node = node(null, "a");
        var calls = new ArrayList<Spending.Account>();
        var holds = new ArrayList<Holds.Hold>();
        for (int i = 0; i < 10; i++) {
            calls.add(account("run-" + i, "globex"));
            holds.add(node.spending.reserve(calls.get(i), DIME, EXPIRY));
        }

        clock.advance(EXPIRY.multipliedBy(3));

        assertThatThrownBy(() -> node.spending.reserve(account("run-x", "globex"), DIME, EXPIRY))
                .isInstanceOf(BudgetExceeded.class)
                .hasMessageContaining("per-day");
        for (int i = 0; i < 10; i++) {
            finish(node.storage, calls.get(i), holds.get(i));
        }
        assertThat(dayIsFull(node)).isEqualTo(PriceTable.nanos(BigDecimal.ONE));
    }

    @Test
    void twoNodesReservingAtOnceNeverPassADayBudgetOrASubjectLimitTogether() throws Exception {
        String url = TestPostgres.newDatabase();
        var a = node(url, "a");
        var b = node(url, "b");

        var admitted = race(List.of(a, b), 6, 6);

        assertThat(admitted.total()).as("calls admitted against $1 a day").isEqualTo(10);
        assertThat(admitted.acme())
                .as("calls about acme admitted against $0.30 an hour")
                .isEqualTo(3);
        long spent = dayIsFull(b);
        long held = a.storage.read(h -> h.count("SELECT COALESCE(SUM(nanos), 0) FROM models_spend_holds"));
        assertThat(spent + held).isEqualTo(PriceTable.nanos(BigDecimal.ONE));
    }

    @Test
    void theHoldsOfANodeThatDiedWithCallsInFlightRunOutAndFreeTheBudget() throws Exception {
        String url = TestPostgres.newDatabase();
        var a = node(url, "a");
        var b = node(url, "b");
        for (int i = 0; i < 10; i++) {
            a.spending.reserve(account("run-a" + i, "globex"), DIME, EXPIRY);
        }
        // Node a dies with its ten calls in flight: nothing ever settles, releases or renews their holds.
        a.spending.close();
        a.kernel.close();
        kernels.remove(a.kernel);

        assertThatThrownBy(() -> b.spending.reserve(account("run-b", "globex"), DIME, EXPIRY))
                .isInstanceOf(BudgetExceeded.class)
                .hasMessageContaining("per-day");
        clock.advance(EXPIRY.minusSeconds(1));
        assertThatThrownBy(() -> b.spending.reserve(account("run-b", "globex"), DIME, EXPIRY))
                .isInstanceOf(BudgetExceeded.class);

        clock.advance(Duration.ofSeconds(2));
        for (int i = 0; i < 10; i++) {
            b.spending.reserve(account("run-b" + i, "globex"), DIME, EXPIRY);
        }
        assertThatThrownBy(() -> b.spending.reserve(account("run-b", "globex"), DIME, EXPIRY))
                .isInstanceOf(BudgetExceeded.class);
    }

    @Test
    void onSqliteCallsReservedAtOnceNeverPassTheLimitsEither() throws Exception {
        var node = node(null, "a");

        var admitted = race(List.of(node), 12, 6);

        assertThat(admitted.total()).isEqualTo(10);
        assertThat(admitted.acme()).isEqualTo(3);
        assertThat(dayIsFull(node)).isLessThanOrEqualTo(PriceTable.nanos(BigDecimal.ONE));
    }

    @Test
    void onSqliteARestartFreesWhatTheKilledProcessHeldAtOnce() throws Exception {
        var first = node(null, "a");
        for (int i = 0; i < 10; i++) {
            first.spending.reserve(account("run-" + i, "globex"), DIME, EXPIRY);
        }
        assertThatThrownBy(() -> first.spending.reserve(account("run-x", "globex"), DIME, EXPIRY))
                .isInstanceOf(BudgetExceeded.class);
        first.kernel.close();
        kernels.remove(first.kernel);

        var again = node(null, "a");
        for (int i = 0; i < 10; i++) {
            again.spending.reserve(account("run-again" + i, "globex"), DIME, EXPIRY);
        }
        assertThatThrownBy(() -> again.spending.reserve(account("run-y", "globex"), DIME, EXPIRY))
                .isInstanceOf(BudgetExceeded.class);
    }

    @Test
    void onSqliteACallsHoldStopsCountingOnceItsCostIsInTheLedgerBeforeTheCallLetsGoOfIt() throws Exception {
        var node = node(null, "a");
        var first = account("run-0", "globex");
        var hold = node.spending.reserve(first, DIME, EXPIRY);
        for (int i = 1; i < 9; i++) {
            node.spending.reserve(account("run-" + i, "globex"), DIME, EXPIRY);
        }

        // The first call's cost enters the ledger and settles its hold; the call has not closed it yet.
        node.storage.write(h -> {
            Ledger.insert(h, List.of(charge(first)));
            return hold.settle(h);
        });

        // $0.10 spent and $0.80 held: one more dime fits the day, and then not a nanodollar more.
        node.spending.reserve(account("run-9", "globex"), DIME, EXPIRY);
        assertThat(dayIsFull(node)).isEqualTo(DIME);
    }

    record Admitted(int total, int acme) {}

    /**
     * {@code threads} threads per node each try {@code tries} calls of $0.10, every other one about
     * acme; an admitted call either finishes (its cost enters the ledger and settles its hold) or
     * stays in flight.
     */
    private Admitted race(List<Node> nodes, int threads, int tries) throws Exception {
        var total = new AtomicInteger();
        var acme = new AtomicInteger();
        var jobs = new ArrayList<Callable<Void>>();
        for (var node : nodes) {
            for (int t = 0; t < threads; t++) {
                String thread = node.name + t;
                jobs.add(() -> {
                    for (int i = 0; i < tries; i++) {
                        String subject = i % 2 == 0 ? "acme" : "globex";
                        var account = account("run-" + thread + "-" + i, subject);
                        Holds.Hold hold;
                        try {
                            hold = node.spending.reserve(account, DIME, EXPIRY);
                        } catch (BudgetExceeded refused) {
                            continue;
                        }
                        total.incrementAndGet();
                        if (subject.equals("acme")) {
                            acme.incrementAndGet();
                        }
                        if (i % 3 != 2) {
                            finish(node.storage, account, hold);
                        }
                    }
                    return null;
                });
            }
        }
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (var done : pool.invokeAll(jobs)) {
                done.get();
            }
        }
        return new Admitted(total.get(), acme.get());
    }

    /** As a call does when it is answered: its cost enters the ledger and its hold goes, in one transaction. */
    private void finish(Storage storage, Spending.Account account, Holds.Hold hold) {
        var charge = charge(account);
        boolean settled = storage.write(h -> {
            Ledger.insert(h, List.of(charge));
            return hold.settle(h);
        });
        if (!settled) {
            hold.close();
        }
    }

    /** A model call's cost of $0.10, as the gateway enters it in the ledger. */
    private Ledger.Charge charge(Spending.Account account) {
        return new Ledger.Charge(
                clock.instant(),
                account.runId(),
                "step",
                account.runId() + "/step",
                0,
                account.agent(),
                account.playbook(),
                account.provider(),
                "gpt-4o-mini",
                "small",
                100,
                100,
                DIME,
                true,
                false,
                "answered",
                account.subject());
    }

    /** Asserts the day is spent or held to the last nanodollar, and returns the ledger's part. */
    private long dayIsFull(Node node) {
        assertThatThrownBy(() -> node.spending.reserve(account("probe", "nobody"), 1, EXPIRY))
                .as("not a nanodollar more fits")
                .isInstanceOf(BudgetExceeded.class)
                .hasMessageContaining("per-day");
        return node.storage.read(
                h -> Ledger.spent(h, "", "", Ledger.day(clock.instant())).today());
    }

    private Spending.Account account(String run, String subject) {
        return new Spending.Account(run, "draft-proposal", Ledger.day(clock.instant()), subject, "proposals", "openai");
    }

    record Node(String name, Kernel kernel, Storage storage, Spending spending) {}

    /** A kernel with the model gateway's tables, on PostgreSQL at {@code url} or (null) on SQLite. */
    private Node node(String url, String name) throws IOException {
        var data = dir.resolve(name);
        Files.createDirectories(data);
        var first = dir.resolve("a").resolve("master.key");
        if (!name.equals("a") && Files.exists(first) && !Files.exists(data.resolve("master.key"))) {
            // Every node of one database has the same master key.
            Files.copy(first, data.resolve("master.key"));
        }
        var host = new ExtensionHost[1];
        Extension capture = h -> host[0] = h;
        var builder = Kernel.builder()
                .dataDirectory(data)
                .clock(clock)
                .extension(new ModelsExtension(ModelSettings.none()))
                .extension(capture);
        if (url != null) {
            builder.database(url);
        }
        var kernel = builder.build();
        kernels.add(kernel);
        var storage = host[0].storage();
        var spending = new Spending(DAY, Holds.on(storage, clock), () -> ACME, clock);
        spendings.add(spending);
        return new Node(name, kernel, storage, spending);
    }
}
