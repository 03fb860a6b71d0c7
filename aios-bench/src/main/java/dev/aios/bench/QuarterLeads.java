package dev.aios.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.examples.Plan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The quarter's world: the leads that reach the design studio (three segments, the real plans and
 * prices of {@link Plan}, mostly complete, a few without a budget, a few that are not design work),
 * the scripted model's drafts of the proposal email with its own error pattern, the operator's
 * correction of a wrong price, and how long each client takes to accept a delivery.
 */
final class QuarterLeads {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final List<String> NEEDS =
            List.of("brand refresh", "landing page", "pitch deck", "app screens", "packaging", "website redesign");

    private QuarterLeads() {}

    /** What the model does with one lead's proposal. */
    enum Draft {
        /** The offer as the project says. */
        GOOD,
        /** An unsure draft of the priority plan that quotes the standard plan's price. */
        WRONG_PRICE,
        /** A draft that offers 40% off, which the policy blocks. */
        BIG_DISCOUNT
    }

    /**
     * One lead and what the simulation knows about it.
     *
     * @param index its number in the quarter
     * @param subject the client, unique per lead
     * @param data the {@code lead.received} event's data
     * @param plan the plan the studio will offer
     * @param draft what the model will write
     * @param confidence the confidence the model states
     * @param reviewDays how long after the delivery the client accepts it
     * @param month the month (0-2) the lead arrived in
     */
    record Lead(
            int index,
            String subject,
            ObjectNode data,
            Plan plan,
            Draft draft,
            double confidence,
            int reviewDays,
            int month) {

        /** Whether qualify-lead will offer a proposal (a lead for design work). */
        boolean designWork() {
            return data.path("budget").asInt() == 0 || data.path("budget").asInt() >= Plan.STARTER.monthlyPrice();
        }
    }

    /**
     * The {@code index}th lead: a key account (a quarter), a returning client (a third) or a new
     * client; one in 16 gives no budget (qualify-lead is then unsure and asks the operator), one in
     * 20 asks for bookkeeping on a small budget (declined). Its knowledge record goes into {@code records}.
     */
    static Lead lead(int index, int month, Random random, Map<String, JsonNode> records) {
        double roll = random.nextDouble();
        String subject;
        if (roll < 0.25) {
            subject = "key-" + random.nextInt(12) + "-" + index;
            records.put(
                    "customer/" + subject, JSON.objectNode().put("tier", "key").put("projects", 5));
        } else if (roll < 0.6) {
            subject = "client-" + random.nextInt(40) + "-" + index;
            records.put("customer/" + subject, JSON.objectNode().put("projects", 2));
        } else {
            subject = "new-" + index;
        }
        var plans = List.of(Plan.STARTER, Plan.STANDARD, Plan.STANDARD, Plan.PRIORITY);
        var plan = plans.get(random.nextInt(plans.size()));
        double kind = random.nextDouble();
        int budget = plan.monthlyPrice() + 500 * random.nextInt(3);
        var need = NEEDS.get(random.nextInt(NEEDS.size()));
        if (kind < 1.0 / 16) {
            budget = 0;
        } else if (kind < 1.0 / 16 + 1.0 / 20) {
            budget = 800;
            need = "bookkeeping";
        }
        var data = JSON.objectNode()
                .put("name", "Contact " + index)
                .put("company", "Company " + subject)
                .put("email", "contact" + index + "@" + subject + ".test")
                .put("budget", budget)
                .put("need", need)
                .put("plan", budget == 800 ? "" : plan.label());
        var draft = draft(plan, random);
        double confidence =
                switch (draft) {
                    case GOOD -> 0.82 + 0.15 * random.nextDouble();
                    case WRONG_PRICE -> 0.6 + 0.18 * random.nextDouble();
                    case BIG_DISCOUNT -> 0.55 + 0.4 * random.nextDouble();
                };
        int reviewDays = random.nextDouble() < 0.2 ? 6 + random.nextInt(3) : 1 + random.nextInt(3);
        return new Lead(index, subject, data, plan, draft, Math.round(confidence * 100) / 100.0, reviewDays, month);
    }

    /** The model's error pattern: half of the priority drafts quote the standard price; one in 12 offers 40% off. */
    private static Draft draft(Plan plan, Random random) {
        if (random.nextDouble() < 1.0 / 12) {
            return Draft.BIG_DISCOUNT;
        }
        if (plan == Plan.PRIORITY && random.nextDouble() < 0.5) {
            return Draft.WRONG_PRICE;
        }
        return Draft.GOOD;
    }

    /** The model's answer to the draft-proposal prompt for {@code lead}. */
    static ObjectNode answer(Lead lead) {
        int price = lead.draft() == Draft.WRONG_PRICE
                ? Plan.STANDARD.monthlyPrice()
                : lead.plan().monthlyPrice();
        var data = lead.data();
        var body = "Hi " + data.path("name").asText() + ",\n\nthank you for telling me about "
                + data.path("need").asText() + ". I propose the " + lead.plan().label() + " plan at " + price
                + " USD a month"
                + (lead.draft() == Draft.BIG_DISCOUNT ? ", with 40% off the first three months" : "")
                + ". Reply to confirm and the first sprint starts right away.\n\nBest regards";
        return JSON.objectNode()
                .put("to", data.path("email").asText())
                .put("subject", "Your " + lead.plan().label() + " design subscription")
                .put("body", body)
                .put("confidence", lead.confidence());
    }

    /** The operator's correction: the plan's price, the same way every time. */
    static JsonNode fixed(JsonNode proposed, Lead lead) {
        var out = (ObjectNode) proposed.deepCopy();
        out.put(
                "body",
                out.path("body")
                        .asText()
                        .replaceAll("at \\d+ USD", "at " + lead.plan().monthlyPrice() + " USD"));
        return out;
    }

    /** How long after reaching the delivery the client accepts it. */
    static Duration review(Lead lead) {
        return Duration.ofDays(lead.reviewDays()).plusHours(lead.index() % 9);
    }
}
