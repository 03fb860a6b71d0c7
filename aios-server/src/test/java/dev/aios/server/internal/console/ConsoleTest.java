package dev.aios.server.internal.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console as a browser without JavaScript uses it: sign in, read the inbox, answer with forms. */
class ConsoleTest {
    private static final String READER = "reader-token";

    @TempDir
    Path data;

    ConsoleHarness aios;

    @BeforeEach
    void start() {
        aios = ConsoleHarness.start(
                data, Map.of(READER, new Access.Grant("dashboard-screen", EnumSet.of(Access.Scope.READ))));
    }

    @AfterEach
    void stop() {
        aios.close();
    }

    @Test
    void aVisitorIsSentToSignInAndAOneTimeLinkSignsInOnce() {
        var browser = aios.new Browser();
        var inbox = browser.get("/runs?status=waiting");
        assertThat(inbox.status()).isEqualTo(303);
        assertThat(inbox.header("Location")).hasValue("/login?next=%2Fruns%3Fstatus%3Dwaiting");

        var code = aios.access.oneTimeCode();
        var first = browser.get("/login?code=" + code);
        assertThat(first.status()).isEqualTo(303);
        assertThat(first.header("Set-Cookie").orElseThrow())
                .contains("aios_session=")
                .contains("HttpOnly")
                .containsIgnoringCase("SameSite=Strict");
        assertThat(browser.get("/").body()).contains("<h1>Inbox</h1>");

        var again = aios.new Browser().get("/login?code=" + code);
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.body()).contains("This sign-in link was used already or has expired");
    }

    @Test
    void aPastedTokenSignsInAndAWrongOneDoesNot() {
        var browser = aios.new Browser();
        var wrong = browser.post("/login", "application/x-www-form-urlencoded", "token=nope&next=%2F");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).contains("That token is unknown, revoked or expired.");

        var right = browser.post(
                "/login", "application/x-www-form-urlencoded", "token=" + aios.access.token() + "&next=%2Fruns");
        assertThat(right.status()).isEqualTo(303);
        assertThat(right.header("Location")).hasValue("/runs");
    }

    @Test
    void oneSessionServesTheConsoleAndTheApiAndRevokingItsTokenEndsItInBoth() {
        var laptop = aios.kernel
                .tokens()
                .create("laptop", EnumSet.of(dev.aios.kernel.Scope.OPERATE), java.util.Optional.empty())
                .secret();
        var byApi = aios.new Browser();
        assertThat(byApi.post("/api/session", "application/json", "{\"token\": \"" + laptop + "\"}")
                        .status())
                .isEqualTo(200);
        assertThat(byApi.get("/").body())
                .as("signed in through the API, the console is open")
                .contains("<h1>Inbox</h1>");
        var byConsole = aios.new Browser();
        assertThat(byConsole
                        .post("/login", "application/x-www-form-urlencoded", "token=" + laptop + "&next=%2F")
                        .status())
                .isEqualTo(303);
        assertThat(byConsole.get("/api/runs").status())
                .as("signed in through the console, the API answers")
                .isEqualTo(200);

        aios.kernel.tokens().revoke("laptop");

        assertThat(byApi.get("/").status()).as("to sign in again").isEqualTo(303);
        assertThat(byApi.get("/api/runs").status()).isEqualTo(401);
        assertThat(byConsole.get("/api/runs").status()).isEqualTo(401);
        assertThat(byConsole.get("/").status()).isEqualTo(303);
    }

    @Test
    void signingOutThroughTheApiEndsTheConsolesSession() {
        var browser = aios.new Browser().signedIn();
        assertThat(browser.get("/").status()).isEqualTo(200);
        assertThat(browser.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(aios.url + "/api/session"))
                                .header("Content-Type", "application/json")
                                .DELETE())
                        .status())
                .isEqualTo(204);
        assertThat(browser.get("/").status()).isEqualTo(303);
    }

    @Test
    void aDraftShowsWhyItIsHereAndIsApprovedWithAnEditThatFitsTheContract() {
        var runId = aios.lead("acme");
        var task = aios.openTaskOf(runId);
        var browser = aios.new Browser().signedIn();

        var inbox = browser.get("/");
        assertThat(inbox.body())
                .contains("<title>(1) Inbox · aios</title>")
                .contains("Drafts")
                .contains(task.title().replace("(", "(").replace("'", "&#39;"))
                .contains("no model provider is configured")
                .contains("draft-proposal@");

        var check = browser.submit(
                "/tasks/" + task.id() + "/check",
                Map.of("edit", "{\"to\": \"ada@acme.test\", \"subject\": \"Your plan\", \"body\": \"Hi Ada\"}"));
        assertThat(check.body())
                .contains("Cannot be approved as it is")
                .contains("confidence: required property missing")
                .contains("<code>/subject</code>")
                .contains("+ Your plan");

        var refused = browser.submit(
                "/tasks/" + task.id() + "/approve", Map.of("edit", "{\"to\": \"ada@acme.test\", \"subject\": "));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("not JSON").contains("\"subject\": ");
        assertThat(aios.kernel.task(task.id()).status()).isEqualTo(dev.aios.kernel.TaskStatus.OPEN);

        var edited = task.proposed().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) edited).put("subject", "Your plan, Ada");
        var approved = browser.submit("/tasks/" + task.id() + "/approve", Map.of("edit", edited.toString()));
        assertThat(approved.status()).isEqualTo(303);
        assertThat(approved.header("Location")).hasValue("/");
        var answered = aios.kernel.task(task.id());
        assertThat(answered.status()).isEqualTo(dev.aios.kernel.TaskStatus.APPROVED);
        assertThat(answered.resolution()
                        .orElseThrow()
                        .path("output")
                        .path("subject")
                        .asText())
                .isEqualTo("Your plan, Ada");
        assertThat(browser.get("/").body()).contains("approved with your edit").contains("Nothing waits for you");
    }

    @Test
    void aRunPageDrawsThePathTheTimelineAndTheVerifiedChainAndTheListFilters() {
        var runId = aios.lead("acme");
        var task = aios.openTaskOf(runId);
        var browser = aios.new Browser().signedIn();

        var page = browser.get("/runs/" + runId);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body())
                .contains("<svg")
                .contains("qualify · completed")
                .contains("propose · waiting")
                .contains("stroke=\"#0b57d0\"")
                .contains("RunStarted")
                // Its first step was scheduled and begun by the write that logged the lead, in one entry.
                .contains("step qualify scheduled; attempt 1 started")
                .contains("TaskOpened")
                .contains("<span class=\"ok\">verified</span>")
                .contains("/tasks/" + task.id())
                .contains("Cancel the run");

        var waiting = browser.get("/runs?status=waiting");
        assertThat(waiting.body()).contains(runId);
        assertThat(browser.get("/runs?status=completed").body())
                .doesNotContain(runId)
                .contains("No run matches.");

        var replay = browser.submit("/runs/" + runId + "/replay", Map.of("full", "true"));
        assertThat(replay.body()).contains("gives exactly the stored state");

        var cancelled = browser.submit("/runs/" + runId + "/cancel", Map.of("reason", "client withdrew"));
        assertThat(cancelled.status()).isEqualTo(303);
        assertThat(aios.kernel.run(runId).status().isFinal()).isTrue();
        assertThat(browser.get("/runs/r-nothing").status()).isEqualTo(404);
    }

    @Test
    void aFormWithoutTheSessionsTokenOrFromAnotherSiteChangesNothing() {
        var task = aios.openTaskOf(aios.lead("acme"));
        var browser = aios.new Browser().signedIn();

        var noToken = browser.post(
                "/tasks/" + task.id() + "/approve", "application/x-www-form-urlencoded", "comment=looks+fine");
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(noToken.body()).contains("CSRF token does not match");

        var crossSite = browser.send(HttpRequest.newBuilder(URI.create(aios.url + "/tasks/" + task.id() + "/approve"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", "http://evil.test")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + browser.csrf())));
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(crossSite.body()).contains("sent from another site");
        assertThat(aios.kernel.task(task.id()).status()).isEqualTo(dev.aios.kernel.TaskStatus.OPEN);
    }

    @Test
    void aReadOnlyTokenReadsTheInboxButCannotAnswer() {
        var task = aios.openTaskOf(aios.lead("acme"));
        var browser = aios.new Browser();
        browser.post("/login", "application/x-www-form-urlencoded", "token=" + READER);

        var inbox = browser.get("/");
        assertThat(inbox.body())
                .contains("dashboard-screen")
                .contains(task.id())
                .doesNotContain("/approve\"");

        var answer = browser.submit("/tasks/" + task.id() + "/approve", Map.of());
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.body()).contains("does not have the 'operate' scope");
        assertThat(aios.kernel.task(task.id()).status()).isEqualTo(dev.aios.kernel.TaskStatus.OPEN);
    }

    @Test
    void anUnknownTaskOrPageIsAReadable404Page() {
        var browser = aios.new Browser().signedIn();
        var task = browser.get("/tasks/t-nothing");
        assertThat(task.status()).isEqualTo(404);
        assertThat(task.header("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(task.body()).contains("<h1>Not found</h1>").contains("no task t-nothing");

        var page = browser.get("/no/such/page");
        assertThat(page.status()).isEqualTo(404);
        assertThat(page.body()).contains("There is no page at /no/such/page");

        var api = browser.get("/api/no-such-route");
        assertThat(api.status()).isEqualTo(404);
        assertThat(api.header("Content-Type").orElseThrow()).startsWith("application/problem+json");
    }

    @Test
    void aNewTaskIsAnnouncedToOpenPages() throws Exception {
        var browser = aios.new Browser().signedIn();
        var stream = browser.client()
                .send(
                        HttpRequest.newBuilder(URI.create(aios.url + "/live?topics=tasks"))
                                .header("Accept", "text/event-stream")
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        try (var lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).startsWith(": listening to tasks");
            var announced = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        if (line.equals("event: tasks")) {
                            return System.nanoTime();
                        }
                    }
                    return -1L;
                } catch (java.io.IOException e) {
                    return -1L;
                }
            });
            var task = aios.openTaskOf(aios.lead("acme"));
            assertThat(announced.get(10, TimeUnit.SECONDS))
                    .as("the page heard of task %s", task.id())
                    .isPositive();
        }
        var signedOut = aios.new Browser()
                .send(HttpRequest.newBuilder(URI.create(aios.url + "/live?topics=tasks"))
                        .header("Accept", "text/event-stream"));
        assertThat(signedOut.status()).isEqualTo(401);
    }
}
