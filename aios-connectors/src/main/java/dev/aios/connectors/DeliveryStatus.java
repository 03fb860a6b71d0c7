package dev.aios.connectors;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.aios.kernel.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where an outgoing webhook delivery stands. */
public enum DeliveryStatus {
    /** Still to be sent: not tried yet, or waiting for its next attempt. */
    PENDING("pending"),
    /** Answered 2xx. */
    DELIVERED("delivered"),
    /** No attempts left; in the operator's inbox to send again or drop. */
    FAILED("failed"),
    /** Failed, and the operator chose not to send it again. */
    DROPPED("dropped");

    private final String wire;

    DeliveryStatus(String wire) {
        this.wire = wire;
    }

    /** The status's name in the API, on the command line and in the database. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /**
     * The status named {@code wire}.
     *
     * @throws InvalidInputException listing the names when there is none of that name
     */
    public static DeliveryStatus fromWire(String wire) {
        var name = wire == null ? "" : wire.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(status -> status.wire.equals(name))
                .findFirst()
                .orElseThrow(() -> new InvalidInputException("a delivery's status is "
                        + Arrays.stream(values()).map(DeliveryStatus::wire).collect(Collectors.joining(", "))
                        + "; was '" + wire + "'"));
    }
}
