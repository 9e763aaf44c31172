-- The model registry: providers (where models run), models (the names users call, with their
-- limits, capabilities, prices and fallback) and the usage ledger (tokens and cost of every call).

CREATE SCHEMA llm;

-- A provider's secret is never stored: `secret_ref` names where to read it at call time
-- (`env:NAME` for an environment variable).
CREATE TABLE llm.providers (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    kind        text NOT NULL CHECK (kind IN ('local', 'openai', 'anthropic')),
    base_url    text,
    secret_ref  text CHECK (secret_ref ~ '^env:[A-Za-z_][A-Za-z0-9_]*$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'local') = (base_url IS NULL))
);

CREATE TABLE llm.models (
    id                   uuid PRIMARY KEY,
    name                 text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$'),
    provider_id          uuid NOT NULL REFERENCES llm.providers (id) ON DELETE RESTRICT,
    provider_model       text NOT NULL CHECK (length(provider_model) BETWEEN 1 AND 200),
    kind                 text NOT NULL CHECK (kind IN ('chat', 'embedding')),
    context_window       integer NOT NULL CHECK (context_window > 0),
    dimension            integer CHECK (dimension > 0),
    capabilities         text[] NOT NULL DEFAULT '{}',
    input_price_per_mtok  numeric(14, 6) NOT NULL DEFAULT 0 CHECK (input_price_per_mtok >= 0),
    output_price_per_mtok numeric(14, 6) NOT NULL DEFAULT 0 CHECK (output_price_per_mtok >= 0),
    fallback_id          uuid REFERENCES llm.models (id) ON DELETE SET NULL,
    enabled              boolean NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'embedding') = (dimension IS NOT NULL)),
    CHECK (fallback_id IS DISTINCT FROM id)
);

-- One row per call (a fallback that answered is its own row, after the failed one).
CREATE TABLE llm.usage (
    id                 uuid PRIMARY KEY,
    at                 timestamptz NOT NULL DEFAULT now(),
    model_id           uuid REFERENCES llm.models (id) ON DELETE SET NULL,
    model_name         text NOT NULL,
    provider           text NOT NULL,
    operation          text NOT NULL CHECK (operation IN ('chat', 'embedding')),
    user_id            uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    api_key_id         uuid,
    prompt_tokens      integer NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens  integer NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    cost_usd           numeric(18, 9) NOT NULL DEFAULT 0,
    latency_ms         integer NOT NULL DEFAULT 0,
    outcome            text NOT NULL CHECK (outcome IN ('success', 'error', 'cancelled')),
    error              text
);
CREATE INDEX usage_at_idx ON llm.usage (at);
CREATE INDEX usage_user_idx ON llm.usage (user_id, at);
CREATE INDEX usage_model_idx ON llm.usage (model_name, at);

-- The local models, served with no configuration.
INSERT INTO llm.providers (id, name, kind) VALUES
    ('01900000-0000-7000-8000-000000000001', 'local', 'local');
INSERT INTO llm.models (id, name, provider_id, provider_model, kind, context_window, dimension, capabilities) VALUES
    ('01900000-0000-7000-8000-000000000101', 'smollm2-135m-instruct',
     '01900000-0000-7000-8000-000000000001', 'smollm2-135m-instruct', 'chat', 8192, NULL,
     '{streaming,tools}'),
    ('01900000-0000-7000-8000-000000000102', 'all-minilm-l6-v2',
     '01900000-0000-7000-8000-000000000001', 'all-minilm-l6-v2', 'embedding', 256, 384,
     '{embeddings}');
