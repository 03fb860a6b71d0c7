package dev.aios.connectors.internal;

import java.util.Optional;

/** Named secrets: looked up when used, so a secret set while aios runs takes effect at once. */
@FunctionalInterface
public interface Secrets {

    /** The value of the secret called {@code name}, if it is set. */
    Optional<String> value(String name);

    /** The value, or an error saying how to set it. */
    default String require(String name, String usedBy) {
        return value(name)
                .orElseThrow(() -> new MissingSecret("secret '" + name + "' used by " + usedBy
                        + " is not set; set it with 'aios secret set " + name
                        + "' or the environment variable " + name));
    }

    /** A secret that is referred to but not set. */
    final class MissingSecret extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public MissingSecret(String message) {
            super(message);
        }
    }
}
