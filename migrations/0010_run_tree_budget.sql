-- The work budget of a run's tree (issue 19, hostile input): one fan-out is bounded, but fan-outs
-- nested through sub-pipelines multiplied. Every child run (a fan-out's item, a sub-pipeline's
-- run) charges its number of nodes to its root run's count when it is created, and is refused
-- once the tree would pass its budget.
ALTER TABLE pipeline.runs
    ADD COLUMN tree_node_runs integer NOT NULL DEFAULT 0 CHECK (tree_node_runs >= 0);
