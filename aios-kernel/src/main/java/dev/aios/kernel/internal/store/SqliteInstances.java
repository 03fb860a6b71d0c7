package dev.aios.kernel.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.StorageException;
import dev.aios.kernel.internal.Json;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The agent_instances, agent_messages and agent_receipts tables. */
final class SqliteInstances implements InstanceStore {
    private static final String MESSAGE_COLUMNS = "seq, id, agent, subject, sender, type, codec, body, received_at,"
            + " due_at, status, attempts, handled_at, error";
    private static final String INSTANCE_COLUMNS = "i.agent, i.subject, i.handled, i.failed, i.created_at,"
            + " i.updated_at, i.last_message, i.last_at, i.next_due,"
            + " (SELECT COUNT(*) FROM agent_messages m WHERE m.agent = i.agent AND m.subject = i.subject"
            + " AND m.status = 'queued') AS queued";

    @FunctionalInterface
    private interface Work<T> {
        T run() throws SQLException;
    }

    private final Tx tx;

    SqliteInstances(Tx tx) {
        this.tx = tx;
    }

    private static <T> T sql(Work<T> work) {
        try {
            return work.run();
        } catch (SQLException e) {
            throw new StorageException("the instances of stateful agents could not be read or written: " + e, e);
        }
    }

    @Override
    public boolean deliver(Outgoing m, Sealed initial, Instant now) {
        return sql(() -> {
            var body = m.body();
            int inserted = tx.update(
                    "INSERT INTO agent_messages (id, agent, subject, sender, type, codec, body, received_at, due_at,"
                            + " status, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0)"
                            + " ON CONFLICT (id) DO NOTHING",
                    m.id(),
                    m.agent(),
                    m.subject(),
                    m.sender(),
                    m.type(),
                    body.codec(),
                    body.bytes(),
                    m.receivedAt(),
                    m.dueAt());
            if (inserted == 0) {
                return false;
            }
            var empty = initial;
            tx.update(
                    "INSERT INTO agent_instances (agent, subject, codec, state, handled, failed, created_at, updated_at,"
                            + " next_due) VALUES (?, ?, ?, ?, 0, 0, ?, ?, ?)"
                            + " ON CONFLICT (agent, subject) DO UPDATE SET next_due ="
                            + " CASE WHEN next_due IS NULL OR next_due > excluded.next_due THEN excluded.next_due"
                            + " ELSE next_due END",
                    m.agent(),
                    m.subject(),
                    empty.codec(),
                    empty.bytes(),
                    now,
                    now,
                    m.dueAt());
            return true;
        });
    }

    @Override
    public List<Due> due(Instant now, int max) {
        return sql(() -> tx.query(
                "SELECT agent, subject FROM agent_instances WHERE next_due <= ?"
                        + " AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_due LIMIT ?",
                r -> new Due(r.text("agent"), r.text("subject")),
                now,
                now,
                max));
    }

    @Override
    public Optional<Instant> nextDue() {
        return sql(() -> tx.queryOne(
                "SELECT MIN(next_due) AS n FROM agent_instances WHERE lease_owner IS NULL",
                r -> r.optionalInstant("n").orElse(null)));
    }

    @Override
    public boolean lease(Due instance, String owner, Instant until, Instant now) {
        return sql(() -> tx.update(
                        "UPDATE agent_instances SET lease_owner = ?, lease_until = ? WHERE agent = ? AND subject = ?"
                                + " AND (lease_until IS NULL OR lease_until <= ?)",
                        owner,
                        until,
                        instance.agent(),
                        instance.subject(),
                        now)
                > 0);
    }

    @Override
    public boolean holds(String agent, String subject, String owner) {
        return sql(() -> tx.count(
                        "SELECT COUNT(*) AS n FROM agent_instances WHERE agent = ? AND subject = ? AND lease_owner = ?",
                        agent,
                        subject,
                        owner)
                > 0);
    }

    @Override
    public Optional<Message> head(String agent, String subject, Instant now) {
        return sql(() -> tx.queryOne(
                "SELECT " + MESSAGE_COLUMNS + " FROM agent_messages WHERE agent = ? AND subject = ?"
                        + " AND status = 'queued' AND due_at <= ? ORDER BY due_at, seq LIMIT 1",
                SqliteInstances::message,
                agent,
                subject,
                now));
    }

    @Override
    public Optional<Sealed> state(String agent, String subject) {
        return sql(() -> tx.queryOne(
                "SELECT codec, state FROM agent_instances WHERE agent = ? AND subject = ?",
                r -> new Sealed(r.text("codec"), r.bytes("state")),
                agent,
                subject));
    }

    @Override
    public void handled(Message message, Sealed state, Instant now, int keep) {
        sql(() -> {
            tx.update(
                    "UPDATE agent_messages SET status = 'handled', handled_at = ?, attempts = attempts + 1, error = NULL"
                            + " WHERE seq = ?",
                    now,
                    message.seq());
            var sealed = state;
            tx.update(
                    "UPDATE agent_instances SET codec = ?, state = ?, handled = handled + 1, updated_at = ?,"
                            + " last_message = ?, last_at = ?, lease_owner = NULL, lease_until = NULL,"
                            + " next_due = " + NEXT_DUE + " WHERE agent = ? AND subject = ?",
                    sealed.codec(),
                    sealed.bytes(),
                    now,
                    message.id(),
                    now,
                    message.agent(),
                    message.subject());
            tx.update(
                    "DELETE FROM agent_messages WHERE agent = ? AND subject = ? AND status <> 'queued' AND seq <"
                            + " (SELECT seq FROM agent_messages WHERE agent = ? AND subject = ? AND status <> 'queued'"
                            + " ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                    message.agent(),
                    message.subject(),
                    message.agent(),
                    message.subject(),
                    keep - 1);
            return null;
        });
    }

    /** The due time of the instance's first queued message (in an UPDATE of agent_instances). */
    private static final String NEXT_DUE = "(SELECT MIN(m.due_at) FROM agent_messages m"
            + " WHERE m.agent = agent_instances.agent AND m.subject = agent_instances.subject AND m.status = 'queued')";

    @Override
    public void failed(Message message, String error, Optional<Instant> retryAt, Instant now) {
        sql(() -> {
            if (retryAt.isPresent()) {
                tx.update(
                        "UPDATE agent_messages SET attempts = attempts + 1, error = ? WHERE seq = ?",
                        error,
                        message.seq());
                tx.update(
                        "UPDATE agent_instances SET lease_owner = NULL, lease_until = NULL, next_due = ?"
                                + " WHERE agent = ? AND subject = ?",
                        retryAt.get(),
                        message.agent(),
                        message.subject());
                return null;
            }
            tx.update(
                    "UPDATE agent_messages SET status = 'failed', attempts = attempts + 1, error = ?, handled_at = ?"
                            + " WHERE seq = ?",
                    error,
                    now,
                    message.seq());
            tx.update(
                    "UPDATE agent_instances SET failed = failed + 1, updated_at = ?, last_message = ?, last_at = ?,"
                            + " lease_owner = NULL, lease_until = NULL, next_due = " + NEXT_DUE
                            + " WHERE agent = ? AND subject = ?",
                    now,
                    message.id(),
                    now,
                    message.agent(),
                    message.subject());
            return null;
        });
    }

    @Override
    public void release(String agent, String subject) {
        sql(() -> tx.update(
                "UPDATE agent_instances SET lease_owner = NULL, lease_until = NULL, next_due = " + NEXT_DUE
                        + " WHERE agent = ? AND subject = ?",
                agent,
                subject));
    }

    @Override
    public int releaseAll() {
        return sql(() -> tx.update("UPDATE agent_instances SET lease_owner = NULL, lease_until = NULL"
                + " WHERE lease_owner IS NOT NULL"));
    }

    @Override
    public List<Instance> instances(Optional<String> agent) {
        return sql(() -> agent.isPresent()
                ? tx.query(
                        "SELECT " + INSTANCE_COLUMNS + " FROM agent_instances i WHERE i.agent = ? ORDER BY i.subject",
                        SqliteInstances::instance,
                        agent.get())
                : tx.query(
                        "SELECT " + INSTANCE_COLUMNS + " FROM agent_instances i ORDER BY i.agent, i.subject",
                        SqliteInstances::instance));
    }

    @Override
    public Optional<Instance> instance(String agent, String subject) {
        return sql(() -> tx.queryOne(
                "SELECT " + INSTANCE_COLUMNS + " FROM agent_instances i WHERE i.agent = ? AND i.subject = ?",
                SqliteInstances::instance,
                agent,
                subject));
    }

    @Override
    public List<Message> messages(String agent, String subject, int limit) {
        return sql(() -> tx.query(
                "SELECT " + MESSAGE_COLUMNS + " FROM agent_messages WHERE agent = ? AND subject = ?"
                        + " ORDER BY status = 'queued' DESC, COALESCE(handled_at, due_at) DESC, seq DESC LIMIT ?",
                SqliteInstances::message,
                agent,
                subject,
                limit));
    }

    @Override
    public Optional<JsonNode> receipt(String key) {
        return sql(() -> tx.queryOne(
                "SELECT result FROM agent_receipts WHERE effect_key = ?", r -> Json.tree(r.text("result")), key));
    }

    @Override
    public void receipt(String key, String agent, String subject, JsonNode result, Instant at) {
        sql(() -> tx.update(
                "INSERT INTO agent_receipts (effect_key, agent, subject, result, at) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT (effect_key) DO NOTHING",
                key,
                agent,
                subject,
                Json.text(result),
                at));
    }

    @Override
    public int forget(String subject) {
        return sql(() -> {
            tx.update("DELETE FROM agent_messages WHERE subject = ?", subject);
            tx.update("DELETE FROM agent_receipts WHERE subject = ?", subject);
            return tx.update("DELETE FROM agent_instances WHERE subject = ?", subject);
        });
    }

    private static Message message(Row r) throws SQLException {
        String subject = r.text("subject");
        return new Message(
                r.integer("seq"),
                r.text("id"),
                r.text("agent"),
                subject,
                r.text("sender"),
                r.text("type"),
                new Sealed(r.text("codec"), r.bytes("body")),
                r.instant("received_at"),
                r.instant("due_at"),
                MessageStatus.of(r.text("status")),
                (int) r.integer("attempts"),
                r.optionalInstant("handled_at"),
                r.optionalText("error"));
    }

    private static Instance instance(Row r) throws SQLException {
        return new Instance(
                r.text("agent"),
                r.text("subject"),
                r.integer("handled"),
                r.integer("failed"),
                r.integer("queued"),
                r.instant("created_at"),
                r.instant("updated_at"),
                r.optionalText("last_message"),
                r.optionalInstant("last_at"),
                r.optionalInstant("next_due"));
    }
}
