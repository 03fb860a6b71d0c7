package dev.aios.connectors.internal.secret;

import dev.aios.connectors.SecretView;
import dev.aios.connectors.internal.Secrets;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Named secrets: those set with {@code aios secret set NAME}, kept in the kernel's secrets (encrypted
 * under the master key, which lives outside the database; every change in the audit log), and
 * otherwise environment variables of the same name. Looked up when used, so a secret set while aios
 * runs takes effect at once. Values are never logged nor journaled; only names travel.
 */
public final class SecretStore implements Secrets {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");
    /** The longest value kept: a key, a token or a certificate, not a file. */
    static final int MAX_VALUE_BYTES = 64 * 1024;
    /** Where the connectors' secrets live among the kernel's, apart from those of other parts. */
    static final String PREFIX = "connector.";

    private final dev.aios.kernel.Secrets kept;
    private final Secrets environment;

    public SecretStore(dev.aios.kernel.Secrets kept, Secrets environment) {
        this.kept = kept;
        this.environment = environment;
    }

    @Override
    public Optional<String> value(String name) {
        if (!NAME.matcher(name).matches()) {
            return environment.value(name);
        }
        return kept.get(PREFIX + name).or(() -> environment.value(name));
    }

    /**
     * Sets a secret.
     *
     * @throws InvalidInputException for a name that is not a valid name or an empty or huge value
     */
    public void set(String name, String value) {
        checkName(name);
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException("secret '" + name + "' needs a value; to remove it use aios secret delete");
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_VALUE_BYTES) {
            throw new InvalidInputException(
                    "secret '" + name + "' is " + bytes + " bytes; a secret holds at most " + MAX_VALUE_BYTES);
        }
        kept.put(PREFIX + name, value);
    }

    /**
     * Deletes a stored secret (an environment variable of that name, if any, applies again).
     *
     * @throws NotFoundException when no secret of that name is stored
     */
    public void delete(String name) {
        checkName(name);
        if (!kept.delete(PREFIX + name)) {
            throw new NotFoundException("no secret '" + name + "' is stored; aios secret list shows the secrets");
        }
    }

    /** The stored secrets, then the secrets {@code used} names that come from the environment. */
    public List<SecretView> list(List<String> used) {
        var views = new ArrayList<SecretView>();
        var stored = new TreeSet<String>();
        for (var name : kept.names()) {
            if (name.startsWith(PREFIX)) {
                stored.add(name.substring(PREFIX.length()));
            }
        }
        stored.forEach(name -> views.add(new SecretView(name, "stored")));
        new TreeSet<>(used)
                .stream()
                        .filter(name -> !stored.contains(name))
                        .forEach(name -> views.add(
                                new SecretView(name, environment.value(name).isPresent() ? "environment" : "not set")));
        return List.copyOf(views);
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException("secret name '" + name
                    + "' must be letters, digits and underscores, starting with a letter, e.g. STRIPE_API_KEY");
        }
    }
}
