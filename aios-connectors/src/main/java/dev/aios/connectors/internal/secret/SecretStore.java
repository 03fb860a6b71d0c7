package dev.aios.connectors.internal.secret;

import dev.aios.connectors.SecretView;
import dev.aios.connectors.internal.Secrets;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.spi.Storage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Named secrets: those set with {@code aios secret set NAME}, sealed in the database, and otherwise
 * environment variables of the same name. Looked up when used, so a secret set while aios runs
 * takes effect at once. Values are never logged nor journaled; only names travel.
 */
public final class SecretStore implements Secrets {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");
    /** The longest value kept: a key, a token or a certificate, not a file. */
    static final int MAX_VALUE_BYTES = 64 * 1024;

    private final Storage storage;
    private final SecretSeal seal;
    private final Secrets environment;
    private final InstantSource clock;

    public SecretStore(Storage storage, SecretSeal seal, Secrets environment, InstantSource clock) {
        this.storage = storage;
        this.seal = seal;
        this.environment = environment;
        this.clock = clock;
    }

    @Override
    public Optional<String> value(String name) {
        var sealed = storage.read(c -> {
            try (var query = c.prepareStatement("SELECT sealed FROM connector_secrets WHERE name = ?")) {
                query.setString(1, name);
                try (var rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getBytes(1)) : Optional.<byte[]>empty();
                }
            }
        });
        if (sealed.isPresent()) {
            return Optional.of(new String(seal.open(sealed.get()), StandardCharsets.UTF_8));
        }
        return environment.value(name);
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
        var plain = value.getBytes(StandardCharsets.UTF_8);
        if (plain.length > MAX_VALUE_BYTES) {
            throw new InvalidInputException(
                    "secret '" + name + "' is " + plain.length + " bytes; a secret holds at most " + MAX_VALUE_BYTES);
        }
        var sealed = seal.seal(plain);
        var now = clock.instant().toEpochMilli();
        storage.write(c -> {
            try (var upsert = c.prepareStatement(
                    "INSERT INTO connector_secrets (name, sealed, updated_at) VALUES (?, ?, ?)"
                            + " ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at")) {
                upsert.setString(1, name);
                upsert.setBytes(2, sealed);
                upsert.setLong(3, now);
                return upsert.executeUpdate();
            }
        });
    }

    /**
     * Deletes a stored secret (an environment variable of that name, if any, applies again).
     *
     * @throws NotFoundException when no secret of that name is stored
     */
    public void delete(String name) {
        checkName(name);
        int deleted = storage.write(c -> {
            try (var delete = c.prepareStatement("DELETE FROM connector_secrets WHERE name = ?")) {
                delete.setString(1, name);
                return delete.executeUpdate();
            }
        });
        if (deleted == 0) {
            throw new NotFoundException("no secret '" + name + "' is stored; aios secret list shows the secrets");
        }
    }

    /** The stored secrets, then the secrets {@code used} names that come from the environment. */
    public List<SecretView> list(List<String> used) {
        var views = new ArrayList<SecretView>();
        var stored = new java.util.TreeSet<String>();
        storage.read(c -> {
            try (var query = c.prepareStatement("SELECT name, updated_at FROM connector_secrets ORDER BY name");
                    var rows = query.executeQuery()) {
                while (rows.next()) {
                    stored.add(rows.getString(1));
                    views.add(new SecretView(
                            rows.getString(1), "stored", Optional.of(Instant.ofEpochMilli(rows.getLong(2)))));
                }
            }
            return null;
        });
        new java.util.TreeSet<>(used)
                .stream()
                        .filter(name -> !stored.contains(name))
                        .forEach(name -> views.add(new SecretView(
                                name,
                                environment.value(name).isPresent() ? "environment" : "not set",
                                Optional.empty())));
        return List.copyOf(views);
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException("secret name '" + name
                    + "' must be letters, digits and underscores, starting with a letter, e.g. STRIPE_API_KEY");
        }
    }
}
