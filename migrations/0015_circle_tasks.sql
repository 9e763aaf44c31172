-- Circle tasks: routed by the facilitator to the best-scoring agent, which accepts or refuses,
-- works (an agent turn whose answer is the submission) and is reviewed by another agent (or a
-- person). Each step the server takes by itself (an agent deciding, working, reviewing) is
-- claimed by one instance under a lease (`claimed_by`, `lease_until`): another instance takes
-- it again when that lease runs out. Every step is a row of `task_history`.
CREATE TABLE circles.tasks (
    id           uuid PRIMARY KEY,
    circle_id    uuid NOT NULL REFERENCES circles.circles (id) ON DELETE CASCADE,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description  text NOT NULL DEFAULT '' CHECK (octet_length(description) <= 16384),
    competencies text[] NOT NULL DEFAULT '{}',
    priority     text NOT NULL DEFAULT 'medium'
                 CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    status       text NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'offered', 'claimed', 'in_progress', 'review',
                                   'changes_requested', 'done', 'blocked')),
    -- The agent doing the work (the author of the submission).
    assignee_id  uuid REFERENCES agents.agents (id) ON DELETE SET NULL,
    -- The agent the task is offered to, while it decides.
    offered_to   uuid REFERENCES agents.agents (id) ON DELETE SET NULL,
    -- Agents that refused it: never offered it again.
    refused_by   uuid[] NOT NULL DEFAULT '{}',
    -- The agent reviewing the submission; null in review: a person reviews.
    reviewer_id  uuid REFERENCES agents.agents (id) ON DELETE SET NULL,
    -- 1, and one more each time changes are requested.
    iteration    integer NOT NULL DEFAULT 1,
    result       text,
    review_note  text,
    -- Files or resources the task touches: two agents on one of them is a conflict.
    resources    text[] NOT NULL DEFAULT '{}',
    created_by   uuid NOT NULL REFERENCES auth.users (id) ON DELETE RESTRICT,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    -- The instance taking the task's current step, under a lease its heartbeat renews.
    claimed_by   uuid,
    lease_until  timestamptz,
    -- Failed tries of the current step (a model error, a timeout); the task is blocked after 3.
    attempts     integer NOT NULL DEFAULT 0
);
CREATE INDEX tasks_circle ON circles.tasks (circle_id, id);
CREATE INDEX tasks_assignee ON circles.tasks (assignee_id)
    WHERE status IN ('claimed', 'in_progress', 'review', 'changes_requested');
CREATE INDEX tasks_steps ON circles.tasks (updated_at)
    WHERE status IN ('offered', 'claimed', 'in_progress', 'changes_requested', 'review');

CREATE TABLE circles.task_history (
    id         uuid PRIMARY KEY,
    task_id    uuid NOT NULL REFERENCES circles.tasks (id) ON DELETE CASCADE,
    step       text NOT NULL,
    agent_id   uuid,
    user_id    uuid,
    detail     jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_history_task ON circles.task_history (task_id, id);

CREATE TABLE circles.conflicts (
    id          uuid PRIMARY KEY,
    circle_id   uuid NOT NULL REFERENCES circles.circles (id) ON DELETE CASCADE,
    resource    text NOT NULL,
    task_ids    uuid[] NOT NULL,
    agent_ids   uuid[] NOT NULL,
    detected_at timestamptz NOT NULL DEFAULT now(),
    -- Set when one of the tasks is done or blocked.
    resolved_at timestamptz
);
CREATE INDEX conflicts_circle ON circles.conflicts (circle_id, id);
