package dev.aios.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.policy.internal.Anomalies;
import dev.aios.policy.internal.AnswerStore;
import dev.aios.policy.internal.CentralPolicy;
import dev.aios.policy.internal.Corrections;
import dev.aios.policy.internal.DecisionStore;
import dev.aios.policy.internal.Escalator;
import dev.aios.policy.internal.Examples;
import dev.aios.policy.internal.Limiter;
import dev.aios.policy.internal.Observer;
import dev.aios.policy.internal.PolicyCel;
import dev.aios.policy.internal.PolicyState;
import dev.aios.policy.internal.Redactor;
import dev.aios.policy.internal.SuggestionStore;
import dev.aios.policy.internal.Suggestions;
import dev.aios.policy.internal.VersionStore;
import dev.aios.policy.internal.WebhookNotifier;
import dev.aios.policy.spi.Knowledge;
import dev.aios.policy.spi.Notifier;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The central policy as a kernel extension: it decides on every agent step after the playbook's own
 * rules (gates, flags, limits), escalates open tasks, and keeps every version of itself.
 *
 * <pre>{@code
 * var policy = PolicyExtension.builder()
 *         .settings(config.section("policy"))
 *         .knowledge(id -> memory.memory().get(id).map(KnowledgeRecord::content))
 *         .build();
 * var kernel = Kernel.builder().dataDirectory(dir).extension(policy).build();
 * policy.setFlag("draft-proposal", Optional.of("new-clients"), "shadow", "operator");
 * }</pre>
 */
public final class PolicyExtension implements Extension {
    /** The name this module's tables are migrated under ({@code flyway_policy}). */
    public static final String MODULE = "policy";

    /** Where this module's Flyway migrations are (on PostgreSQL: at this location + {@code -postgresql}). */
    public static final String MIGRATIONS = "classpath:db/policy";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final JsonNode settings;
    private final Knowledge knowledge;
    private final Notifier notifier;
    private final Set<String> shadowEffects;
    private final Optional<String> emailAgent;
    private final java.util.function.Supplier<Optional<dev.aios.api.Memory>> memory;
    private volatile Attached attached;
    private volatile java.time.InstantSource clock = java.time.InstantSource.system();

    private record Attached(
            PolicyState state,
            CentralPolicy central,
            Escalator escalator,
            Observer observer,
            AnswerStore answers,
            Anomalies anomalies,
            Corrections corrections,
            Suggestions suggestions) {}

    private PolicyExtension(Builder builder) {
        this.settings = builder.settings;
        this.knowledge = builder.knowledge;
        this.notifier = builder.notifier;
        this.shadowEffects = Set.copyOf(builder.shadowEffects);
        this.emailAgent = builder.emailAgent;
        this.memory = builder.memory;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void attach(ExtensionHost host) {
        host.storage().migrate(MODULE, MIGRATIONS);
        this.clock = host.clock();
        var cel = new PolicyCel();
        var state = new PolicyState(new VersionStore(host.storage(), host.audit()), cel, host.clock());
        state.load(settings);
        var decisions = new DecisionStore(host.storage());
        var answers = new AnswerStore(host.storage());
        var clock = host.clock();
        Notifier delivery = notifier;
        if (emailAgent.isPresent()) {
            host.playbook(dev.aios.policy.internal.EmailNotices.playbook(emailAgent.get()));
            delivery = new dev.aios.policy.internal.EmailNotices(notifier, host);
        }
        var escalator = new Escalator(
                delivery,
                (kind, agent) -> answers.medianTime(
                        kind,
                        agent,
                        clock.instant()
                                .minus(state.current().policy().learning().window()),
                        5),
                clock);
        var central = new CentralPolicy(
                state, knowledge, decisions, Limiter.on(host.storage()), escalator, clock, shadowEffects);
        host.stepPolicy(central);
        var observer = new Observer(host.feed(), host.storage(), host.cipher());
        observer.onAnswer(answer -> Examples.remember(memory.get(), answer));
        var suggestions = new Suggestions(host.storage(), new SuggestionStore(host.storage()), state, host);
        host.playbook(Suggestions.playbook());
        observer.onAnswer(suggestions::consider);
        var anomalies = new Anomalies(host.storage(), state, host, delivery);
        host.playbook(Anomalies.playbook());
        observer.onItem(anomalies::observe);
        observer.afterBatch(anomalies::check);
        observer.onAnswer(anomalies::consider);
        var corrections = new Corrections(
                host.storage(),
                decisions,
                new SuggestionStore(host.storage()),
                state,
                anomalies,
                memory,
                host.cipher(),
                clock);
        host.listen(items -> observer.wake());
        host.onForget(subject -> {
            // What the observer still had to record about the subject is recorded first, then renamed.
            observer.catchUp();
            String pseudonym = host.cipher().pseudonym(subject);
            decisions.pseudonymize(subject, pseudonym);
            answers.pseudonymize(subject, pseudonym);
        });
        observer.wake();
        attached = new Attached(state, central, escalator, observer, answers, anomalies, corrections, suggestions);
    }

    @Override
    public void close() {
        var a = attached;
        if (a != null) {
            a.observer().close();
        }
    }

    /**
     * Notes that the operator opened task {@code taskId} now (the start of their time on it), unless
     * they had before; the API and the console call this when a task is shown.
     */
    public void viewed(String taskId) {
        attached().answers().viewed(taskId, clock.instant());
    }

    /**
     * Notes that the operator was shown the tasks {@code taskIds} now (e.g. as inbox cards they can
     * answer from), for those they had not seen before; one write, and none when all were seen.
     */
    public void viewed(java.util.Collection<String> taskIds) {
        attached().answers().viewed(taskIds, clock.instant());
    }

    /**
     * The operator's answers in the last {@code window}, per agent, rule and segment: how many were
     * approved unchanged, edited and rejected, and the median time the operator took.
     */
    public JsonNode answers(java.time.Duration window) {
        return attached().answers().stats(clock.instant().minus(window));
    }

    /**
     * Records that a committed agent output should have been {@code corrected}: kept as an answer
     * and as an example for the agent; when the output committed on its own through an accepted
     * autonomy suggestion, the suggestion is revoked (a new policy version without its gate) and
     * the revocation is reported in the inbox.
     *
     * @param input the step's input, and {@code original} its output, as the run recorded them
     * @return {@code {"run", "step", "agent", "committed", "changes", "revoked"}}
     * @throws PolicyException when the policy never decided that step, or nothing changed
     */
    public JsonNode correct(
            String runId,
            String step,
            JsonNode input,
            JsonNode original,
            JsonNode corrected,
            String reason,
            String author) {
        var a = attached();
        // The observer follows the journal behind the kernel; what it has not read yet (the step's
        // completion, say) must count before the correction is judged.
        a.observer().catchUp();
        return a.corrections()
                .correct(new Corrections.Correction(runId, step, input, original, corrected, reason, author));
    }

    /**
     * Applies the privacy rules to a prompt about to go to {@code provider}: personal fields of the
     * step's {@code input} and what the detectors find are replaced by placeholders (restore them
     * in the answer with {@link Redaction#restore}); a prompt about a subject in a local-only
     * segment is refused a provider that is not {@code local}. Nothing is redacted for local
     * providers.
     */
    public Redaction redact(String subject, JsonNode input, List<String> texts, String provider, boolean local) {
        var privacy = attached().state().current().policy().privacy();
        List<String> segments =
                local || privacy.localOnly().isEmpty() || subject.isEmpty() ? List.of() : segmentsOf(subject);
        return Redactor.apply(privacy, segments, input, texts, local, provider);
    }

    /**
     * The autonomy suggestions, newest first: what each proposes, what became of it (proposed,
     * accepted, declined, revoked), the run of its inbox task and the policy version it made.
     */
    public JsonNode suggestions() {
        var out = JSON.arrayNode();
        attached().suggestions().all().forEach(s -> out.add(Suggestions.json(s)));
        return out;
    }

    /**
     * Accepts a proposed autonomy suggestion for whoever the current thread acts for, as answering
     * its inbox task with approve does: a new policy version with its gate. {@code edit} may narrow
     * the region ({@code minConfidence}, {@code minAmount}, {@code maxAmount}).
     *
     * @return the suggestion as {@link #suggestions()} lists it, with the version it made
     * @throws dev.aios.kernel.NotFoundException when there is no such suggestion
     * @throws dev.aios.kernel.ConflictException when it is no longer proposed
     */
    public JsonNode acceptSuggestion(String id, JsonNode edit, String comment) {
        var suggestions = attached().suggestions();
        suggestions.accept(suggestions.get(id), edit, dev.aios.kernel.Actor.current(), comment);
        return Suggestions.json(suggestions.get(id));
    }

    /**
     * Declines a proposed autonomy suggestion; the same region is proposed again only after twice
     * as many unchanged approvals in a row.
     *
     * @throws dev.aios.kernel.NotFoundException when there is no such suggestion
     * @throws dev.aios.kernel.ConflictException when it is no longer proposed
     */
    public JsonNode declineSuggestion(String id, String reason) {
        var suggestions = attached().suggestions();
        suggestions.decline(suggestions.get(id), dev.aios.kernel.Actor.current(), reason);
        return Suggestions.json(suggestions.get(id));
    }

    /**
     * The privacy rules as the model gateway's prompt guard: {@code models.guard(policy.promptGuard())}.
     * Before the policy is attached, prompts pass unchanged.
     */
    public dev.aios.models.spi.PromptGuard promptGuard() {
        return prompt -> {
            if (attached == null) {
                return dev.aios.models.spi.PromptGuard.Guarded.unchanged(prompt.texts());
            }
            var r = redact(prompt.subject(), prompt.input(), prompt.texts(), prompt.provider(), prompt.local());
            var redacted = new java.util.ArrayList<JsonNode>();
            r.redacted()
                    .forEach(x -> redacted.add(JSON.objectNode()
                            .put("placeholder", x.placeholder())
                            .put("kind", x.kind())));
            return new dev.aios.models.spi.PromptGuard.Guarded(
                    r.texts(), t -> r.restore(t, false), t -> r.restore(t, true), redacted, r.refusal());
        };
    }

    /**
     * The policy's spend limits for the model gateway: {@code models.spendLimits(policy.spendLimits())}.
     * Read before every call, so a new policy version applies to the next one.
     */
    public dev.aios.models.spi.SpendLimits spendLimits() {
        return () -> {
            var a = attached;
            if (a == null) {
                return List.of();
            }
            var out = new java.util.ArrayList<dev.aios.models.spi.SpendLimits.Limit>();
            for (var limit : a.state().current().policy().limits()) {
                limit.spend()
                        .ifPresent(usd -> out.add(new dev.aios.models.spi.SpendLimits.Limit(
                                limit.scope().wire(),
                                limit.key(),
                                usd,
                                limit.per(),
                                "policy limit " + limit.describe())));
            }
            return out;
        };
    }

    /** The alerts (open ones, or all), newest first, as JSON. */
    public JsonNode alerts(boolean all) {
        var out = JSON.arrayNode();
        for (var a : attached().anomalies().list(all)) {
            var line = out.addObject()
                    .put("id", a.id())
                    .put("at", a.at().toString())
                    .put("scope", a.scope())
                    .put("metric", a.metric())
                    .put("value", a.value())
                    .put("baseline", a.baseline())
                    .put("text", a.text())
                    .put("status", a.status())
                    .put("notified", a.notified());
            a.runId().ifPresent(r -> line.put("run", r));
        }
        return out;
    }

    /** Reads what the kernel recorded up to now; for tests and the simulated quarter. */
    public void settle() {
        attached().observer().catchUp();
    }

    private Attached attached() {
        var a = attached;
        if (a == null) {
            throw new IllegalStateException(
                    "the policy is not attached to a kernel yet; pass it to Kernel.builder().extension");
        }
        return a;
    }

    /** The policy in force. */
    public PolicyVersion current() {
        var versions = attached().state().versions();
        return versions.getFirst();
    }

    /** Every version, newest first. */
    public List<PolicyVersion> versions() {
        return attached().state().versions();
    }

    /**
     * Makes {@code document} the policy, as a new version; it takes effect for the next step.
     *
     * @param basedOn the version the change was made on; the change is refused when the policy
     *     moved on since
     * @throws PolicyException listing the document's problems
     * @throws dev.aios.kernel.ConflictException when the policy moved on since {@code basedOn}
     */
    public PolicyVersion put(JsonNode document, int basedOn, String author, String reason) {
        Objects.requireNonNull(document, "document");
        return attached().state().change(basedOn, document, author, reason, PolicyState.Cause.change("policy.change"));
    }

    /** Makes version {@code version}'s policy the policy again, as a new version. */
    public PolicyVersion rollback(int version, String author, String reason) {
        return attached().state().rollback(version, author, reason, PolicyState.Cause.change("policy.rollback"));
    }

    /** The flags in force: per agent, its state and its states per segment. */
    public JsonNode flags() {
        var flags = current().document().path("flags");
        return flags.isObject() ? flags.deepCopy() : JSON.objectNode();
    }

    /**
     * Sets {@code agent}'s flag to {@code state} ({@code on}, {@code off} or {@code shadow}), for
     * everyone or for one segment, as a new policy version; it takes effect for the next step.
     */
    public PolicyVersion setFlag(String agent, Optional<String> segment, String state, String author) {
        var normalized = state.strip().toLowerCase(Locale.ROOT);
        if (!List.of("on", "off", "shadow").contains(normalized)) {
            throw new PolicyException("a flag is on, off or shadow, not '" + state + "'");
        }
        var now = current();
        var document = (ObjectNode) now.document().deepCopy();
        var flags = document.has("flags") && document.get("flags").isObject()
                ? (ObjectNode) document.get("flags")
                : document.putObject("flags");
        var existing = flags.get(agent);
        ObjectNode flag;
        if (existing == null) {
            flag = JSON.objectNode().put("state", "on");
        } else if (existing.isTextual()) {
            flag = JSON.objectNode().put("state", existing.asText());
        } else {
            flag = (ObjectNode) existing.deepCopy();
        }
        if (segment.isPresent()) {
            var bySegment = flag.has("segments") ? (ObjectNode) flag.get("segments") : flag.putObject("segments");
            bySegment.put(segment.get(), normalized);
        } else {
            flag.put("state", normalized);
        }
        flags.set(agent, flag);
        return attached()
                .state()
                .change(
                        now.version(),
                        document,
                        author,
                        "flag of " + agent
                                + segment.map(s -> " for segment " + s).orElse("") + " set to " + normalized,
                        new PolicyState.Cause(dev.aios.kernel.Actor.current(), "flag.change", agent));
    }

    /** The segments {@code subject} is in now. */
    public List<String> segmentsOf(String subject) {
        return attached().central().segmentsOf(subject);
    }

    /** Configures a {@link PolicyExtension}. */
    public static final class Builder {
        private JsonNode settings = JSON.objectNode();
        private Knowledge knowledge = Knowledge.NONE;
        private Notifier notifier = new WebhookNotifier();
        private Set<String> shadowEffects = Set.of();
        private Optional<String> emailAgent = Optional.empty();
        private java.util.function.Supplier<Optional<dev.aios.api.Memory>> memory = Optional::empty;

        private Builder() {}

        /**
         * Where the operator's corrections are kept as examples (with the input and the corrected
         * output), for prompt agents to recall and Java agents to read: memory, typically. Asked
         * for on each correction, so it may be attached after the policy.
         */
        public Builder memory(java.util.function.Supplier<Optional<dev.aios.api.Memory>> memory) {
            this.memory = Objects.requireNonNull(memory, "memory");
            return this;
        }

        /**
         * The {@code policy:} section of aios.yaml: the first version, and a new version whenever it
         * changes; versions made through the API stay in force until it does.
         */
        public Builder settings(JsonNode section) {
            this.settings = Objects.requireNonNull(section, "section");
            return this;
        }

        /** Where segments read the subject's knowledge record; none by default. */
        public Builder knowledge(Knowledge knowledge) {
            this.knowledge = Objects.requireNonNull(knowledge, "knowledge");
            return this;
        }

        /**
         * Delivers notifications to email channels through {@code agent} (the connectors' {@code
         * send-email}: {@code to}, {@code subject}, {@code text}), each in a run of its own, so it is
         * sent once, retried like any step, and becomes a task for the operator when no mail server
         * is configured. Without it, an email channel's notifications fail with a note saying so.
         */
        public Builder emailThrough(String agent) {
            this.emailAgent = Optional.of(agent);
            return this;
        }

        /** How reminders, delegations and alerts are delivered; webhooks by default. */
        public Builder notifier(Notifier notifier) {
            this.notifier = Objects.requireNonNull(notifier, "notifier");
            return this;
        }

        /**
         * The connectors an agent in the shadow may still use: the model providers, so that a
         * shadowed prompt agent can write its draft; none by default.
         */
        public Builder shadowEffects(Set<String> connectors) {
            this.shadowEffects = Set.copyOf(connectors);
            return this;
        }

        /**
         * Builds the extension; the policy is checked when it attaches to a kernel.
         */
        public PolicyExtension build() {
            return new PolicyExtension(this);
        }
    }
}
