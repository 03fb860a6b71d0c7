package dev.aios.kernel.internal.access;

import dev.aios.kernel.Actor;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Secrets;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.MasterKey;
import dev.aios.kernel.internal.store.Store;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Named secrets in the {@code secrets} table, each wrapped by the master key and bound to its name. */
public final class SecretStore implements Secrets {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final int MAX_VALUE_BYTES = 64 * 1024;

    private final Store store;
    private final MasterKey master;
    private final AuditTrail audit;
    private final InstantSource clock;

    public SecretStore(Store store, MasterKey master, AuditTrail audit, InstantSource clock) {
        this.store = store;
        this.master = master;
        this.audit = audit;
        this.clock = clock;
    }

    /** Stores {@code value} under {@code name}, recorded in the audit log in the same transaction. */
    @Override
    public void put(String name, String value) {
        check(name);
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException("secret '" + name + "' needs a value; delete it instead to remove it");
        }
        var bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_VALUE_BYTES) {
            throw new InvalidInputException(
                    "secret '" + name + "' is " + bytes.length + " bytes; the limit is " + MAX_VALUE_BYTES);
        }
        var wrapped = master.wrap(bytes, purpose(name));
        var actor = Actor.current();
        store.write(tx -> {
            tx.secrets().put(name, wrapped, clock.instant());
            audit.append(tx, actor, "secret.put", name, Json.object());
            return null;
        });
    }

    /** The value stored under {@code name}. */
    @Override
    public Optional<String> get(String name) {
        check(name);
        return store.read(tx -> tx.secrets().get(name))
                .map(wrapped -> new String(master.unwrap(wrapped, purpose(name)), StandardCharsets.UTF_8));
    }

    /** Deletes the secret; whether there was one. */
    @Override
    public boolean delete(String name) {
        check(name);
        var actor = Actor.current();
        return store.write(tx -> {
            boolean deleted = tx.secrets().delete(name);
            if (deleted) {
                audit.append(tx, actor, "secret.delete", name, Json.object());
            }
            return deleted;
        });
    }

    /** The names, sorted. */
    @Override
    public List<String> names() {
        return store.read(tx -> tx.secrets().names());
    }

    private static String purpose(String name) {
        return "secret:" + name;
    }

    private static void check(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException("a secret's name is 1 to 128 letters, digits, '.', '_' or '-',"
                    + " e.g. connector.mail.password; was '" + name + "'");
        }
    }
}
