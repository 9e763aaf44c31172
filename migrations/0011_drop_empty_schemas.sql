-- The foundation created one schema per planned module ahead of time. Five stayed empty: the
-- tables of agents and conversations live in `agents`, and memory, circles and workspaces are
-- not built yet. A schema arrives with the migration of the module that fills it; RESTRICT
-- refuses to drop one that holds anything.
DROP SCHEMA IF EXISTS agent RESTRICT;
DROP SCHEMA IF EXISTS circle RESTRICT;
DROP SCHEMA IF EXISTS conversation RESTRICT;
DROP SCHEMA IF EXISTS memory RESTRICT;
DROP SCHEMA IF EXISTS workspace RESTRICT;
