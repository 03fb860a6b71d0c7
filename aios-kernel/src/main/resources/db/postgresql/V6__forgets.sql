-- How many forgets of subjects (whose keys were destroyed) have committed, by any node. Every
-- writer's transaction reads it with its turn, and every node hears of a new one by NOTIFY, so that
-- no node keeps using, or keeps opening payloads with, a key that another node destroyed.
ALTER TABLE writer_turns ADD COLUMN forgets bigint NOT NULL DEFAULT 0;
