-- The scheduler: schedules (the validated request kept whole in `spec`, with the columns the
-- instances query), one row per occurrence executed (unique per (schedule, scheduled_for), so an
-- occurrence is executed once however many instances run), and in-app notifications. The schema
-- `scheduler` exists since 0001.

CREATE TABLE scheduler.schedules (
    id              uuid PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    owner_id        uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('cron', 'interval', 'once', 'event')),
    -- The request as validated (kind, timing, action, options); re-parsed when loaded.
    spec            jsonb NOT NULL,
    -- For `event` schedules: the event type they listen to.
    event_type      text,
    -- What interval occurrences count from (the start date, else the creation time).
    anchor_at       timestamptz NOT NULL,
    paused          boolean NOT NULL DEFAULT false,
    -- The earliest occurrence not fired yet; NULL when nothing more will fire (ended, its
    -- maximum reached, a `once` that fired, or an `event` schedule, which has no timetable).
    next_fire_at    timestamptz,
    -- Occurrences fired by the timetable or events (manual triggers and skipped ones excluded).
    executions      integer NOT NULL DEFAULT 0,
    last_fired_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- The instances' "what is due" query.
CREATE INDEX schedules_due_idx ON scheduler.schedules (next_fire_at)
    WHERE NOT paused AND next_fire_at IS NOT NULL;
CREATE INDEX schedules_event_idx ON scheduler.schedules (event_type)
    WHERE kind = 'event';

CREATE TABLE scheduler.runs (
    id            uuid PRIMARY KEY,
    schedule_id   uuid NOT NULL REFERENCES scheduler.schedules (id) ON DELETE CASCADE,
    -- The occurrence: its time on the timetable, the event's time, or the time of the request.
    scheduled_for timestamptz NOT NULL,
    trigger       text NOT NULL CHECK (trigger IN ('schedule', 'catch_up', 'event', 'manual')),
    -- For event-triggered runs: the event that fired it.
    event_id      uuid,
    status        text NOT NULL CHECK (status IN
                    ('pending', 'running', 'completed', 'failed', 'skipped')),
    -- Attempts started, and how many are allowed (1 + the retry count).
    attempts      integer NOT NULL DEFAULT 0,
    max_attempts  integer NOT NULL CHECK (max_attempts >= 1),
    -- The instance executing it and until when that holds (renewed by its heartbeat, beside the
    -- advisory lock it holds for the whole execution); an expired lease lets another take over.
    instance      uuid,
    lease_until   timestamptz,
    started_at    timestamptz,
    finished_at   timestamptz,
    duration_ms   bigint,
    -- From `scheduled_for` to the first attempt's start.
    fire_lag_ms   double precision,
    output        jsonb,
    error         text,
    created_at    timestamptz NOT NULL DEFAULT now()
);
-- Exactly once: one row per occurrence of the timetable, one per event.
CREATE UNIQUE INDEX runs_occurrence_idx ON scheduler.runs (schedule_id, scheduled_for)
    WHERE trigger IN ('schedule', 'catch_up');
CREATE UNIQUE INDEX runs_event_idx ON scheduler.runs (schedule_id, event_id)
    WHERE event_id IS NOT NULL;
CREATE INDEX runs_schedule_idx ON scheduler.runs (schedule_id, scheduled_for DESC, id DESC);
CREATE INDEX runs_live_idx ON scheduler.runs (schedule_id, created_at)
    WHERE status IN ('pending', 'running');

CREATE TABLE scheduler.notifications (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    title       text NOT NULL,
    message     text NOT NULL,
    level       text NOT NULL CHECK (level IN ('info', 'warning', 'error')),
    schedule_id uuid REFERENCES scheduler.schedules (id) ON DELETE SET NULL,
    run_id      uuid,
    read_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user_idx ON scheduler.notifications (user_id, id DESC);
-- A run's notification is created once, however many attempts it takes.
CREATE UNIQUE INDEX notifications_run_idx ON scheduler.notifications (run_id)
    WHERE run_id IS NOT NULL;

-- How far in the outbox event schedules were handled (by any instance): a scheduler starting
-- after none ran reads the events published meanwhile from there.
CREATE TABLE scheduler.event_cursor (
    id  boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq bigint NOT NULL
);
