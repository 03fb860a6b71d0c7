-- What each writer transaction changed, so that the other nodes forget only those runs of what they
-- keep in memory (run states, leases, work rows) instead of everything whenever another node wrote.
--
-- writer_turns.turn counts the writers' transactions of all nodes: every transaction of a writer
-- sets writer_turns.node first thing, under the writers' lock, and the trigger counts it — a node
-- of an earlier version too. A turn that says nothing in writer_changes (a node of an earlier
-- version, one that wrote alone until then, one that cannot tell which runs it changed) makes the
-- others forget everything, as before.
ALTER TABLE writer_turns ADD COLUMN turn bigint NOT NULL DEFAULT 0;

CREATE FUNCTION writer_turn_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.turn := OLD.turn + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER writer_turn_counted BEFORE UPDATE OF node ON writer_turns
    FOR EACH ROW EXECUTE FUNCTION writer_turn_counted();

-- One row a writer transaction (its turn) while other nodes write too: the runs it changed, one a
-- line. Rows more than a thousand turns old are dropped; a node whose last turn is older forgets
-- everything it kept.
CREATE TABLE writer_changes (
    turn bigint PRIMARY KEY,
    node text   NOT NULL,
    runs text   NOT NULL
);
