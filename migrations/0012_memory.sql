-- Memory and knowledge: memories with a scope that is access control, their versions and links,
-- knowledge collections of documents cut into chunks, the embedding cache and which embedding
-- model search serves from. Vectors live in one table per dimension and kind
-- (`memory.memory_vectors_384`, `memory.chunk_vectors_1536`, ...), created by the server the first
-- time a model of that dimension is used (memory/store/vectors.rs), each with its HNSW index.

CREATE SCHEMA memory;

-- Who belongs to which circle, for the `circle` scope: empty until the circles module replaces
-- this view with its membership tables. Fails closed: nobody but an admin reads a circle's
-- memories or collections until membership exists.
CREATE VIEW memory.circle_access AS
    SELECT NULL::uuid AS circle_id, NULL::uuid AS user_id, NULL::uuid AS agent_id
    WHERE false;

CREATE TABLE memory.memories (
    id            uuid PRIMARY KEY,
    scope         text NOT NULL
                  CHECK (scope IN ('user', 'agent', 'conversation', 'circle', 'global')),
    -- The user, agent, conversation or circle; none for `global`.
    scope_id      uuid,
    memory_type   text NOT NULL CHECK (memory_type IN
                  ('fact', 'preference', 'decision', 'episode', 'skill', 'relationship', 'context')),
    content       text NOT NULL CHECK (length(content) BETWEEN 1 AND 16384),
    content_sha   bytea NOT NULL CHECK (length(content_sha) = 32),
    importance    real NOT NULL CHECK (importance BETWEEN 0 AND 1),
    tags          text[] NOT NULL DEFAULT '{}',
    expires_at    timestamptz,
    -- The current version; every version (this one included) is in memory.versions.
    version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    -- Provenance: {conversation_id?, message_id?, run_id?, user_id?, agent_id?}.
    source        jsonb NOT NULL DEFAULT '{}',
    created_by    uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    created_by_agent uuid REFERENCES agents.agents (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- A soft delete: search no longer returns it; an admin can purge it for good.
    deleted_at    timestamptz,
    deleted_by    uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    search        tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
    CHECK ((scope = 'global') = (scope_id IS NULL))
);
CREATE INDEX memories_scope ON memory.memories (scope, scope_id) WHERE deleted_at IS NULL;
CREATE INDEX memories_search ON memory.memories USING gin (search) WHERE deleted_at IS NULL;
CREATE INDEX memories_tags ON memory.memories USING gin (tags);
CREATE INDEX memories_created ON memory.memories (created_at);
CREATE INDEX memories_sha ON memory.memories (scope, scope_id, content_sha) WHERE deleted_at IS NULL;

-- Every version of a memory, the current one included; an update adds a row.
CREATE TABLE memory.versions (
    memory_id     uuid NOT NULL REFERENCES memory.memories (id) ON DELETE CASCADE,
    version       integer NOT NULL,
    memory_type   text NOT NULL,
    content       text NOT NULL,
    importance    real NOT NULL,
    tags          text[] NOT NULL,
    expires_at    timestamptz,
    changed_by    uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    changed_by_agent uuid REFERENCES agents.agents (id) ON DELETE SET NULL,
    changed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (memory_id, version)
);

-- `supersedes`: the memory replaces the target (said by whoever wrote it); `duplicate_of`: a
-- near-identical memory of the same scope existed (found by content or by vector).
CREATE TABLE memory.links (
    memory_id     uuid NOT NULL REFERENCES memory.memories (id) ON DELETE CASCADE,
    target_id     uuid NOT NULL REFERENCES memory.memories (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('supersedes', 'duplicate_of')),
    similarity    real,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (memory_id, target_id, kind),
    CHECK (memory_id <> target_id)
);
CREATE INDEX links_target ON memory.links (target_id);

-- Knowledge: collections of documents, cut into chunks that cite where they come from.
CREATE TABLE memory.collections (
    id            uuid PRIMARY KEY,
    name          text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    description   text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    -- `user`: the owner and the users it is shared with; `circle`: the circle's members;
    -- `global`: every signed-in user (changed by admins).
    scope         text NOT NULL CHECK (scope IN ('user', 'circle', 'global')),
    scope_id      uuid,
    owner_id      uuid NOT NULL REFERENCES auth.users (id) ON DELETE RESTRICT,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((scope = 'global') = (scope_id IS NULL)),
    UNIQUE (name)
);

CREATE TABLE memory.collection_shares (
    collection_id uuid NOT NULL REFERENCES memory.collections (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    PRIMARY KEY (collection_id, user_id)
);
CREATE INDEX collection_shares_user ON memory.collection_shares (user_id);

CREATE TABLE memory.documents (
    id            uuid PRIMARY KEY,
    collection_id uuid NOT NULL REFERENCES memory.collections (id) ON DELETE CASCADE,
    -- The file name as uploaded (no directories).
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    content_type  text NOT NULL,
    sha256        bytea NOT NULL CHECK (length(sha256) = 32),
    bytes         bigint NOT NULL CHECK (bytes >= 0),
    chunk_count   integer NOT NULL DEFAULT 0,
    uploaded_by   uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (collection_id, name)
);

CREATE TABLE memory.chunks (
    id            uuid PRIMARY KEY,
    document_id   uuid NOT NULL REFERENCES memory.documents (id) ON DELETE CASCADE,
    -- 0-based order in the document.
    position      integer NOT NULL CHECK (position >= 0),
    -- The headings above the chunk, outermost first (a page number for a PDF: `page 3`).
    heading_path  text[] NOT NULL DEFAULT '{}',
    content       text NOT NULL CHECK (length(content) >= 1),
    content_sha   bytea NOT NULL CHECK (length(content_sha) = 32),
    tokens        integer NOT NULL,
    search        tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
    UNIQUE (document_id, position)
);
CREATE INDEX chunks_search ON memory.chunks USING gin (search);

-- Embeddings already computed, by (model, sha256 of the text): the same text is never embedded
-- twice. `hits` counts the times the cache answered.
CREATE TABLE memory.embedding_cache (
    model         text NOT NULL,
    sha256        bytea NOT NULL CHECK (length(sha256) = 32),
    embedding     vector NOT NULL,
    hits          bigint NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, sha256)
);

-- Which embedding model search uses (`serving`) and which one new vectors are made with
-- (`target`). They differ while the server re-embeds everything for a new model: search keeps
-- using the old one until every memory and chunk has a vector of the new one.
CREATE TABLE memory.embedding_state (
    id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
    serving_model      text,
    serving_dimension  integer,
    target_model       text,
    target_dimension   integer,
    changed_at         timestamptz NOT NULL DEFAULT now(),
    changed_by         uuid REFERENCES auth.users (id) ON DELETE SET NULL
);
INSERT INTO memory.embedding_state (id) VALUES (true);

-- The memories a turn was given (recorded on the user's message that started the turn).
CREATE TABLE memory.recalls (
    message_id    uuid NOT NULL REFERENCES agents.messages (id) ON DELETE CASCADE,
    memory_id     uuid NOT NULL REFERENCES memory.memories (id) ON DELETE CASCADE,
    score         real NOT NULL,
    rank          integer NOT NULL,
    PRIMARY KEY (message_id, memory_id)
);
CREATE INDEX recalls_memory ON memory.recalls (memory_id);
