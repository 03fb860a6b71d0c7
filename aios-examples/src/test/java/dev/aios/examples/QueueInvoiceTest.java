package dev.aios.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.examples.QueueInvoice.InvoiceRequest;
import dev.aios.examples.QueueInvoice.LineItem;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class QueueInvoiceTest {

    static final InvoiceRequest REQUEST = new InvoiceRequest(
            "acme",
            "Acme",
            "ada@acme.test",
            "PRJ-0123456789",
            Plan.STANDARD,
            3995,
            "USD",
            "brand refresh and landing page");

    final QueueInvoice agent = new QueueInvoice();

    @Test
    void theInvoiceBillsOneMonthOfThePlanDueInTwoWeeks() {
        var invoice = agent.run(REQUEST, StepContext.of("r-1", "invoice"));

        assertThat(invoice.invoiceNumber()).matches("INV-[0-9A-F]{10}");
        assertThat(invoice.projectId()).isEqualTo("PRJ-0123456789");
        assertThat(invoice.billTo()).isEqualTo("Acme");
        assertThat(invoice.email()).isEqualTo("ada@acme.test");
        assertThat(invoice.lineItems())
                .containsExactly(new LineItem(
                        "Standard design subscription, March 2026: brand refresh and landing page", 1, 3995, 3995));
        assertThat(invoice.amount()).isEqualTo(3995);
        assertThat(invoice.currency()).isEqualTo("USD");
        assertThat(invoice.issuedOn()).isEqualTo(LocalDate.of(2026, 3, 2));
        assertThat(invoice.dueOn()).isEqualTo(LocalDate.of(2026, 3, 16));
    }

    @Test
    void theInvoiceNumberComesFromTheIdempotencyKeySoARetryDoesNotBillTwice() {
        var first = agent.run(REQUEST, StepContext.of("r-1", "invoice"));
        var retry = agent.run(REQUEST, StepContext.of("r-1", "invoice").withAttempt(2));
        var nextMonth = agent.run(REQUEST, StepContext.of("r-1", "invoice").withIteration(1));

        assertThat(retry.invoiceNumber()).isEqualTo(first.invoiceNumber());
        assertThat(nextMonth.invoiceNumber()).isNotEqualTo(first.invoiceNumber());
    }
}
