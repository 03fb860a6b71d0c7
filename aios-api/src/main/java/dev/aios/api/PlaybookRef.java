package dev.aios.api;

import java.util.Objects;

/**
 * A playbook at one version.
 *
 * @param name the playbook's name
 * @param version its content hash
 */
public record PlaybookRef(String name, String version) {
    public PlaybookRef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
    }

    @Override
    public String toString() {
        return name + "@" + version;
    }
}
