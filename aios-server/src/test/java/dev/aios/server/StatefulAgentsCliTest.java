package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.examples.ClientAccount;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator sees stateful agents' instances over the CLI and the HTTP API. */
class StatefulAgentsCliTest {
    @TempDir
    Path dataDirectory;

    TestAios aios;

    @BeforeEach
    void start() {
        aios = TestAios.start(dataDirectory, builder -> builder.agent(new ClientAccount()), ApiServer.REQUEST_TIMEOUT);
    }

    @AfterEach
    void stop() {
        aios.close();
    }

    @Test
    void theOperatorNotesAPreferenceAndSeesTheInstanceItsMailboxAndItsState() {
        var sent = aios.cli(
                "event",
                "send",
                "client.note",
                "--subject",
                "acme",
                "--id",
                "note-1",
                "--data",
                "{\"to\": \"agent/client-account\", \"note\": \"prefers calls on Tuesdays\"}");
        assertThat(sent.exitCode()).as(sent.err()).isZero();
        aios.eventually(
                "/api/agents/client-account/instances/acme",
                view -> view.path("instance").path("handled").asLong() == 1);

        var agents = aios.cli("agents");
        assertThat(agents.exitCode()).as(agents.err()).isZero();
        assertThat(agents.out())
                .contains("client-account")
                .contains("instances of stateful agents:")
                .contains("AGENT", "SUBJECT", "MAILBOX", "HANDLED", "LAST MESSAGE")
                .containsPattern("client-account +acme +0 +1 +0 +note-1");

        var instances = aios.cli("agents", "--instances", "--json");
        assertThat(instances.exitCode()).as(instances.err()).isZero();
        assertThat(instances.out()).contains("\"subject\" : \"acme\"", "\"mailbox\" : 0");

        var show = aios.cli("agent", "show", "client-account", "acme");
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out())
                .contains("agent client-account for acme")
                .contains("mailbox 0, handled 1, failed 0")
                .contains("last message note-1")
                .contains("\"preferences\" : [ \"prefers calls on Tuesdays\" ]")
                .contains("recent messages (newest first):")
                .containsPattern(
                        "handled +\\S+ +client.note +event:cli +note-1 +\\{\"note\":\"prefers calls on Tuesdays\"}");
    }

    @Test
    void anInstanceThatDoesNotExistAndAMessageToAnAgentWithoutInstancesAreRefusedClearly() {
        var missing = aios.cli("agent", "show", "client-account", "globex");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("agent 'client-account' has no instance for subject 'globex'");
        assertThat(aios.get("/api/agents/client-account/instances/globex").status())
                .isEqualTo(404);

        var refused = aios.cli(
                "event",
                "send",
                "client.note",
                "--subject",
                "acme",
                "--data",
                "{\"to\": \"agent/echo\", \"text\": \"hi\"}");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err())
                .contains("agent/echo, which is not a stateful agent")
                .contains("the stateful agents are client-account");

        assertThat(aios.get("/api/agents/client-account/instances/acme?limit=0").status())
                .isEqualTo(400);
        var anonymous = aios.sendAs(
                HttpRequest.newBuilder(URI.create(aios.url + "/api/agents/instances"))
                        .GET(),
                null);
        assertThat(anonymous.status())
                .as("the instances need a token with read scope")
                .isEqualTo(401);
    }
}
