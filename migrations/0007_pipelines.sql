-- Pipelines: stored documents with every version kept, runs claimed by instances under a lease,
-- each node's state as it happens, and circuit breakers per (pipeline, node) shared by every
-- run and every instance. The schema `pipeline` exists since 0001.

CREATE TABLE pipeline.pipelines (
    id                  uuid PRIMARY KEY,
    name                text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    description         text NOT NULL DEFAULT '',
    status              text NOT NULL DEFAULT 'active',
    -- The newest version; runs start on it.
    version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    owner_id            uuid NOT NULL REFERENCES auth.users (id) ON DELETE RESTRICT,
    -- sha256 of the webhook secret (the secret itself is shown once); NULL: no webhook.
    webhook_secret_hash bytea,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pipeline.versions (
    pipeline_id uuid NOT NULL REFERENCES pipeline.pipelines (id) ON DELETE CASCADE,
    version     integer NOT NULL CHECK (version >= 1),
    -- The document as submitted (it validated).
    document    jsonb NOT NULL,
    created_by  uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline_id, version)
);

CREATE TABLE pipeline.runs (
    id               uuid PRIMARY KEY,
    pipeline_id      uuid NOT NULL REFERENCES pipeline.pipelines (id) ON DELETE CASCADE,
    version          integer NOT NULL,
    status           text NOT NULL CHECK (status IN
                       ('pending', 'running', 'waiting', 'completed', 'failed', 'cancelled', 'timeout')),
    -- How it started: manual, webhook, rerun, pipeline (a sub-pipeline of another run).
    trigger          text NOT NULL DEFAULT 'manual',
    trigger_data     jsonb NOT NULL DEFAULT '{}',
    created_by       uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    parent_run_id    uuid REFERENCES pipeline.runs (id) ON DELETE SET NULL,
    rerun_of         uuid REFERENCES pipeline.runs (id) ON DELETE SET NULL,
    -- A run that a node of its parent executes and awaits (an execute_pipeline action, or one
    -- item of a fan-out): that node, and the item. The parent's instance takes such a run
    -- over when it resumes the parent; the claim loop leaves it alone.
    parent_node      text,
    item_index       integer NOT NULL DEFAULT 0,
    -- The instance executing it and until when its claim holds (renewed by its heartbeat); an
    -- expired lease lets another instance take the run over.
    claimed_by       uuid,
    lease_until      timestamptz,
    -- Times the run was claimed (more than one: it was resumed after an instance stopped).
    claims           integer NOT NULL DEFAULT 0,
    cancel_requested boolean NOT NULL DEFAULT false,
    error            text,
    -- The outputs of the nodes nothing follows, by node id.
    output           jsonb,
    -- When the run times out (set when it first starts, kept across resumptions).
    deadline         timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    FOREIGN KEY (pipeline_id, version) REFERENCES pipeline.versions (pipeline_id, version)
);
CREATE INDEX runs_pipeline_idx ON pipeline.runs (pipeline_id, id);
-- One child per (parent, node, item): a resumed parent finds the child it started.
CREATE UNIQUE INDEX runs_child_idx ON pipeline.runs (parent_run_id, parent_node, item_index)
    WHERE parent_node IS NOT NULL;
CREATE INDEX runs_live_idx ON pipeline.runs (created_at)
    WHERE status IN ('pending', 'running', 'waiting');

CREATE TABLE pipeline.run_nodes (
    run_id          uuid NOT NULL REFERENCES pipeline.runs (id) ON DELETE CASCADE,
    node_id         text NOT NULL,
    node_type       text NOT NULL,
    status          text NOT NULL CHECK (status IN
                      ('pending', 'running', 'waiting', 'completed', 'failed', 'skipped', 'cancelled')),
    input           jsonb,
    output          jsonb,
    error           text,
    -- A stable code for the error (timeout, breaker_open, http_status, ...).
    error_code      text,
    attempts        integer NOT NULL DEFAULT 0,
    -- Sent with side effects (the Idempotency-Key header): the same for every attempt.
    idempotency_key text NOT NULL,
    -- An approval's deadline, and its decision {approved, by, comment, at, timed_out}.
    wait_until      timestamptz,
    decision        jsonb,
    started_at      timestamptz,
    finished_at     timestamptz,
    PRIMARY KEY (run_id, node_id)
);

CREATE TABLE pipeline.breakers (
    pipeline_id uuid NOT NULL REFERENCES pipeline.pipelines (id) ON DELETE CASCADE,
    node_id     text NOT NULL,
    state       text NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
    -- Consecutive failed executions of the node (after its retries), across runs.
    failures    integer NOT NULL DEFAULT 0,
    opened_at   timestamptz,
    -- While half-open: when the one probe execution began.
    probe_at    timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline_id, node_id)
);
