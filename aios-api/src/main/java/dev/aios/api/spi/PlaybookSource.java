package dev.aios.api.spi;

import java.util.List;
import java.util.Objects;

/**
 * A bundle of YAML playbooks shipped inside a jar, found with {@link java.util.ServiceLoader}.
 * Register an implementation in {@code META-INF/services/dev.aios.api.spi.PlaybookSource}.
 */
public interface PlaybookSource {

    /**
     * One playbook's text.
     *
     * @param origin where it comes from, shown in errors, e.g. {@code classpath:playbooks/x.yaml}
     * @param yaml the YAML text
     */
    record Text(String origin, String yaml) {
        public Text {
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(yaml, "yaml");
        }
    }

    /** The playbooks of this bundle. */
    List<Text> playbooks();
}
