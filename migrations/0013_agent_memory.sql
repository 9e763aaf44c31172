-- What an agent remembers in a turn: how many tokens of memories its prompt may hold (0: none),
-- how relevant a memory must be to be given (the cosine similarity between the message and the
-- memory; a memory found by keywords only, without a similarity, is given only at 0), and
-- whether its model extracts memories from each finished turn.
ALTER TABLE agents.agents
    ADD COLUMN memory_budget_tokens integer NOT NULL DEFAULT 512
        CHECK (memory_budget_tokens BETWEEN 0 AND 8192),
    ADD COLUMN memory_threshold real NOT NULL DEFAULT 0
        CHECK (memory_threshold BETWEEN 0 AND 1),
    ADD COLUMN extract_memories boolean NOT NULL DEFAULT false;
