package dev.aios.examples;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Builds the invoice for an accepted delivery: one month of the project's plan, due in 14 days. The
 * invoice number comes from the step's idempotency key, so running the step again queues the same
 * invoice rather than billing the client twice.
 */
public final class QueueInvoice implements Agent<QueueInvoice.InvoiceRequest, QueueInvoice.Invoice> {

    /** How long the client has to pay. */
    public static final Duration PAYMENT_TERMS = Duration.ofDays(14);

    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("MMMM yyyy", Locale.US);

    /**
     * What to bill.
     *
     * @param client the run's subject
     * @param company the client's company, empty if not given
     * @param email where the invoice goes
     * @param projectId the project billed
     * @param plan the project's plan
     * @param monthlyPrice the agreed price per month
     * @param currency the price's currency
     * @param scope what was designed
     */
    public record InvoiceRequest(
            String client,
            String company,
            String email,
            String projectId,
            Plan plan,
            int monthlyPrice,
            String currency,
            String scope) {}

    /**
     * One line of an invoice.
     *
     * @param description what is billed
     * @param quantity how many
     * @param unitPrice the price of one
     * @param amount quantity times unit price
     */
    public record LineItem(String description, int quantity, int unitPrice, int amount) {}

    /**
     * An invoice ready to send.
     *
     * @param invoiceNumber the invoice's number, the same however often the step runs
     * @param projectId the project billed
     * @param billTo who pays: the company, or the client when no company was given
     * @param email where the invoice goes
     * @param lineItems what is billed
     * @param amount the total
     * @param currency the total's currency
     * @param issuedOn the day it was issued (UTC)
     * @param dueOn the day payment is due
     */
    public record Invoice(
            String invoiceNumber,
            String projectId,
            String billTo,
            String email,
            List<LineItem> lineItems,
            int amount,
            String currency,
            LocalDate issuedOn,
            LocalDate dueOn) {}

    private static final Contract<InvoiceRequest, Invoice> CONTRACT = Contract.of(
                    "queue-invoice", "1.0.0", InvoiceRequest.class, Invoice.class)
            .withDescription("Builds the month's invoice for a delivered project, due in 14 days.")
            .withPreconditions("input.monthlyPrice > 0")
            .withEffects("invoices")
            .withTimeout(Duration.ofSeconds(5));

    @Override
    public Contract<InvoiceRequest, Invoice> contract() {
        return CONTRACT;
    }

    @Override
    public Invoice run(InvoiceRequest request, AgentContext context) {
        var now = context.now();
        var issuedOn = LocalDate.ofInstant(now, ZoneOffset.UTC);
        var dueOn = LocalDate.ofInstant(now.plus(PAYMENT_TERMS), ZoneOffset.UTC);
        var plan = request.plan().label();
        var description = Character.toUpperCase(plan.charAt(0)) + plan.substring(1) + " design subscription, "
                + MONTH.format(issuedOn) + ": " + request.scope();
        var line = new LineItem(description, 1, request.monthlyPrice(), request.monthlyPrice());
        return new Invoice(
                ReferenceNumbers.derive("INV", context.idempotencyKey()),
                request.projectId(),
                request.company().isBlank()
                        ? request.client()
                        : request.company().strip(),
                request.email(),
                List.of(line),
                line.amount(),
                request.currency(),
                issuedOn,
                dueOn);
    }
}
