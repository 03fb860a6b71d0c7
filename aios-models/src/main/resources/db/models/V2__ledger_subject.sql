-- The subject each call was made for, so that spend limits per subject (from the central policy)
-- can be checked before a call; '' for calls made before this column existed or without a subject.
ALTER TABLE models_ledger ADD COLUMN subject TEXT NOT NULL DEFAULT '';
CREATE INDEX models_ledger_subject_at ON models_ledger (subject, at);
CREATE INDEX models_ledger_provider_at ON models_ledger (provider, at);
CREATE INDEX models_ledger_playbook_at ON models_ledger (playbook, at);
CREATE INDEX models_ledger_agent_at ON models_ledger (agent, at);
