package dev.aios.kernel.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * CEL for extensions, in the kernel's dialect (the same macros, extensions and JSON values as in
 * playbooks) over variables the extension names, e.g. {@code body} and {@code headers} for the
 * mapping of a webhook. Thread-safe; compiled expressions are cached by source.
 */
public interface Expressions {

    /**
     * Compiles {@code source}.
     *
     * @throws IllegalArgumentException saying what is wrong and where, and which names exist
     */
    Compiled compile(String source);

    /** A compiled expression. Immutable and thread-safe. */
    interface Compiled {

        /** The CEL source. */
        String source();

        /**
         * The value over {@code vars}, as JSON.
         *
         * @throws IllegalArgumentException when it cannot be evaluated over these values, saying why
         */
        JsonNode eval(Map<String, JsonNode> vars);

        /**
         * A condition over {@code vars}.
         *
         * @throws IllegalArgumentException when it cannot be evaluated or does not yield a bool
         */
        boolean test(Map<String, JsonNode> vars);
    }
}
