package dev.aios.policy.spi;

/**
 * Delivers notifications (reminders, delegations, alerts) through a connector: webhooks by default;
 * email channels through an email agent when the policy is built with one ({@code emailThrough}).
 */
@FunctionalInterface
public interface Notifier {

    /**
     * Delivers {@code notification}.
     *
     * @return what the receiver answered, for the record (e.g. {@code HTTP 200})
     * @throws RuntimeException saying why it could not be delivered
     */
    String send(Notification notification);
}
