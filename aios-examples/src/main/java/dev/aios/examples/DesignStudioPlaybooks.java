package dev.aios.examples;

import dev.aios.api.spi.PlaybookSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The design studio's playbooks, bundled in this jar and found by the kernel's {@code
 * discoverPlaybooks()}. A playbook of the same name in the operator's playbook directory replaces
 * the bundled one.
 */
public final class DesignStudioPlaybooks implements PlaybookSource {

    /** The class path location of the {@code design-subscription} playbook. */
    public static final String DESIGN_SUBSCRIPTION = "playbooks/design-subscription.yaml";

    @Override
    public List<Text> playbooks() {
        return List.of(read(DESIGN_SUBSCRIPTION));
    }

    private static Text read(String path) {
        try (var in = DesignStudioPlaybooks.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path
                        + " is missing from the aios-examples jar; rebuild it with 'mvn install -pl aios-examples'");
            }
            return new Text("classpath:" + path, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " from the aios-examples jar", e);
        }
    }
}
