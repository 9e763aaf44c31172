-- Foundation: the vector extension and one schema per domain module. Tables arrive with the
-- issues that build each module. Runs on the embedded cluster and on any PostgreSQL >= 16 with
-- pgvector >= 0.8; nothing here needs PostgreSQL 18.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE SCHEMA IF NOT EXISTS auth;
CREATE SCHEMA IF NOT EXISTS events;
CREATE SCHEMA IF NOT EXISTS agent;
CREATE SCHEMA IF NOT EXISTS circle;
CREATE SCHEMA IF NOT EXISTS conversation;
CREATE SCHEMA IF NOT EXISTS memory;
CREATE SCHEMA IF NOT EXISTS workspace;
CREATE SCHEMA IF NOT EXISTS pipeline;
CREATE SCHEMA IF NOT EXISTS scheduler;
