package dev.aios.connectors.internal.mail;

import dev.aios.kernel.spi.Storage;
import java.util.Optional;

/** Where the mail connector stands in each folder: the SQL of IMAP positions, in one place. */
final class ImapPositions {
    /** A folder's position: the highest UID read while the folder had this UIDVALIDITY. */
    record Position(long uidValidity, long lastUid) {}

    private final Storage storage;

    ImapPositions(Storage storage) {
        this.storage = storage;
    }

    Optional<Position> of(String account, String folder) {
        return storage.read(h -> h.queryOne(
                "SELECT uid_validity, last_uid FROM connector_imap_positions WHERE account = ? AND folder = ?",
                r -> new Position(r.integer("uid_validity"), r.integer("last_uid")),
                account,
                folder));
    }

    void set(String account, String folder, Position position) {
        storage.write(h -> h.update(
                "INSERT INTO connector_imap_positions (account, folder, uid_validity, last_uid) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (account, folder) DO UPDATE SET uid_validity = excluded.uid_validity,"
                        + " last_uid = excluded.last_uid",
                account,
                folder,
                position.uidValidity(),
                position.lastUid()));
    }
}
