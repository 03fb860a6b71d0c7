package dev.aios.server.internal.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aios.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's Agents pages in a real Chromium, as the operator reads them: the stateful agents
 * with an instance per client, then one instance with its state and its messages, a message it
 * could not handle shown with its error.
 */
class AgentsBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path SHOTS = Path.of(System.getProperty("aios.screenshots", "target/screenshots"));

    @TempDir
    Path directory;

    ConsoleHarness aios;
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
        if (aios != null) {
            aios.close();
        }
    }

    @Test
    void theOperatorSeesEachClientsAccountManagerThenOneClientsStateAndMessages() throws IOException {
        aios = ConsoleHarness.start(directory.resolve("data"), Map.of());
        note("acme", "\"note\": \"prefers calls on Tuesdays\"");
        note("acme", "\"note\": \"invoices in euros\"");
        note("globex", "\"note\": \"replies within a day\"");
        note("globex", "\"amount\": \"lots\"");
        Poll.until(
                "both clients' notes to be handled or given up on",
                () -> aios.kernel.agentInstances(java.util.Optional.of("client-account")),
                all -> all.size() == 2 && all.stream().allMatch(i -> i.mailbox() == 0 && i.handled() + i.failed() == 2),
                WAIT);

        browser = Chromium.start(directory.resolve("profile"), 1280, 1000);
        var wait = new WebDriverWait(browser, WAIT);
        browser.get(aios.url + "/login?code=" + aios.access.oneTimeCode());
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Inbox"));

        browser.findElement(By.linkText("Agents")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Agents"));
        var agent = browser.findElement(By.cssSelector("section[aria-labelledby=agent-client-account]"));
        assertThat(agent.findElement(By.tagName("h2")).getText()).startsWith("client-account");
        assertThat(rows(agent))
                .as("subject, mailbox, handled, failed, last message")
                .containsExactlyInAnyOrder(List.of("acme", "0", "2", "0"), List.of("globex", "0", "1", "1"));
        shot("agents.png");

        agent.findElement(By.linkText("acme")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "client-account for acme"));
        assertThat(browser.getCurrentUrl()).endsWith("/agents/client-account/acme");
        assertThat(fact("handled")).isEqualTo("2");
        assertThat(fact("mailbox")).isEqualTo("0");
        var state = browser.findElement(By.cssSelector("section[aria-labelledby=state] pre"))
                .getText();
        assertThat(state)
                .contains("prefers calls on Tuesdays")
                .contains("invoices in euros")
                .doesNotContain("replies within a day");
        var messages = browser.findElements(By.cssSelector("section[aria-labelledby=messages] tbody tr"));
        assertThat(messages).hasSize(2);
        assertThat(messages.getFirst().getText())
                .as("newest first")
                .contains("client.note")
                .contains("handled")
                .contains("invoices in euros");
        assertThat(messages.getLast().getText()).contains("prefers calls on Tuesdays");
        shot("agent.png");

        browser.navigate().back();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Agents"));
        browser.findElement(By.linkText("globex")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "client-account for globex"));
        assertThat(fact("failed")).isEqualTo("1");
        var failed = browser.findElement(By.cssSelector("section[aria-labelledby=messages] .status-failed"));
        assertThat(failed.getText()).isEqualTo("failed");
        var row = failed.findElement(By.xpath("./ancestor::tr"));
        assertThat(row.getText())
                .as("the error is shown with the message")
                .contains("lots")
                .contains("amount");

        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get(aios.url + "/agents");
        assertThat(((JavascriptExecutor) browser)
                        .executeScript("return document.documentElement.scrollWidth <= window.innerWidth;"))
                .as("the agents page fits a phone's width")
                .isEqualTo(true);
    }

    private void note(String subject, String fields) {
        var answer = aios.new Browser()
                .postWithToken(
                        "/api/events",
                        "application/json",
                        "{\"type\": \"client.note\", \"subject\": \"" + subject
                                + "\", \"data\": {\"to\": \"agent/client-account\", " + fields + "}}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
    }

    /** The first four cells of each instance's row. */
    private static List<List<String>> rows(WebElement agent) {
        return agent.findElements(By.cssSelector("tbody tr")).stream()
                .map(tr -> tr.findElements(By.tagName("td")).stream()
                        .limit(4)
                        .map(WebElement::getText)
                        .toList())
                .toList();
    }

    /** A fact of the instance page, by its label. */
    private String fact(String label) {
        return browser.findElement(By.xpath("//dl[@class='facts']/div[dt='" + label + "']/dd"))
                .getText();
    }

    private void shot(String name) throws IOException {
        Files.createDirectories(SHOTS);
        Files.write(SHOTS.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
    }
}
