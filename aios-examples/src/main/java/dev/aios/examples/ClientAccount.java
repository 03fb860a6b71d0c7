package dev.aios.examples;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Stateful;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The studio's account manager for one client: a stateful agent with one instance per client that
 * keeps, across projects, what the studio knows about them: the projects opened and delivered (with
 * what was invoiced) and the preferences the operator noted. {@code qualify-lead} consults it, and
 * the proposal mentions what it knows. Thirty days after a delivery it reminds itself to check in with
 * the client about the next project.
 *
 * <p>It is told things by the design-subscription playbook ({@code project-opened}, {@code
 * project-delivered}) and by the operator, with an event addressed to it:
 *
 * <pre>{@code aios event send client.note --subject acme --data '{"to": "agent/client-account", "note": "prefers calls on Tuesdays"}'}</pre>
 */
public final class ClientAccount implements Agent<ClientAccount.Input, ClientAccount.Account>, Stateful {

    /** How long after a delivery the account manager suggests checking in. */
    static final Duration CHECK_IN_AFTER = Duration.ofDays(30);

    /**
     * What the account manager is told. {@code kind} is {@code project-opened}, {@code
     * project-delivered} or {@code check-in} (its own reminder); a message with only a {@code note} is
     * a preference the operator noted.
     */
    public record Message(
            Optional<String> kind,
            Optional<String> projectId,
            Optional<String> plan,
            Optional<String> need,
            Optional<Integer> amount,
            Optional<String> currency,
            Optional<String> invoiceNumber,
            Optional<String> note) {}

    /** One project of the client. */
    public record Project(
            String projectId,
            String plan,
            String need,
            String status,
            Optional<Integer> amount,
            Optional<String> currency) {}

    /**
     * What the studio knows about the client.
     *
     * @param projects every project, oldest first
     * @param preferences what the operator noted, oldest first
     * @param notes the account manager's own notes, oldest first, e.g. when to check in
     */
    public record Account(List<Project> projects, List<String> preferences, List<String> notes) {}

    /**
     * What an account's state says, in one line for the operator and the proposal, e.g. {@code 2
     * projects delivered, last P-1 (standard: brand refresh); prefers: calls on Tuesdays}; empty for a
     * client the studio knows nothing about yet.
     */
    public static String summary(com.fasterxml.jackson.databind.JsonNode state) {
        var parts = new ArrayList<String>();
        var delivered = new ArrayList<com.fasterxml.jackson.databind.JsonNode>();
        state.path("projects").forEach(p -> {
            if (p.path("status").asText().equals("delivered")) {
                delivered.add(p);
            }
        });
        if (!delivered.isEmpty()) {
            var last = delivered.getLast();
            parts.add(delivered.size() + " project" + (delivered.size() == 1 ? "" : "s") + " delivered, last "
                    + last.path("projectId").asText() + " (" + last.path("plan").asText() + ": "
                    + last.path("need").asText() + ")");
        }
        var preferences = new ArrayList<String>();
        state.path("preferences").forEach(p -> preferences.add(p.asText()));
        if (!preferences.isEmpty()) {
            parts.add("prefers: " + String.join("; ", preferences));
        }
        return String.join("; ", parts);
    }

    /** What the instance is given for each message. */
    public record Input(Message message, Optional<Account> state) {}

    private static final Contract<Input, Account> CONTRACT = Contract.of(
                    "client-account", "1.0.0", Input.class, Account.class)
            .withDescription("Keeps each client's projects and preferences across projects (one instance per client).")
            .withTimeout(Duration.ofSeconds(5));

    @Override
    public Contract<Input, Account> contract() {
        return CONTRACT;
    }

    @Override
    public Account run(Input input, AgentContext context) {
        var account = input.state().orElse(new Account(List.of(), List.of(), List.of()));
        var projects = new ArrayList<>(account.projects());
        var preferences = new ArrayList<>(account.preferences());
        var notes = new ArrayList<>(account.notes());
        var message = input.message();
        switch (message.kind().orElse("note")) {
            case "project-opened" -> {
                String id = message.projectId().orElse("?");
                projects.removeIf(p -> p.projectId().equals(id));
                projects.add(new Project(
                        id,
                        message.plan().orElse("?"),
                        message.need().orElse(""),
                        "open",
                        Optional.empty(),
                        Optional.empty()));
            }
            case "project-delivered" -> {
                String id = message.projectId().orElse("?");
                var opened =
                        projects.stream().filter(p -> p.projectId().equals(id)).findFirst();
                projects.removeIf(p -> p.projectId().equals(id));
                projects.add(new Project(
                        id,
                        opened.map(Project::plan).orElse(message.plan().orElse("?")),
                        opened.map(Project::need).orElse(message.need().orElse("")),
                        "delivered",
                        message.amount(),
                        message.currency()));
                var checkIn = context.now().plus(CHECK_IN_AFTER);
                notes.add("delivered " + id + "; check in about the next project from " + checkIn);
                context.later(
                        CHECK_IN_AFTER,
                        JsonNodeFactory.instance
                                .objectNode()
                                .put("kind", "check-in")
                                .put("projectId", id));
            }
            case "check-in" ->
                notes.add("time to check in with " + context.subject() + " about the next project (after "
                        + message.projectId().orElse("the last project") + ")");
            default ->
                message.note().map(String::strip).filter(n -> !n.isEmpty()).ifPresent(preferences::add);
        }
        return new Account(List.copyOf(projects), List.copyOf(preferences), List.copyOf(notes));
    }
}
