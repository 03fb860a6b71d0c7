-- The policy's tables on PostgreSQL: the same as on SQLite (see db/policy V1 to V3), in one step.
-- Times are epoch milliseconds (bigint); sealed values bytea.

CREATE TABLE policy_versions (
    version     bigint PRIMARY KEY,
    document    text   NOT NULL,
    author      text   NOT NULL,
    reason      text   NOT NULL,
    at          bigint NOT NULL,
    source_hash text   NOT NULL
);

CREATE TABLE policy_decisions (
    run_id     text             NOT NULL,
    step_id    text             NOT NULL,
    iteration  bigint           NOT NULL,
    at         bigint           NOT NULL,
    playbook   text             NOT NULL,
    agent      text             NOT NULL,
    subject    text             NOT NULL,
    segments   text             NOT NULL,
    confidence double precision,
    amount     double precision,
    decision   text             NOT NULL,
    rule       text             NOT NULL,
    suggestion text,
    version    bigint           NOT NULL,
    committed  text,
    PRIMARY KEY (run_id, step_id, iteration)
);
CREATE INDEX policy_decisions_agent ON policy_decisions (agent, at);
CREATE INDEX policy_decisions_at ON policy_decisions (at);

CREATE TABLE policy_answers (
    task_id     text             PRIMARY KEY,
    run_id      text             NOT NULL,
    step_id     text             NOT NULL,
    iteration   bigint           NOT NULL,
    kind        text             NOT NULL,
    playbook    text             NOT NULL,
    agent       text             NOT NULL,
    subject     text             NOT NULL,
    rule        text             NOT NULL,
    segments    text             NOT NULL,
    confidence  double precision,
    amount      double precision,
    opened_at   bigint           NOT NULL,
    viewed_at   bigint,
    answered_at bigint,
    outcome     text,
    decision    text,
    operator_ms bigint,
    proposed    bytea,
    change      bytea,
    suggestion  text
);
CREATE INDEX policy_answers_agent ON policy_answers (agent, answered_at);
CREATE INDEX policy_answers_run ON policy_answers (run_id, step_id, iteration);

CREATE TABLE policy_feed (
    source   text   PRIMARY KEY,
    position bigint NOT NULL
);
INSERT INTO policy_feed (source, position) VALUES ('event', 0), ('journal', 0);

CREATE TABLE policy_suggestions (
    id          text             PRIMARY KEY,
    at          bigint           NOT NULL,
    agent       text             NOT NULL,
    rule        text             NOT NULL,
    segment     text             NOT NULL,
    min_conf    double precision,
    min_amount  double precision,
    max_amount  double precision,
    streak      bigint           NOT NULL,
    text        text             NOT NULL,
    status      text             NOT NULL,
    run_id      text,
    version     bigint,
    answered_at bigint,
    note        text             NOT NULL DEFAULT ''
);
CREATE INDEX policy_suggestions_key ON policy_suggestions (agent, rule, segment, at);

CREATE TABLE policy_observations (
    at     bigint           NOT NULL,
    scope  text             NOT NULL,
    metric text             NOT NULL,
    value  double precision NOT NULL
);
CREATE INDEX policy_observations_key ON policy_observations (scope, metric, at);

CREATE TABLE policy_alerts (
    id       text             PRIMARY KEY,
    at       bigint           NOT NULL,
    scope    text             NOT NULL,
    metric   text             NOT NULL,
    value    double precision NOT NULL,
    baseline double precision NOT NULL,
    text     text             NOT NULL,
    run_id   text,
    status   text             NOT NULL,
    notified text             NOT NULL DEFAULT ''
);
CREATE INDEX policy_alerts_key ON policy_alerts (scope, metric, at);

CREATE TABLE policy_views (
    task_id text   PRIMARY KEY,
    at      bigint NOT NULL
);

CREATE TABLE policy_runs (
    run_id     text   PRIMARY KEY,
    playbook   text   NOT NULL,
    started_at bigint NOT NULL
);
CREATE INDEX policy_runs_at ON policy_runs (started_at);
