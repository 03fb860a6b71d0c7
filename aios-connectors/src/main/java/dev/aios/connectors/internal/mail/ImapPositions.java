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
        return storage.read(c -> {
            try (var query = c.prepareStatement(
                    "SELECT uid_validity, last_uid FROM connector_imap_positions WHERE account = ? AND folder = ?")) {
                query.setString(1, account);
                query.setString(2, folder);
                try (var rows = query.executeQuery()) {
                    return rows.next()
                            ? Optional.of(new Position(rows.getLong(1), rows.getLong(2)))
                            : Optional.<Position>empty();
                }
            }
        });
    }

    void set(String account, String folder, Position position) {
        storage.write(c -> {
            try (var upsert = c.prepareStatement(
                    "INSERT INTO connector_imap_positions (account, folder, uid_validity, last_uid) VALUES (?, ?, ?, ?)"
                            + " ON CONFLICT (account, folder) DO UPDATE SET uid_validity = excluded.uid_validity,"
                            + " last_uid = excluded.last_uid")) {
                upsert.setString(1, account);
                upsert.setString(2, folder);
                upsert.setLong(3, position.uidValidity());
                upsert.setLong(4, position.lastUid());
                return upsert.executeUpdate();
            }
        });
    }
}
