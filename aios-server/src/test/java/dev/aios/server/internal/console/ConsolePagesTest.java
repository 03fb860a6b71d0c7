package dev.aios.server.internal.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.MemoryKind;
import dev.aios.api.Remember;
import dev.aios.testing.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's other pages: playbooks, agents, costs, memory, health and the weekly review. */
class ConsolePagesTest {
    @TempDir
    Path data;

    ConsoleHarness aios;
    ConsoleHarness.Browser browser;

    @BeforeEach
    void start() {
        aios = ConsoleHarness.start(data, Map.of());
        browser = aios.new Browser().signedIn();
    }

    @AfterEach
    void stop() {
        aios.close();
    }

    @Test
    void thePlaybooksPageShowsEachVersionWithItsTriggerAgentsRunsAndGraph() {
        aios.lead("acme");
        var page = browser.get("/playbooks");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body())
                .contains("design-subscription")
                .contains("<code>lead.received</code>")
                .contains("qualify-lead")
                .contains("draft-proposal")
                .contains("<a href=\"/runs?playbook=design-subscription\">1</a>")
                .contains("<svg")
                .contains("on timeout");
        assertThat(browser.get("/playbooks/design-subscription").status()).isEqualTo(200);
        assertThat(browser.get("/playbooks/nothing").status()).isEqualTo(404);
    }

    @Test
    void theAgentsPageListsEachStatefulAgentsInstancesAndAnInstanceShowsItsStateAndMessages() {
        var note = browser.postWithToken(
                "/api/events",
                "application/json",
                "{\"type\": \"client.note\", \"subject\": \"acme\", \"data\": {\"to\": \"agent/client-account\","
                        + " \"note\": \"prefers calls on Tuesdays\"}}");
        assertThat(note.status()).isEqualTo(202);
        var instance = Poll.until(
                "acme's client account to handle the note",
                () -> browser.get("/agents/client-account/acme"),
                p -> p.body().contains("status-handled"),
                ConsoleHarness.DEADLINE);
        var page = browser.get("/agents");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body())
                .contains("<h2 id=\"agent-client-account\">client-account")
                .contains("<a href=\"/agents/client-account/acme\">acme</a>")
                .contains("other agents are stateless");
        assertThat(instance.status()).isEqualTo(200);
        assertThat(instance.body())
                .contains("client-account for acme")
                .contains("<dt>handled</dt><dd>1</dd>")
                .contains("prefers calls on Tuesdays")
                .contains("status-handled")
                .contains("client.note");
        assertThat(browser.get("/agents/client-account/globex").status()).isEqualTo(404);
        assertThat(browser.get("/agents/qualify-lead/acme").status()).isEqualTo(404);
    }

    @Test
    void theCostsPageShowsTheLedgerChartAndSaysWhenNoBudgetIsSet() {
        var page = browser.get("/costs");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body())
                .contains("<h1>Costs</h1>")
                .contains("Model spend per day")
                .contains("No budget is set")
                .contains("By agent");
        var refused = browser.get("/costs?from=2026-02-01&to=2026-01-01");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("is after");
    }

    @Test
    void memoryIsSearchedWithWhyEachItemScoredPinnedAndForgottenOnlyWhenConfirmed() {
        var item = aios.memory
                .memory()
                .remember(Remember.of(MemoryKind.NOTE, "globex", "Globex prefers invoices in euros"));
        var found = browser.get("/memory?q=invoices+euros");
        assertThat(found.body())
                .contains("Globex prefers invoices in euros")
                .contains("text rank")
                .contains(item.id());
        assertThat(browser.get("/memory").body()).contains("<a href=\"/memory?subject=globex\">globex</a>");

        var pinned = browser.submit("/memory/items/" + item.id() + "/pin", Map.of());
        assertThat(pinned.status()).isEqualTo(303);
        assertThat(aios.memory.pinned(java.util.List.of(item.id()))).containsExactly(item.id());

        var unconfirmed = browser.submit("/memory/forget", Map.of("subject", "globex", "confirm", "globx"));
        assertThat(unconfirmed.status()).isEqualTo(400);
        assertThat(unconfirmed.body()).contains("type its name again exactly");
        assertThat(aios.memory.about("globex")).isEqualTo(1);

        var forgotten = browser.submit("/memory/forget", Map.of("subject", "globex", "confirm", "globex"));
        assertThat(forgotten.status()).isEqualTo(303);
        assertThat(aios.memory.about("globex")).isZero();
        assertThat(browser.get("/memory").body()).contains("Forgot globex");
    }

    @Test
    void theHealthPageShowsTheWriterQueueBreakersRetentionAndDisk() {
        aios.openTaskOf(aios.lead("acme"));
        var page = browser.get("/status");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body())
                .contains("Writing normally.")
                .contains("lag (oldest due)")
                .contains("awaiting events")
                .contains("No connector was called since the start.")
                .contains("next retention (UTC)")
                .containsPattern("<dt>search index</dt><dd>ready, [\\d,]+ chunks</dd>")
                .contains("free on its disk")
                .contains("sse:tick");
    }

    @Test
    void theWeeklyReviewCountsAnsweredTasksOnThePageInTheApiAndInTheCli() {
        var task = aios.openTaskOf(aios.lead("acme"));
        aios.kernel.approve(task.id(), java.util.Optional.empty(), "");
        var page = browser.get("/review?since=7d");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("draft approved").contains("runs started");
        var text = aios.cli("digest", "--since", "7d");
        assertThat(text).contains("TASKS ANSWERED").contains("draft approved").contains("1 started");
        assertThat(browser.get("/review?since=soon").status()).isEqualTo(400);
        assertThat(Duration.ofDays(7)).isPositive();
    }
}
