-- On a shared database every node keeps a memory index of its own, each following memory_changes.
-- Each index records how far it has committed; the changes every index has are dropped, and the last
-- one dropped is kept, so that an index that was away longer (and lacks some) knows to rebuild.
CREATE TABLE memory_followers (
    follower text   PRIMARY KEY,
    applied  bigint NOT NULL,
    seen_at  bigint NOT NULL
);

CREATE TABLE memory_changes_pruned (
    id    bigint PRIMARY KEY CHECK (id = 1),
    up_to bigint NOT NULL
);
