package dev.aios.examples;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The studio's subscription plans, cheapest first. Prices are whole US dollars per month; each plan
 * has the length of its design sprint and the plan a client outgrows it into.
 */
public enum Plan {
    /** One request at a time, delivered in five days. */
    @JsonProperty("starter")
    STARTER(1_995, Duration.ofDays(5)),
    /** One request at a time, delivered in three days. */
    @JsonProperty("standard")
    STANDARD(3_995, Duration.ofHours(72)),
    /** Two requests at a time, delivered in two days. */
    @JsonProperty("priority")
    PRIORITY(6_995, Duration.ofHours(48));

    /** The currency of every price. */
    public static final String CURRENCY = "USD";

    private final int monthlyPrice;
    private final Duration sprintLength;

    Plan(int monthlyPrice, Duration sprintLength) {
        this.monthlyPrice = monthlyPrice;
        this.sprintLength = sprintLength;
    }

    /** The price per month in whole {@link #CURRENCY}. */
    public int monthlyPrice() {
        return monthlyPrice;
    }

    /** How long a design sprint on this plan takes unless the client asks otherwise. */
    public Duration sprintLength() {
        return sprintLength;
    }

    /** The next plan up, or empty for the top plan. */
    public Optional<Plan> upgrade() {
        return ordinal() + 1 < values().length ? Optional.of(values()[ordinal() + 1]) : Optional.empty();
    }

    /** The name as written in events and playbooks, e.g. {@code standard}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The price as the operator reads it, e.g. {@code $3,995/month}. */
    public String price() {
        return dollars(monthlyPrice) + "/month";
    }

    /** The plan called {@code label} (any case, surrounding blanks ignored), if there is one. */
    public static Optional<Plan> named(String label) {
        var wanted = label.strip();
        return Arrays.stream(values())
                .filter(plan -> plan.label().equalsIgnoreCase(wanted))
                .findFirst();
    }

    /** An amount as the operator reads it, e.g. {@code $3,995}. */
    static String dollars(int amount) {
        return String.format(Locale.US, "$%,d", amount);
    }
}
