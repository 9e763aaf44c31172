-- API keys for scripts and integrators, and the per-account login backoff.

-- A key is shown once at creation; only its sha256 is kept, with a short visible prefix so a
-- user can tell their keys apart. Its role is at most its creator's (checked when created, and
-- again on every use against the creator's current role).
CREATE TABLE auth.api_keys (
    id            uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix        text NOT NULL,
    key_hash      bytea NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_keys_user_idx ON auth.api_keys (user_id, id);

-- Failed logins per email (known or not, so the backoff says nothing about which accounts
-- exist), keyed by the lower-cased email. Cleared by a successful login, purged when stale.
CREATE TABLE auth.login_failures (
    email_key      text PRIMARY KEY,
    failures       integer NOT NULL CHECK (failures > 0),
    last_failed_at timestamptz NOT NULL DEFAULT now(),
    blocked_until  timestamptz
);
CREATE INDEX login_failures_last_idx ON auth.login_failures (last_failed_at);
