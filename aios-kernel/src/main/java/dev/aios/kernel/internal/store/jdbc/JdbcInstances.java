package dev.aios.kernel.internal.store.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.MessageStatus;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.InstanceStore;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Row;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The agent_instances, agent_messages and agent_receipts tables. */
final class JdbcInstances implements InstanceStore {
    private static final String MESSAGE_COLUMNS = "seq, id, agent, subject, sender, type, codec, body, received_at,"
            + " due_at, status, attempts, handled_at, error, state_codec, state";
    private static final String INSTANCE_COLUMNS = "i.agent, i.subject, i.handled, i.failed, i.created_at,"
            + " i.updated_at, i.last_message, i.last_at, i.next_due, i.ended_at,"
            + " (SELECT COUNT(*) FROM agent_messages m WHERE m.agent = i.agent AND m.subject = i.subject"
            + " AND m.status = 'queued') AS queued";
    /** The due time of the instance's first queued message (in an UPDATE of agent_instances). */
    private static final String NEXT_DUE = "(SELECT MIN(m.due_at) FROM agent_messages m"
            + " WHERE m.agent = agent_instances.agent AND m.subject = agent_instances.subject AND m.status = 'queued')";

    /** Statuses of messages whose handling is over and that are kept as history, newest first. */
    private static final String HISTORY = "status IN ('handled', 'skipped', 'dropped')";

    /** A column of the instance's newest message whose handling is over (in an UPDATE of agent_instances). */
    private static final String LAST = "SELECT m.%s FROM agent_messages m WHERE m.agent = agent_instances.agent"
            + " AND m.subject = agent_instances.subject AND m.status IN ('handled', 'failed', 'skipped')"
            + " ORDER BY m.handled_at DESC, m.seq DESC LIMIT 1";

    private final Handle handle;

    JdbcInstances(Handle handle) {
        this.handle = handle;
    }

    @Override
    public boolean deliver(Outgoing m, Sealed initial, Instant now) {
        int inserted = handle.update(
                "INSERT INTO agent_messages (id, agent, subject, sender, type, codec, body, received_at, due_at,"
                        + " status, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0)"
                        + " ON CONFLICT (id) DO NOTHING",
                m.id(),
                m.agent(),
                m.subject(),
                m.sender(),
                m.type(),
                m.body().codec(),
                m.body().bytes(),
                m.receivedAt(),
                m.dueAt());
        if (inserted == 0) {
            return false;
        }
        handle.update(
                "INSERT INTO agent_instances (agent, subject, codec, state, handled, failed, created_at, updated_at,"
                        + " next_due) VALUES (?, ?, ?, ?, 0, 0, ?, ?, ?)"
                        + " ON CONFLICT (agent, subject) DO UPDATE SET next_due ="
                        + " CASE WHEN agent_instances.next_due IS NULL OR agent_instances.next_due > excluded.next_due"
                        + " THEN excluded.next_due ELSE agent_instances.next_due END"
                        + " WHERE agent_instances.ended_at IS NULL",
                m.agent(),
                m.subject(),
                initial.codec(),
                initial.bytes(),
                now,
                now,
                m.dueAt());
        handle.update(
                "UPDATE agent_messages SET status = 'dropped', handled_at = ?, error = ? WHERE id = ? AND EXISTS"
                        + " (SELECT 1 FROM agent_instances i WHERE i.agent = ? AND i.subject = ? AND i.ended_at IS NOT NULL)",
                now,
                ENDED,
                m.id(),
                m.agent(),
                m.subject());
        return true;
    }

    private static final String ENDED = "the instance had ended itself; forget the subject to start it anew";

    @Override
    public List<Due> due(Instant now, int max) {
        return handle.query(
                "SELECT agent, subject FROM agent_instances WHERE next_due <= ?"
                        + " AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_due LIMIT ?",
                r -> new Due(r.text("agent"), r.text("subject")),
                now,
                now,
                max);
    }

    @Override
    public Optional<Instant> nextDue() {
        return handle.queryOne(
                "SELECT MIN(next_due) AS n FROM agent_instances WHERE lease_owner IS NULL",
                r -> r.optionalInstant("n").orElse(null));
    }

    @Override
    public boolean lease(Due instance, String owner, Instant until, Instant now) {
        return handle.update(
                        "UPDATE agent_instances SET lease_owner = ?, lease_until = ? WHERE agent = ? AND subject = ?"
                                + " AND (lease_until IS NULL OR lease_until <= ?)",
                        owner,
                        until,
                        instance.agent(),
                        instance.subject(),
                        now)
                > 0;
    }

    @Override
    public boolean holds(String agent, String subject, String owner) {
        return handle.count(
                        "SELECT COUNT(*) AS n FROM agent_instances WHERE agent = ? AND subject = ? AND lease_owner = ?",
                        agent,
                        subject,
                        owner)
                > 0;
    }

    @Override
    public Optional<Message> head(String agent, String subject, Instant now) {
        return handle.queryOne(
                "SELECT " + MESSAGE_COLUMNS + " FROM agent_messages WHERE agent = ? AND subject = ?"
                        + " AND status = 'queued' AND due_at <= ? ORDER BY due_at, seq LIMIT 1",
                JdbcInstances::message,
                agent,
                subject,
                now);
    }

    @Override
    public Optional<Sealed> state(String agent, String subject) {
        return handle.queryOne(
                "SELECT codec, state FROM agent_instances WHERE agent = ? AND subject = ?",
                r -> new Sealed(r.text("codec"), r.bytes("state")),
                agent,
                subject);
    }

    @Override
    public void handled(Message message, Sealed state, Instant now, int keep, boolean end) {
        handle.update(
                "UPDATE agent_messages SET status = 'handled', handled_at = ?, attempts = attempts + 1, error = NULL,"
                        + " state_codec = ?, state = ? WHERE seq = ?",
                now,
                state.codec(),
                state.bytes(),
                message.seq());
        if (end) {
            handle.update(
                    "UPDATE agent_messages SET status = 'dropped', handled_at = ?, error = ?"
                            + " WHERE agent = ? AND subject = ? AND status = 'queued'",
                    now,
                    ENDED,
                    message.agent(),
                    message.subject());
        }
        handle.update(
                "UPDATE agent_instances SET codec = ?, state = ?, handled = handled + 1, updated_at = ?,"
                        + " last_message = ?, last_at = ?, lease_owner = NULL, lease_until = NULL,"
                        + " next_due = " + NEXT_DUE + (end ? ", ended_at = ?" : "")
                        + " WHERE agent = ? AND subject = ?",
                end
                        ? new Object[] {
                            state.codec(),
                            state.bytes(),
                            now,
                            message.id(),
                            now,
                            now,
                            message.agent(),
                            message.subject()
                        }
                        : new Object[] {
                            state.codec(), state.bytes(), now, message.id(), now, message.agent(), message.subject()
                        });
        handle.update(
                "DELETE FROM agent_messages WHERE agent = ? AND subject = ? AND " + HISTORY + " AND seq <"
                        + " (SELECT seq FROM agent_messages WHERE agent = ? AND subject = ? AND " + HISTORY
                        + " ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                message.agent(),
                message.subject(),
                message.agent(),
                message.subject(),
                keep - 1);
    }

    @Override
    public Optional<Message> message(String id) {
        return handle.queryOne(
                "SELECT " + MESSAGE_COLUMNS + " FROM agent_messages WHERE id = ?", JdbcInstances::message, id);
    }

    @Override
    public void requeue(Message message, Optional<Sealed> body, Instant now) {
        if (body.isPresent()) {
            handle.update(
                    "UPDATE agent_messages SET codec = ?, body = ? WHERE seq = ?",
                    body.get().codec(),
                    body.get().bytes(),
                    message.seq());
        }
        handle.update(
                "UPDATE agent_messages SET status = 'queued', attempts = 0, handled_at = NULL WHERE seq = ?",
                message.seq());
        handle.update(
                "UPDATE agent_instances SET failed = failed - 1, updated_at = ?, next_due = " + NEXT_DUE
                        + ", last_message = (" + LAST.formatted("id") + "), last_at = (" + LAST.formatted("handled_at")
                        + ") WHERE agent = ? AND subject = ?",
                now,
                message.agent(),
                message.subject());
    }

    @Override
    public void skip(Message message, Instant now) {
        handle.update("UPDATE agent_messages SET status = 'skipped' WHERE seq = ?", message.seq());
        handle.update(
                "UPDATE agent_instances SET updated_at = ? WHERE agent = ? AND subject = ?",
                now,
                message.agent(),
                message.subject());
    }

    @Override
    public List<Due> orphans() {
        return handle.query(
                "SELECT agent, subject FROM agent_messages UNION SELECT agent, subject FROM agent_receipts"
                        + " EXCEPT SELECT agent, subject FROM agent_instances ORDER BY agent, subject",
                r -> new Due(r.text("agent"), r.text("subject")));
    }

    @Override
    public void restore(Restored r) {
        handle.update(
                "INSERT INTO agent_instances (agent, subject, codec, state, handled, failed, created_at, updated_at,"
                        + " last_message, last_at, next_due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (agent, subject) DO UPDATE SET codec = excluded.codec, state = excluded.state,"
                        + " handled = excluded.handled, failed = excluded.failed,"
                        + " last_message = excluded.last_message, last_at = excluded.last_at,"
                        + " next_due = excluded.next_due",
                r.agent(),
                r.subject(),
                r.state().codec(),
                r.state().bytes(),
                r.handled(),
                r.failed(),
                r.createdAt(),
                r.updatedAt(),
                r.lastMessage().orElse(null),
                r.lastAt().orElse(null),
                r.nextDue().orElse(null));
    }

    @Override
    public void failed(Message message, String error, Optional<Instant> retryAt, Instant now) {
        if (retryAt.isPresent()) {
            handle.update(
                    "UPDATE agent_messages SET attempts = attempts + 1, error = ? WHERE seq = ?", error, message.seq());
            handle.update(
                    "UPDATE agent_instances SET lease_owner = NULL, lease_until = NULL, next_due = ?"
                            + " WHERE agent = ? AND subject = ?",
                    retryAt.get(),
                    message.agent(),
                    message.subject());
            return;
        }
        handle.update(
                "UPDATE agent_messages SET status = 'failed', attempts = attempts + 1, error = ?, handled_at = ?"
                        + " WHERE seq = ?",
                error,
                now,
                message.seq());
        handle.update(
                "UPDATE agent_instances SET failed = failed + 1, updated_at = ?, last_message = ?, last_at = ?,"
                        + " lease_owner = NULL, lease_until = NULL, next_due = " + NEXT_DUE
                        + " WHERE agent = ? AND subject = ?",
                now,
                message.id(),
                now,
                message.agent(),
                message.subject());
    }

    @Override
    public void release(String agent, String subject) {
        handle.update(
                "UPDATE agent_instances SET lease_owner = NULL, lease_until = NULL, next_due = " + NEXT_DUE
                        + " WHERE agent = ? AND subject = ?",
                agent,
                subject);
    }

    @Override
    public int releaseAll() {
        if (handle.dialect() == Handle.Dialect.POSTGRESQL) {
            // Other nodes may be handling messages: a lease of one that died is taken over when it expires.
            return 0;
        }
        return handle.update(
                "UPDATE agent_instances SET lease_owner = NULL, lease_until = NULL" + " WHERE lease_owner IS NOT NULL");
    }

    @Override
    public List<Instance> instances(Optional<String> agent) {
        return agent.isPresent()
                ? handle.query(
                        "SELECT " + INSTANCE_COLUMNS + " FROM agent_instances i WHERE i.agent = ? ORDER BY i.subject",
                        JdbcInstances::instance,
                        agent.get())
                : handle.query(
                        "SELECT " + INSTANCE_COLUMNS + " FROM agent_instances i ORDER BY i.agent, i.subject",
                        JdbcInstances::instance);
    }

    @Override
    public Optional<Instance> instance(String agent, String subject) {
        return handle.queryOne(
                "SELECT " + INSTANCE_COLUMNS + " FROM agent_instances i WHERE i.agent = ? AND i.subject = ?",
                JdbcInstances::instance,
                agent,
                subject);
    }

    @Override
    public List<Message> messages(String agent, String subject, int limit) {
        return handle.query(
                "SELECT " + MESSAGE_COLUMNS + " FROM agent_messages WHERE agent = ? AND subject = ?"
                        + " ORDER BY status = 'queued' DESC, COALESCE(handled_at, due_at) DESC, due_at DESC, seq DESC LIMIT ?",
                JdbcInstances::message,
                agent,
                subject,
                limit);
    }

    @Override
    public Optional<JsonNode> receipt(String key) {
        return handle.queryOne(
                "SELECT result FROM agent_receipts WHERE effect_key = ?", r -> Json.tree(r.text("result")), key);
    }

    @Override
    public void receipt(String key, String agent, String subject, JsonNode result, Instant at) {
        handle.update(
                "INSERT INTO agent_receipts (effect_key, agent, subject, result, at) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT (effect_key) DO NOTHING",
                key,
                agent,
                subject,
                Json.text(result),
                at);
    }

    @Override
    public int forget(String subject) {
        handle.update("DELETE FROM agent_messages WHERE subject = ?", subject);
        handle.update("DELETE FROM agent_receipts WHERE subject = ?", subject);
        return handle.update("DELETE FROM agent_instances WHERE subject = ?", subject);
    }

    private static Message message(Row r) {
        return new Message(
                r.integer("seq"),
                r.text("id"),
                r.text("agent"),
                r.text("subject"),
                r.text("sender"),
                r.text("type"),
                new Sealed(r.text("codec"), r.bytes("body")),
                r.instant("received_at"),
                r.instant("due_at"),
                MessageStatus.fromWire(r.text("status")),
                (int) r.integer("attempts"),
                r.optionalInstant("handled_at"),
                r.optionalText("error"),
                r.optionalText("state_codec").map(codec -> new Sealed(codec, r.bytes("state"))));
    }

    private static Instance instance(Row r) {
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
                r.optionalInstant("next_due"),
                r.optionalInstant("ended_at"));
    }
}
