-- On a shared database every node's embedder looks for chunks waiting to be embedded. A node takes a
-- batch by claiming it until a moment (milliseconds since the epoch, by the database's clock), so that
-- no other node embeds the same chunks meanwhile; the claim of a node that stopped lapses, and another
-- node takes its chunks.
ALTER TABLE memory_chunks ADD COLUMN claimed_until bigint NOT NULL DEFAULT 0;
