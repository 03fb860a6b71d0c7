-- See db/migration V11__instance_outcomes.sql: a handled message keeps the state it left its
-- instance in; an instance that ended itself keeps when.
ALTER TABLE agent_messages ADD COLUMN state_codec text;
ALTER TABLE agent_messages ADD COLUMN state bytea;
ALTER TABLE agent_instances ADD COLUMN ended_at bigint;
