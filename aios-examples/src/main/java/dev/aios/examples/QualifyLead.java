package dev.aios.examples;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Memory;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Scores a lead against the studio's ideal client: a budget that covers a plan, design work the
 * studio sells (brand, logo, landing page, website, app, …), a company and a reachable contact.
 * Deterministic: the same lead always gets the same score, plan and reasons.
 *
 * <p>The score (0-100) says how well the lead fits; the confidence (0-1) says how much the score
 * can be trusted. Confidence is the share of the evidence the lead gave (budget 0.4, need, company
 * and email 0.2 each), less 0.3 for each contradiction, such as asking for a plan the budget does
 * not cover. The playbook sends a low-confidence result to the operator for review.
 */
public final class QualifyLead implements Agent<QualifyLead.Lead, QualifyLead.Qualification> {

    /**
     * A lead as the intake form sent it; a field the lead left out is empty (or 0 for the budget).
     *
     * @param client who the lead is about: the run's subject, e.g. {@code acme}
     * @param name the contact's name
     * @param email the contact's email
     * @param company the client's company
     * @param budget what the client can spend per month, in whole US dollars; 0 when not given
     * @param need what the client wants designed, in their words
     * @param plan the plan the client asked for, e.g. {@code standard}
     */
    public record Lead(
            String client, String name, String email, String company, int budget, String need, String plan) {}

    /**
     * How well a lead fits, and what to offer.
     *
     * @param score fit with the ideal client, 0 (none) to 100
     * @param confidence how far the score can be trusted, 0 to 1: low when the lead is thin or
     *     contradicts itself
     * @param plan the plan to offer
     * @param monthlyPrice that plan's price per month
     * @param currency the price's currency
     * @param reasons why, one short line each, for the operator
     * @param history what the client's account manager ({@link ClientAccount}) knows about the client
     *     from earlier projects; empty for a new client
     */
    public record Qualification(
            int score,
            double confidence,
            Plan plan,
            int monthlyPrice,
            String currency,
            List<String> reasons,
            String history) {}

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}");

    /** Words in a need, and the kind of work the studio sells that they ask for. */
    private static final Map<String, String> WORK = Map.ofEntries(
            Map.entry("brand", "brand"),
            Map.entry("branding", "brand"),
            Map.entry("rebrand", "brand"),
            Map.entry("identity", "brand"),
            Map.entry("logo", "logo"),
            Map.entry("logos", "logo"),
            Map.entry("landing", "landing page"),
            Map.entry("website", "website"),
            Map.entry("websites", "website"),
            Map.entry("site", "website"),
            Map.entry("web", "website"),
            Map.entry("app", "app"),
            Map.entry("apps", "app"),
            Map.entry("mobile", "app"),
            Map.entry("dashboard", "app"),
            Map.entry("ui", "UI/UX"),
            Map.entry("ux", "UI/UX"),
            Map.entry("packaging", "packaging"),
            Map.entry("deck", "pitch deck"),
            Map.entry("illustration", "illustration"),
            Map.entry("illustrations", "illustration"),
            Map.entry("icons", "illustration"));

    private static final Contract<Lead, Qualification> CONTRACT = Contract.of(
                    "qualify-lead", "1.0.0", Lead.class, Qualification.class)
            .withDescription("Scores a lead against the studio's ideal client profile and recommends a plan.")
            .withPreconditions("input.budget >= 0")
            .withTimeout(Duration.ofSeconds(5));

    @Override
    public Contract<Lead, Qualification> contract() {
        return CONTRACT;
    }

    @Override
    public Qualification run(Lead lead, AgentContext context) {
        var qualification = qualify(lead);
        var withMemory = context.memory()
                .map(memory -> remembered(lead, qualification, memory))
                .orElse(qualification);
        return consulted(lead, withMemory, context);
    }

    /** Consults the client's account manager: a returning client's history joins the reasons. */
    static Qualification consulted(Lead lead, Qualification qualification, AgentContext context) {
        var history = context.instances()
                .state("client-account", lead.client())
                .map(ClientAccount::summary)
                .orElse("");
        if (history.isEmpty()) {
            return qualification;
        }
        var reasons = new ArrayList<>(qualification.reasons());
        reasons.add("returning client: " + history);
        return new Qualification(
                qualification.score(),
                qualification.confidence(),
                qualification.plan(),
                qualification.monthlyPrice(),
                qualification.currency(),
                List.copyOf(reasons),
                history);
    }

    /**
     * With memory: adds the most similar past projects of other clients and how they ended to the
     * reasons (the score stays the lead's own), and remembers this lead for the leads to come.
     */
    static Qualification remembered(Lead lead, Qualification qualification, Memory memory) {
        var reasons = new ArrayList<>(qualification.reasons());
        var need = lead.need().strip();
        if (!need.isEmpty()) {
            var query = MemoryQuery.of(need).withKinds(MemoryKind.NOTE).withK(5);
            memory.recall(query).items().stream()
                    .filter(hit -> hit.metadata().path("about").asText().equals("project"))
                    .filter(hit -> !hit.subject().equals(lead.client()))
                    .filter(hit -> hit.why().relevance() >= 0.4)
                    .limit(2)
                    .forEach(hit -> reasons.add("like a past project: " + hit.text()));
        }
        var note = "Lead from "
                + (lead.company().isBlank() ? lead.client() : lead.company().strip()) + ": "
                + (need.isEmpty() ? "no need given" : need) + "; budget "
                + (lead.budget() > 0 ? Plan.dollars(lead.budget()) + "/month" : "not given") + "; scored "
                + qualification.score() + ", offered " + qualification.plan().label() + ".";
        var metadata = JsonNodeFactory.instance
                .objectNode()
                .put("about", "lead")
                .put("score", qualification.score())
                .put("plan", qualification.plan().label());
        memory.remember(Remember.of(MemoryKind.NOTE, lead.client(), note).withMetadata(metadata));
        return new Qualification(
                qualification.score(),
                qualification.confidence(),
                qualification.plan(),
                qualification.monthlyPrice(),
                qualification.currency(),
                List.copyOf(reasons),
                qualification.history());
    }

    /** Scores {@code lead}; the same lead always gives the same result. */
    public static Qualification qualify(Lead lead) {
        var reasons = new ArrayList<String>();
        int score = 0;
        // Evidence and penalties in hundredths, so that confidence is an exact two-decimal number.
        int evidence = 0;
        int contradictions = 0;

        int budget = lead.budget();
        if (budget <= 0) {
            score += 10;
            reasons.add("no budget given");
        } else {
            evidence += 40;
            score += budgetPoints(budget);
            reasons.add(budgetReason(budget));
        }

        var need = lead.need().strip();
        if (need.isEmpty()) {
            reasons.add("no need described");
        } else {
            evidence += 20;
            var work = work(need);
            score += Math.min(30, 10 * work.size());
            reasons.add(
                    work.isEmpty()
                            ? "'" + need + "' is not design work the studio sells"
                            : "asks for " + String.join(", ", work) + " work");
        }

        if (lead.company().isBlank()) {
            reasons.add("no company given");
        } else {
            evidence += 20;
            score += 15;
            reasons.add("company: " + lead.company().strip());
        }

        var email = lead.email().strip();
        if (EMAIL.matcher(email).matches()) {
            evidence += 20;
            score += 15;
            reasons.add("contact: " + email);
        } else {
            reasons.add(email.isEmpty() ? "no email given" : "'" + email + "' is not a usable email");
        }

        var asked = lead.plan().strip();
        var requested = Plan.named(asked);
        if (!asked.isEmpty() && requested.isEmpty()) {
            contradictions++;
            reasons.add("asked for a plan the studio does not sell: '" + asked + "'");
        }
        if (requested.isPresent() && budget > 0 && requested.get().monthlyPrice() > budget) {
            contradictions++;
            reasons.add("asked for " + requested.get().label() + " ("
                    + requested.get().price() + ") but the budget is " + Plan.dollars(budget) + "/month");
        }

        var plan = recommend(requested, budget, reasons);
        double confidence = Math.max(0, evidence - 30 * contradictions) / 100.0;
        return new Qualification(
                Math.min(100, score), confidence, plan, plan.monthlyPrice(), Plan.CURRENCY, List.copyOf(reasons), "");
    }

    private static int budgetPoints(int budget) {
        if (budget >= Plan.PRIORITY.monthlyPrice()) {
            return 40;
        }
        if (budget >= Plan.STANDARD.monthlyPrice()) {
            return 35;
        }
        if (budget >= Plan.STARTER.monthlyPrice()) {
            return 25;
        }
        return 0;
    }

    private static String budgetReason(int budget) {
        var perMonth = Plan.dollars(budget) + "/month";
        if (budget < Plan.STARTER.monthlyPrice()) {
            return "budget " + perMonth + " is below the starter plan (" + Plan.STARTER.price() + ")";
        }
        return "budget " + perMonth + " covers the " + affordable(budget).label() + " plan";
    }

    /** The kinds of work the need asks for, in the order first mentioned. */
    private static List<String> work(String need) {
        var kinds = new LinkedHashSet<String>();
        Arrays.stream(need.toLowerCase(Locale.ROOT).split("[^a-z]+"))
                .map(WORK::get)
                .filter(Objects::nonNull)
                .forEach(kinds::add);
        return List.copyOf(kinds);
    }

    private static Plan recommend(Optional<Plan> requested, int budget, List<String> reasons) {
        if (requested.isPresent() && (budget <= 0 || requested.get().monthlyPrice() <= budget)) {
            reasons.add("offer " + requested.get().label() + ", as asked");
            return requested.get();
        }
        if (budget >= Plan.STARTER.monthlyPrice()) {
            var plan = affordable(budget);
            reasons.add("offer " + plan.label() + ", the largest plan the budget covers");
            return plan;
        }
        if (budget > 0) {
            reasons.add("offer starter, the smallest plan, if the budget can stretch");
            return Plan.STARTER;
        }
        reasons.add("offer starter until the budget is known");
        return Plan.STARTER;
    }

    /** The largest plan {@code budget} covers, or starter when it covers none. */
    private static Plan affordable(int budget) {
        var plan = Plan.STARTER;
        for (var candidate : Plan.values()) {
            if (candidate.monthlyPrice() <= budget) {
                plan = candidate;
            }
        }
        return plan;
    }
}
