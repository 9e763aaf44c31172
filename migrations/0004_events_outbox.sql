-- The event outbox: events that describe a state change, written in the transaction of the
-- change. `seq` is taken from the sequence under a transaction-level advisory lock held until
-- commit, so seq order is commit order: a reader that has seen seq N has seen every committed
-- event below N (aborted transactions leave harmless holes).
CREATE SEQUENCE events.outbox_seq;
CREATE TABLE events.outbox (
    seq    bigint PRIMARY KEY,
    id     uuid NOT NULL UNIQUE,
    type   text NOT NULL,
    ts     timestamptz NOT NULL DEFAULT now(),
    scope  jsonb NOT NULL DEFAULT '{}',
    actor  uuid,
    data   jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX outbox_ts_idx ON events.outbox (ts);
