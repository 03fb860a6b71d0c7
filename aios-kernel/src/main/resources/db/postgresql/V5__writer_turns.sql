-- Which node's writer committed last, and the first of its transactions since another writer
-- committed (each writer's transaction updates this row right after taking the writers' lock). A
-- node keeps the run states it wrote in memory only while it has been the only writer since it
-- read them.
CREATE TABLE writer_turns (
    id smallint PRIMARY KEY,
    node text NOT NULL,
    streak bigint NOT NULL
);
INSERT INTO writer_turns (id, node, streak) VALUES (1, '', 0);
