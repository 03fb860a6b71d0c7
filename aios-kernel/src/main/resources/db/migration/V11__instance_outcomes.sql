-- A handled message keeps the state it left its instance in, so that the instance's state is the
-- outcome of its newest handled message (checked by admin verify, restored by admin rebuild).
ALTER TABLE agent_messages ADD COLUMN state_codec TEXT;
ALTER TABLE agent_messages ADD COLUMN state BLOB;
-- When the instance ended itself; its state and history are kept until the subject is forgotten.
ALTER TABLE agent_instances ADD COLUMN ended_at INTEGER;
