package dev.aios.server.internal.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.testing.Http;
import dev.aios.testing.Poll;
import dev.aios.testing.ScriptedModelServer;
import dev.aios.testing.ScriptedModelServer.Reply;
import dev.aios.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real Chromium against a real {@code aios up} process, as the operator uses it:
 * the demo's lead arrives, its proposal email (written by a scripted model, unsure of itself) lands
 * in the inbox without a reload, is edited and approved in the page; the run page shows the path
 * and the costs page the ledger. Takes the README's screenshots on the way.
 */
class ConsoleBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern LOGIN = Pattern.compile("(/login\\?code=\\S+)");
    /** Where the screenshots go; the README shows the ones in docs/screenshots. */
    private static final Path SHOTS = Path.of(System.getProperty("aios.screenshots", "target/screenshots"));

    @TempDir
    Path directory;

    ScriptedModelServer provider;
    ServerProcess server;
    ChromeDriver browser;

    @BeforeAll
    static void needsChromium() {
        assumeTrue(
                Chromium.installed().isPresent(),
                "no Chromium installed: the browser tests need Debian's chromium and chromium-driver"
                        + " (apt-get install chromium chromium-driver; .ci/run installs them)");
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void theOperatorSeesALeadArriveEditsTheProposalApprovesItAndFollowsTheRunAndItsCost() throws Exception {
        provider = ScriptedModelServer.start();
        provider.enqueue(Reply.json("""
                {"to": "ada@acme.test", "subject": "Your design subscription",
                 "body": "Hi Ada,\\n\\nHere is the plan we discussed.\\n\\nBest regards", "confidence": 0.62}""", 1800, 420));
        server = ServerProcess.builder(directory)
                .environment("OPENAI_BASE_URL", provider.openAiBaseUrl())
                .environment("OPENAI_API_KEY", "sk-test")
                .environment("ANTHROPIC_API_KEY", "")
                .startupTimeout(Duration.ofMinutes(3))
                .start();
        // The banner with the link comes once the kernel has started, which is after /health answers.
        var login = Poll.until(
                "aios up to print a one-time sign-in link",
                () -> LOGIN.matcher(server.output()),
                java.util.regex.Matcher::find,
                Duration.ofSeconds(60));
        browser = Chromium.start(directory.resolve("profile"), 1280, 1000);
        var wait = new WebDriverWait(browser, WAIT);

        browser.get(server.baseUrl() + login.group(1));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Inbox"));
        assertThat(browser.getPageSource()).contains("Nothing waits for you");
        awaitLiveConnection(browser);
        js(browser, "window.stillTheSamePage = true;");

        var runId = lead(server.http());
        var card = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".task-card")));
        assertThat(js(browser, "return window.stillTheSamePage === true;"))
                .as("the task appeared without a reload")
                .isEqualTo(true);
        assertThat(card.getText())
                .contains("Review the output of draft-proposal")
                .contains("confidence\n0.62");
        wait.until(d -> d.getTitle().startsWith("(1) Inbox"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("inbox-count"), "1"));
        shot("inbox.png");

        browser.findElement(By.tagName("body")).sendKeys("j");
        assertThat(card.getAttribute("class")).contains("selected");

        card.findElement(By.cssSelector("h3 a")).click();
        var editor = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("edit-text")));
        var edited = editor.getAttribute("value").replace("Your design subscription", "Your brand refresh, Ada");
        editor.clear();
        editor.sendKeys(edited);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.id("edit-check"), "Fits the agent's output schema."));
        assertThat(browser.findElement(By.id("edit-check")).getText())
                .contains("/subject")
                .contains("- Your design subscription")
                .contains("+ Your brand refresh, Ada");
        browser.findElement(By.cssSelector("#edit button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector(".flash"), "approved with your edit"));

        var task = Poll.until(
                "the review to be approved",
                () -> server.http().get("/api/runs/" + runId).expect(200).json(),
                run -> run.path("tasks").path(0).path("status").asText().equals("approved"),
                WAIT);
        assertThat(task.path("context").path("propose").path("subject").asText())
                .isEqualTo("Your brand refresh, Ada");
        // No mail server is configured: the approved email waits to be sent by hand, and the operator says it was.
        var send = Poll.until(
                "the approved proposal email to send by hand",
                () -> server.http().get("/api/tasks").expect(200).json().path(0),
                open -> open.path("stepId").asText().equals("email-proposal"),
                WAIT);
        assertThat(send.path("proposed").path("subject").asText()).isEqualTo("Your brand refresh, Ada");
        server.http()
                .post("/api/tasks/" + send.path("id").asText() + "/approve", "{\"comment\": \"sent\"}")
                .expect(200);

        // The run page is drawn once: open it when the run has moved on to its sprint.
        Poll.until(
                "the run to wait for its sprint",
                () -> server.http().get("/api/runs/" + runId).expect(200).json(),
                run -> {
                    for (var step : run.path("steps")) {
                        if (step.path("id").asText().equals("sprint")) {
                            return step.path("status").asText().equals("waiting");
                        }
                    }
                    return false;
                },
                WAIT);
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1700));
        browser.get(server.baseUrl() + "/runs/" + runId);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("svg.graph")));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("svg"), "sprint · waiting"));
        var graph = browser.findElement(By.cssSelector("svg.graph")).getAttribute("outerHTML");
        assertThat(graph)
                .contains("qualify · completed")
                .contains("propose · completed")
                .contains("email-proposal · completed");
        assertThat(browser.getPageSource()).contains("verified").contains("TaskResolved");
        shot("run.png");

        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1300));
        browser.get(server.baseUrl() + "/costs");
        var total = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("cost-total")));
        assertThat(total.getText()).contains("model calls\n1");
        assertThat(browser.getPageSource()).contains("draft-proposal").contains("gpt-4o-mini");
        shot("costs.png");

        browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        browser.get(server.baseUrl() + "/");
        assertThat(js(browser, "return document.documentElement.scrollWidth <= window.innerWidth;"))
                .as("the inbox fits a phone's width")
                .isEqualTo(true);
        browser.findElement(By.tagName("body")).sendKeys(Keys.chord("?"));
        assertThat(browser.findElement(By.id("shortcuts")).isDisplayed()).isTrue();
    }

    private static String lead(Http http) {
        JsonNode accepted = http.post("/api/events", """
                        {"type": "lead.received", "subject": "acme",
                         "data": {"name": "Ada Lovelace", "email": "ada@acme.test", "company": "Acme", "budget": 4000,
                                  "need": "brand refresh and landing page", "plan": "standard", "sprint": "1h"}}""").expect(202).json();
        return accepted.path("started").get(0).asText();
    }

    /** Waits until the page's event stream is open, so that what happens next reaches it. */
    private static void awaitLiveConnection(WebDriver browser) {
        new WebDriverWait(browser, WAIT)
                .until(d -> Boolean.TRUE.equals(js(d, "return document.documentElement.dataset.live === 'open';")));
    }

    private static Object js(WebDriver browser, String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private void shot(String name) throws IOException {
        Files.createDirectories(SHOTS);
        Files.write(SHOTS.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
    }
}
