-- Causation and loop protection (issue 19): how deep in a chain of schedule -> run -> events ->
-- schedule each schedule run and each pipeline run started by one is, so a chain past the bound
-- is refused; why the scheduler paused a schedule (a runaway); and an index for the per-schedule
-- rate bound on event-triggered runs.

-- 0 for a run of the timetable or a manual trigger; for an event-triggered run, the depth of
-- the event that fired it plus one.
ALTER TABLE scheduler.runs ADD COLUMN depth integer NOT NULL DEFAULT 0 CHECK (depth >= 0);
-- Event-triggered runs of one schedule by creation time (the rate bound counts the last minute).
CREATE INDEX runs_event_recent_idx ON scheduler.runs (schedule_id, created_at)
    WHERE trigger = 'event';
-- Set when the scheduler itself paused the schedule (a chain too deep, or firing too often);
-- cleared when someone pauses or resumes it.
ALTER TABLE scheduler.schedules ADD COLUMN paused_reason text;

-- A pipeline run started by a schedule run: {"schedule_id", "run_id", "depth"} of that run.
-- Sub-pipeline runs and fan-out items inherit their parent's.
ALTER TABLE pipeline.runs ADD COLUMN causation jsonb;
