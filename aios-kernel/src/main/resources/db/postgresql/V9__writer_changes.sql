-- What each writer transaction changed, so that the other nodes forget only those runs of what they
-- keep in memory (run states, leases, work rows) instead of everything whenever another node wrote.
--
-- writer_turns.turn counts the writers' transactions of all nodes: every transaction of a writer
-- sets writer_turns.node first thing, under the writers' lock, and the trigger counts it — a node
-- of an earlier version too, which says nothing in writer_changes, so that the others see a turn
-- unaccounted for and forget everything, as before.
ALTER TABLE writer_turns ADD COLUMN turn bigint NOT NULL DEFAULT 0;

CREATE FUNCTION writer_turn_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.turn := OLD.turn + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER writer_turn_counted BEFORE UPDATE OF node ON writer_turns
    FOR EACH ROW EXECUTE FUNCTION writer_turn_counted();

-- One row a writer transaction (its turn): the runs it changed, one a line, or '*' when it cannot
-- tell which. Rows more than a thousand turns old are dropped; a node whose last turn is older
-- forgets everything it kept.
CREATE TABLE writer_changes (
    turn bigint PRIMARY KEY,
    node text   NOT NULL,
    runs text   NOT NULL
);
