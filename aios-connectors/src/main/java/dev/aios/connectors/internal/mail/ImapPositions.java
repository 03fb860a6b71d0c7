package dev.aios.connectors.internal.mail;

import dev.aios.kernel.spi.Handle;
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
        return storage.read(h -> of(h, account, folder));
    }

    private static Optional<Position> of(Handle h, String account, String folder) {
        return h.queryOne(
                "SELECT uid_validity, last_uid FROM connector_imap_positions WHERE account = ? AND folder = ?",
                r -> new Position(r.integer("uid_validity"), r.integer("last_uid")),
                account,
                folder);
    }

    /**
     * Marks where new mail begins in a folder looked at for the first time, unless another node
     * sharing the database marked it first.
     *
     * @return the position in force: {@code position}, or the one another node marked
     */
    Position start(String account, String folder, Position position) {
        return storage.write(h -> {
            h.update(
                    "INSERT INTO connector_imap_positions (account, folder, uid_validity, last_uid) VALUES (?, ?, ?, ?)"
                            + " ON CONFLICT (account, folder) DO NOTHING",
                    account,
                    folder,
                    position.uidValidity(),
                    position.lastUid());
            return of(h, account, folder).orElseThrow();
        });
    }

    /**
     * Moves a folder's position to {@code position}: within one UIDVALIDITY only forward (another
     * node sharing the database may have read further), or to a new UIDVALIDITY.
     */
    void set(String account, String folder, Position position) {
        storage.write(h -> h.update(
                "INSERT INTO connector_imap_positions (account, folder, uid_validity, last_uid) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (account, folder) DO UPDATE SET uid_validity = excluded.uid_validity,"
                        + " last_uid = excluded.last_uid"
                        + " WHERE connector_imap_positions.uid_validity <> excluded.uid_validity"
                        + " OR connector_imap_positions.last_uid < excluded.last_uid",
                account,
                folder,
                position.uidValidity(),
                position.lastUid()));
    }
}
