-- Agents: personas (who an agent is), agents (a persona + a model + permitted tools, owned by a
-- user), conversations with their participants and messages, the MCP servers whose tools agents
-- may be granted, and the usage ledger's link to agents and conversations.

CREATE SCHEMA agents;
CREATE SCHEMA tools;

CREATE TABLE agents.personas (
    id                  uuid PRIMARY KEY,
    name                text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    display_name        text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    role                text NOT NULL CHECK (length(role) BETWEEN 1 AND 200),
    traits              text[] NOT NULL DEFAULT '{}',
    communication_style text NOT NULL DEFAULT '',
    specializations     text[] NOT NULL DEFAULT '{}',
    languages           text[] NOT NULL DEFAULT '{}',
    default_model       text,
    temperature         real CHECK (temperature BETWEEN 0 AND 2),
    allowed_skills      text[] NOT NULL DEFAULT '{}',
    prompt              text NOT NULL CHECK (length(prompt) BETWEEN 1 AND 32768),
    -- Where an imported persona came from (NULL when created through the API).
    source_path         text,
    created_by          uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agents.agents (
    id                  uuid PRIMARY KEY,
    name                text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    persona_id          uuid NOT NULL REFERENCES agents.personas (id) ON DELETE RESTRICT,
    -- A model name of the registry, checked when set (names survive a model's re-creation).
    model               text NOT NULL,
    prompt_addition     text NOT NULL DEFAULT '' CHECK (length(prompt_addition) <= 16384),
    temperature         real CHECK (temperature BETWEEN 0 AND 2),
    max_tokens          integer CHECK (max_tokens BETWEEN 1 AND 32768),
    tools               text[] NOT NULL DEFAULT '{}',
    max_tool_iterations integer NOT NULL DEFAULT 5 CHECK (max_tool_iterations BETWEEN 0 AND 20),
    status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    owner_id            uuid NOT NULL REFERENCES auth.users (id) ON DELETE RESTRICT,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_owner_idx ON agents.agents (owner_id);

CREATE TABLE agents.conversations (
    id              uuid PRIMARY KEY,
    title           text NOT NULL DEFAULT '',
    owner_id        uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    -- Messages are numbered 1, 2, ... in this conversation; the counter hands out positions.
    message_count   bigint NOT NULL DEFAULT 0,
    -- A running summary of the messages up to `summary_upto`, for agents whose context
    -- cannot hold the whole transcript.
    summary         text NOT NULL DEFAULT '',
    summary_upto    bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_owner_idx ON agents.conversations (owner_id, id);

CREATE TABLE agents.participants (
    conversation_id uuid NOT NULL REFERENCES agents.conversations (id) ON DELETE CASCADE,
    user_id         uuid REFERENCES auth.users (id) ON DELETE CASCADE,
    agent_id        uuid REFERENCES agents.agents (id) ON DELETE CASCADE,
    joined_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((user_id IS NULL) <> (agent_id IS NULL))
);
CREATE UNIQUE INDEX participants_user_idx ON agents.participants (conversation_id, user_id)
    WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX participants_agent_idx ON agents.participants (conversation_id, agent_id)
    WHERE agent_id IS NOT NULL;
CREATE INDEX participants_by_agent_idx ON agents.participants (agent_id, conversation_id);

CREATE TABLE agents.messages (
    id                uuid PRIMARY KEY,
    conversation_id   uuid NOT NULL REFERENCES agents.conversations (id) ON DELETE CASCADE,
    position          bigint NOT NULL,
    role              text NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
    author_user_id    uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    author_agent_id   uuid REFERENCES agents.agents (id) ON DELETE SET NULL,
    content           text NOT NULL,
    -- Calls an assistant message made: [{id, name, arguments}].
    tool_calls        jsonb NOT NULL DEFAULT '[]',
    -- For a tool message: the call it answers, the tool, and whether it failed.
    tool_call_id      text,
    tool_name         text,
    tool_error        boolean,
    model             text,
    prompt_tokens     integer,
    completion_tokens integer,
    latency_ms        integer,
    -- How an assistant message ended: stop, length, tool_calls, iteration_limit, cancelled, error.
    finish            text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, position)
);

-- MCP servers whose tools agents may be granted. `transport` is {kind: stdio, command, args,
-- env} or {kind: http, url}; `tools` is the last list the server gave.
CREATE TABLE tools.mcp_servers (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,30}$'),
    transport   jsonb NOT NULL,
    risk        text NOT NULL CHECK (risk IN ('read_only', 'side_effects', 'dangerous')),
    timeout_ms  integer NOT NULL CHECK (timeout_ms BETWEEN 100 AND 600000),
    enabled     boolean NOT NULL DEFAULT true,
    tools       jsonb NOT NULL DEFAULT '[]',
    created_by  uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE llm.usage
    ADD COLUMN agent_id uuid REFERENCES agents.agents (id) ON DELETE SET NULL,
    ADD COLUMN conversation_id uuid REFERENCES agents.conversations (id) ON DELETE SET NULL;
CREATE INDEX usage_agent_idx ON llm.usage (agent_id, at) WHERE agent_id IS NOT NULL;
CREATE INDEX usage_conversation_idx ON llm.usage (conversation_id) WHERE conversation_id IS NOT NULL;
