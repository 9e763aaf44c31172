-- Circles: groups of agents and people, their discussions (durable like pipeline runs: claimed by
-- one instance under a lease, resumed by another) and the messages of those discussions.
-- Membership is access control: it replaces the empty `memory.circle_access` view, so circle
-- memories and knowledge open to members from here on.
CREATE SCHEMA circles;

CREATE TABLE circles.circles (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    purpose     text NOT NULL DEFAULT '' CHECK (length(purpose) <= 4000),
    owner_id    uuid NOT NULL REFERENCES auth.users (id) ON DELETE RESTRICT,
    settings    jsonb NOT NULL DEFAULT '{}',
    archived_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE circles.agent_members (
    circle_id    uuid NOT NULL REFERENCES circles.circles (id) ON DELETE CASCADE,
    agent_id     uuid NOT NULL REFERENCES agents.agents (id) ON DELETE CASCADE,
    role         text NOT NULL
                 CHECK (role IN ('lead', 'member', 'specialist', 'reviewer', 'observer')),
    competencies text[] NOT NULL DEFAULT '{}',
    -- What this agent may review (competencies or task kinds); empty: anything.
    reviews      text[] NOT NULL DEFAULT '{}',
    added_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (circle_id, agent_id)
);
CREATE INDEX agent_members_agent ON circles.agent_members (agent_id);

CREATE TABLE circles.person_members (
    circle_id uuid NOT NULL REFERENCES circles.circles (id) ON DELETE CASCADE,
    user_id   uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    role      text NOT NULL CHECK (role IN ('owner', 'participant', 'observer')),
    -- How the circle addresses them (`@handle`); never an agent member's name.
    handle    text NOT NULL CHECK (handle ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
    added_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (circle_id, user_id),
    UNIQUE (circle_id, handle)
);
CREATE INDEX person_members_user ON circles.person_members (user_id);

CREATE OR REPLACE VIEW memory.circle_access AS
    SELECT circle_id, user_id, NULL::uuid AS agent_id FROM circles.person_members
    UNION ALL
    SELECT circle_id, NULL::uuid AS user_id, agent_id FROM circles.agent_members;

CREATE TABLE circles.discussions (
    id               uuid PRIMARY KEY,
    circle_id        uuid NOT NULL REFERENCES circles.circles (id) ON DELETE CASCADE,
    topic            text NOT NULL CHECK (length(topic) BETWEEN 1 AND 2000),
    prompt           text NOT NULL DEFAULT '',
    mode             text NOT NULL
                     CHECK (mode IN ('round_robin', 'mention', 'free', 'facilitator', 'selector',
                                     'manual')),
    -- Agent ids in speaking order (members of the circle when the discussion was created).
    participants     uuid[] NOT NULL,
    facilitator_id   uuid,
    -- {"<agent id>": ["<agent id>", ...]}: who may speak after whom; null: anyone.
    transitions      jsonb,
    limits           jsonb NOT NULL,
    seed             bigint NOT NULL,
    summary_agent_id uuid,
    save_summary     boolean NOT NULL DEFAULT false,
    status           text NOT NULL
                     CHECK (status IN ('pending', 'running', 'waiting', 'paused', 'completed',
                                       'stopped', 'failed')),
    -- What a waiting discussion waits for: 'speaker' (a person picks) or 'person:<user id>'.
    waiting_for      text,
    -- The speaker a person chose for the next turn (manual mode, or an override).
    next_speaker     uuid,
    end_reason       text,
    turns            integer NOT NULL DEFAULT 0,
    tokens           bigint NOT NULL DEFAULT 0,
    cost             double precision NOT NULL DEFAULT 0,
    summary          text,
    summary_memory_id uuid,
    created_by       uuid NOT NULL REFERENCES auth.users (id) ON DELETE RESTRICT,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    ended_at         timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- The wall-clock limit, set when the discussion first starts.
    deadline         timestamptz,
    -- Who started it when not a person's request: `run:<run>:<node>` (a pipeline's `circle`
    -- node) or `schedule:<run>`; a retry finds the discussion it started instead of another.
    origin           text UNIQUE,
    -- The instance executing it, under a lease its heartbeat renews.
    claimed_by       uuid,
    lease_until      timestamptz
);
CREATE INDEX discussions_circle ON circles.discussions (circle_id, id DESC);
-- What an engine claims: live discussions, and finished ones whose summary is not written yet.
CREATE INDEX discussions_claimable ON circles.discussions (created_at)
    WHERE status IN ('pending', 'running') OR summary IS NULL;

CREATE TABLE circles.discussion_messages (
    id                uuid PRIMARY KEY,
    discussion_id     uuid NOT NULL REFERENCES circles.discussions (id) ON DELETE CASCADE,
    seq               integer NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('prompt', 'agent', 'person', 'system', 'summary')),
    agent_id          uuid,
    user_id           uuid,
    speaker           text NOT NULL,
    content           text NOT NULL,
    mentions          text[] NOT NULL DEFAULT '{}',
    status            text NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'timed_out', 'failed')),
    -- The agent turn number: a turn is stored once, even when two instances race for it.
    turn              integer,
    prompt_tokens     integer NOT NULL DEFAULT 0,
    completion_tokens integer NOT NULL DEFAULT 0,
    cost              double precision NOT NULL DEFAULT 0,
    model             text,
    latency_ms        integer,
    conversation_id   uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (discussion_id, seq)
);
CREATE UNIQUE INDEX discussion_messages_turn ON circles.discussion_messages (discussion_id, turn)
    WHERE turn IS NOT NULL;
