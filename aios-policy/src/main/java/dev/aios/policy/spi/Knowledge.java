package dev.aios.policy.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The knowledge records segments are judged on, by id (e.g. {@code customer/acme}): the memory
 * module's knowledge tier, typically.
 */
@FunctionalInterface
public interface Knowledge {

    /** The latest content of record {@code id}, if there is one. */
    Optional<JsonNode> record(String id);

    /** No knowledge: every subject is judged on an empty record. */
    Knowledge NONE = id -> Optional.empty();
}
