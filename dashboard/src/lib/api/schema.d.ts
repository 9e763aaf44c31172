// Generated from the server's OpenAPI document by `npm run api-types`. Do not edit.

export interface paths {
    "/api/agents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List agents, oldest first; `q` searches their names. */
        get: operations["agents_list"];
        put?: never;
        /**
         * Create an agent from a persona. The model defaults to the persona's, else the server's;
         *     the tools to the persona's `allowed_skills`.
         */
        post: operations["agents_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/agents/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One agent. */
        get: operations["agents_get"];
        put?: never;
        post?: never;
        /** Delete an agent and its place in conversations (its owner or an admin). */
        delete: operations["agents_delete"];
        options?: never;
        head?: never;
        /** Change an agent (its owner or an admin). */
        patch: operations["agents_update"];
        trace?: never;
    };
    "/api/agents/{id}/chat": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Talk to an agent. Whole answer as JSON, or with `stream: true` / `Accept:
         *     text/event-stream` Server-Sent Events named by step: `queued`, `started`, `delta`,
         *     `tool_call`, `tool_result`, `completed` or `error`. A busy agent queues the turn; a full
         *     queue answers 429 `agent_busy`. Closing the connection cancels the turn.
         */
        post: operations["agents_chat"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List API keys (revoked ones included), oldest first. */
        get: operations["api_keys_list"];
        put?: never;
        /** Create an API key. Its secret is in this response and never again. */
        post: operations["api_keys_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key: it stops working at once, on every instance. */
        delete: operations["api_keys_revoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read the audit log. */
        get: operations["audit_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exchange email and password for an access token and a refresh token. */
        post: operations["auth_login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke this access token and its session's refresh tokens. */
        post: operations["auth_logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user. */
        get: operations["auth_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchange a refresh token for a new pair; the old refresh token stops working. Presenting
         *     it again revokes the whole session.
         */
        post: operations["auth_refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create an account, when self-registration is on (`auth.self_registration`; off by
         *     default). The account gets `auth.self_registration_role` (viewer by default).
         */
        post: operations["auth_register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in with email and password: the access token in the body, the refresh token in an
         *     `HttpOnly` cookie.
         * @description Sign in for a browser. Same checks, login backoff and rate-limit tier as `POST /api/auth/login`. The body has the access token (keep it in memory) and the user, never the refresh token. Sets two cookies, both `SameSite=Strict` with `Max-Age` = the refresh-token lifetime, `Secure` over HTTPS (or with `auth.secure_cookies`): `gathering_refresh=<refresh token>; HttpOnly; Path=/api/auth/session` and `gathering_csrf=<hex sha256 of "gathering-csrf:" + refresh token>; Path=/` (readable by scripts: send it back as `X-CSRF-Token`).
         */
        post: operations["auth_sign_in"];
        /**
         * Sign out: revoke the cookie's session, and the bearer access token if one is sent.
         * @description Revokes the session of the `gathering_refresh` cookie (its refresh tokens and the access tokens issued with them); with `Authorization: Bearer <access token>` also that token, as `POST /api/auth/logout` does. Clears both cookies. Idempotent: without a valid cookie it still answers 204 and clears them. When the refresh cookie is present, `X-CSRF-Token` must match the `gathering_csrf` cookie (else 403 `csrf_failed`, nothing revoked).
         */
        delete: operations["auth_sign_out"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/session/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate the session's refresh token (from its cookie) for a new access token.
         * @description No body. Needs the `gathering_refresh` cookie and the header `X-CSRF-Token` equal to the `gathering_csrf` cookie. Answers like `POST /api/auth/session` with both cookies rotated. A refresh token presented twice revokes its whole session (reuse detection). A missing, invalid, expired or revoked refresh cookie is 401 and clears both cookies (`Max-Age=0`); a missing or wrong `X-CSRF-Token` is 403 `csrf_failed` and changes nothing.
         */
        post: operations["auth_refresh_session"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The circles you belong to (admins: all), oldest first. */
        get: operations["circles_list"];
        put?: never;
        /** Create a circle; you are its first owner. */
        post: operations["circles_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A circle with its agents and people, and your role in it. */
        get: operations["circles_get"];
        put?: never;
        post?: never;
        /** Archive a circle (owners): its history stays, nothing new starts in it. */
        delete: operations["circles_archive"];
        options?: never;
        head?: never;
        /** Change a circle's purpose or settings (owners). */
        patch: operations["circles_update"];
        trace?: never;
    };
    "/api/circles/{name}/agents/{agent}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Add an agent you own to the circle, or change its role, competencies and what it reviews
         *     (owners).
         */
        put: operations["circles_put_agent"];
        post?: never;
        /** Remove an agent from the circle (owners). */
        delete: operations["circles_remove_agent"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/conflicts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The circle's conflicts (two agents' live tasks on one resource), oldest first. */
        get: operations["circles_tasks_conflicts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/discussions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The circle's discussions, newest first. */
        get: operations["circles_discussions_list"];
        put?: never;
        /** Start a discussion (owners and participants); it runs in the background. */
        post: operations["circles_discussions_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/discussions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A discussion. */
        get: operations["circles_discussions_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/discussions/{id}/continue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Continue a finished discussion with its whole history. */
        post: operations["circles_discussions_continue_discussion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/discussions/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A discussion's messages after a seq, in order. */
        get: operations["circles_discussions_messages"];
        put?: never;
        /**
         * Post a message in a discussion (owners and participants); a discussion waiting for you
         *     goes on.
         */
        post: operations["circles_discussions_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/discussions/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause a discussion: the turn in flight finishes, then it holds. */
        post: operations["circles_discussions_pause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/discussions/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a paused discussion. */
        post: operations["circles_discussions_resume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/discussions/{id}/speaker": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Choose who speaks next (manual mode, or an override in any mode). */
        post: operations["circles_discussions_speaker"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/discussions/{id}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop a discussion now: the turn in flight is cancelled; the summary follows. */
        post: operations["circles_discussions_stop"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/people/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Add a person to the circle, or change their role or handle (owners). */
        put: operations["circles_put_person"];
        post?: never;
        /** Remove a person from the circle (owners; anyone may leave). The last owner cannot. */
        delete: operations["circles_remove_person"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A circle's tasks, oldest first. */
        get: operations["circles_tasks_list"];
        put?: never;
        /** Create a task (participants); it is open until routed. */
        post: operations["circles_tasks_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/tasks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A task with every step it went through. */
        get: operations["circles_tasks_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change an open task's title, description, priority, competencies or resources. */
        patch: operations["circles_tasks_update"];
        trace?: never;
    };
    "/api/circles/{name}/tasks/{id}/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Accept an offered task for the agent it is offered to. */
        post: operations["circles_tasks_accept"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/tasks/{id}/refuse": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Refuse an offered task for the agent it is offered to: the next best agent is offered it. */
        post: operations["circles_tasks_refuse"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/tasks/{id}/review": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Review a submission: approve (done), ask for changes (a new iteration) or reject (blocked,
         *     escalated to the owners).
         */
        post: operations["circles_tasks_review"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/circles/{name}/tasks/{id}/route": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The facilitator offers an open or blocked task to the best-scoring agent (blocked and
         *     escalated to the owners when no agent may take it).
         */
        post: operations["circles_tasks_route"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List conversations: your own (admins: everyone's), oldest first. */
        get: operations["conversations_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One conversation. */
        get: operations["conversations_get"];
        put?: never;
        post?: never;
        /** Delete a conversation and its messages (its owner or an admin). */
        delete: operations["conversations_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A page of the transcript, oldest first (`cursor`: the last message id of the page before). */
        get: operations["conversations_messages"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Page through events after `since`. */
        get: operations["events_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/events/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The live event stream as Server-Sent Events: history after `since` (or the
         *     `Last-Event-ID` header), then live events on the given topics, with no gap and no
         *     duplicate. Each message has `id: <seq>`, `event: <type>` and the event as JSON data; a
         *     `lagged` message says events were skipped while the client was slow (durable ones follow).
         */
        get: operations["events_stream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/knowledge/collections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the collections you may read, oldest first. */
        get: operations["knowledge_list_collections"];
        put?: never;
        /** Create a collection (yours; `global` ones by admins). */
        post: operations["knowledge_create_collection"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/knowledge/collections/{collection}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One collection, by id or name. */
        get: operations["knowledge_get_collection"];
        put?: never;
        post?: never;
        /** Delete a collection with its documents (its owner, or an admin). */
        delete: operations["knowledge_delete_collection"];
        options?: never;
        head?: never;
        /** Change a collection's description or who it is shared with (its owner, or an admin). */
        patch: operations["knowledge_update_collection"];
        trace?: never;
    };
    "/api/knowledge/collections/{collection}/documents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The documents of a collection, by name. */
        get: operations["knowledge_list_documents"];
        put?: never;
        /**
         * Upload documents into a collection you may change: each `file` part becomes a document
         *     (`ingested`), replaces the chunks of the document of the same name (`replaced`), or is left
         *     as it is when its bytes did not change (`unchanged`). All or nothing: when one file is
         *     refused, nothing is stored.
         */
        post: operations["knowledge_upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/knowledge/documents/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One document with its chunks in order. */
        get: operations["knowledge_get_document"];
        put?: never;
        post?: never;
        /** Delete a document with its chunks (who may change its collection). */
        delete: operations["knowledge_delete_document"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/knowledge/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Search the chunks of the collections you may read: by meaning, by keywords, or both fused
         *     by reciprocal rank; each hit cites its collection, document, heading path and position.
         */
        post: operations["knowledge_search"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/llm/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List models (disabled ones included). */
        get: operations["llm_list_models"];
        put?: never;
        /** Register a model of a provider. */
        post: operations["llm_create_model"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/llm/models/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a model (the built-in local ones can only be disabled). */
        delete: operations["llm_delete_model"];
        options?: never;
        head?: never;
        /** Change a model: prices, limits, capabilities, fallback, enabled. */
        patch: operations["llm_update_model"];
        trace?: never;
    };
    "/api/llm/providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List providers. */
        get: operations["llm_list_providers"];
        put?: never;
        /**
         * Add a provider (an OpenAI-compatible server or Anthropic). Its API key stays in the
         *     server's environment: `secret_ref` names the variable (`env:NAME`).
         */
        post: operations["llm_create_provider"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/llm/providers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a provider no model uses. */
        delete: operations["llm_delete_provider"];
        options?: never;
        head?: never;
        /** Change a provider's URL or secret reference. */
        patch: operations["llm_update_provider"];
        trace?: never;
    };
    "/api/llm/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Tokens and cost, grouped by model, user, day, agent or conversation. */
        get: operations["llm_usage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/mcp-servers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Registered MCP servers. */
        get: operations["mcp_servers_list_servers"];
        put?: never;
        /**
         * Register an MCP server: a command run over stdio, or a streamable HTTP URL. The server is
         *     reached and its tools listed before anything is stored.
         */
        post: operations["mcp_servers_create_server"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/mcp-servers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a server (its connection closes; agents keep the grant, which fails until a server
         *     of that name returns).
         */
        delete: operations["mcp_servers_delete_server"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/mcp-servers/{id}/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** List a server's tools again. */
        post: operations["mcp_servers_refresh_server"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/memories": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the memories you may see, newest first. */
        get: operations["memories_list"];
        put?: never;
        /**
         * Store a memory in a scope you may write: `user` (yours; blank `scope_id`), `agent` (an
         *     agent you own), `conversation` (one of yours), `circle` (a circle you belong to), `global`
         *     (admins).
         */
        post: operations["memories_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/memories/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One memory with every version, newest first. */
        get: operations["memories_get"];
        put?: never;
        post?: never;
        /** Delete a memory (soft: search no longer returns it; an admin can purge it). */
        delete: operations["memories_delete"];
        options?: never;
        head?: never;
        /** Change a memory: a new version; the old ones stay readable. */
        patch: operations["memories_update"];
        trace?: never;
    };
    "/api/memories/{id}/purge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Delete a memory for good, with its versions, links and vectors (admins). */
        post: operations["memories_purge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/memories/embedding": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The embedding models and, for admins, how far their vectors are. */
        get: operations["memories_embedding"];
        /**
         * Change the embedding model (admins): everything is re-embedded in the background and the
         *     new model serves search once done; the old one serves meanwhile.
         */
        put: operations["memories_set_embedding"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/memories/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Search the memories you may see: by meaning, by keywords, or both fused by reciprocal rank. */
        post: operations["memories_search"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's notifications, newest first. */
        get: operations["notifications_notifications"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark one of the caller's notifications read. */
        post: operations["notifications_mark_read"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What there is and what is going on. Counts follow the lists' rules: schedules are the
         *     caller's own (everyone's for an admin), `users` and `mcp_servers` are `null` unless the
         *     caller is an admin, and `usage_today` is the caller's own calls (everyone's for an admin).
         */
        get: operations["overview_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/personas": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List personas, oldest first; `q` searches their name, display name and role. */
        get: operations["personas_list"];
        put?: never;
        /** Create a persona. */
        post: operations["personas_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/personas/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One persona. */
        get: operations["personas_get"];
        /** Replace a persona (its creator or an admin). */
        put: operations["personas_update"];
        post?: never;
        /** Delete a persona no agent uses (its creator or an admin). */
        delete: operations["personas_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/personas/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check a persona file with the server's parser (that of `gathering personas import`) and
         *     answer with its fields, ready for `POST`/`PUT /api/personas`. Nothing is stored.
         */
        post: operations["personas_check"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipeline-runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One run with every node's state. */
        get: operations["pipeline_runs_get_run"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipeline-runs/{id}/approvals/{node_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Decide an approval node that waits: its `approvers` (user ids or emails), or any member
         *     when it names none. 409 when it is not waiting (decided, timed out, or not started).
         */
        post: operations["pipeline_runs_decide"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipeline-runs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stop a run (who started it, the pipeline's owner or an admin): its running nodes are
         *     cancelled (aborted if they do not stop within `pipelines.cancel_grace_secs`), wherever it
         *     runs. 409 when it has already ended.
         */
        post: operations["pipeline_runs_cancel_run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipeline-runs/{id}/rerun": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a failed, cancelled or timed-out run again as a new run: its completed and skipped
         *     nodes keep their outputs; the others run.
         */
        post: operations["pipeline_runs_rerun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipelines": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List pipelines, oldest first, each with its newest document; `q` searches their name and
         *     description.
         */
        get: operations["pipelines_list"];
        put?: never;
        /**
         * Store a pipeline (version 1). The document is validated whole; 422 lists the problems in
         *     `details.errors` (the first 100; `details.omitted` counts the rest).
         */
        post: operations["pipelines_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipelines/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One pipeline with its newest document. */
        get: operations["pipelines_get"];
        /**
         * Replace the document (the owner or an admin): a new version. Runs already started keep
         *     the version they started on.
         */
        put: operations["pipelines_update"];
        post?: never;
        /** Delete a pipeline with its versions, runs and breakers (the owner or an admin). */
        delete: operations["pipelines_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipelines/{id}/breakers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The circuit breakers of a pipeline's nodes (those that have run). */
        get: operations["pipelines_breakers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipelines/{id}/diff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What changed between two versions: nodes and edges added, removed and changed (before and
         *     after), and the top-level fields that changed.
         */
        get: operations["pipelines_diff"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipelines/{id}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The runs of a pipeline, newest first (without their nodes; `GET /api/pipeline-runs/{id}`
         *     has them), optionally only those in one status.
         */
        get: operations["pipelines_list_runs"];
        put?: never;
        /**
         * Start a run of the newest version. Answers 201 at once with the pending run; an engine
         *     (this instance's, or another's) executes it. Progress: `GET /api/pipeline-runs/{id}`,
         *     `pipeline_run.*` and `pipeline_node.*` events, `/ws/pipelines/{id}`.
         */
        post: operations["pipelines_start_run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipelines/{id}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every version, newest first. */
        get: operations["pipelines_versions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipelines/{id}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One version's document. */
        get: operations["pipelines_version"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipelines/{id}/webhook": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a run from outside, without a user's token: the pipeline's webhook secret in
         *     `X-Gathering-Webhook-Secret`, the body (a JSON object, or anything, kept under `body`) as
         *     the trigger data. The run acts as the pipeline's owner. 403 for a wrong or missing secret.
         */
        post: operations["pipelines_webhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipelines/{id}/webhook-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make (or replace) the pipeline's webhook secret (the owner or an admin); audited. */
        post: operations["pipelines_rotate_webhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipelines/node-types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every node type the validator knows, in the order of docs/pipelines.md, with the JSON
         *     Schema of its `config`.
         */
        get: operations["pipelines_node_types"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pipelines/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check a pipeline document without storing it: the shape, unknown keys, node types and
         *     configs (JSON Schema per type), edges, cycles (with their path), reachability from a
         *     trigger, and every expression. 200 whether or not it is valid; `errors` lists the first 100
         *     problems and `omitted` counts the rest. The check runs off the async workers in time linear
         *     in the document, within a 5 s budget (503 `request_timeout` past it).
         */
        post: operations["pipelines_validate_document"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's schedules (everyone's for an admin), oldest first. */
        get: operations["schedules_list"];
        put?: never;
        /**
         * Create a schedule, owned by the caller. Its actions act as its owner. Every field is checked;
         *     422 names the first one that is wrong in `details.field`.
         */
        post: operations["schedules_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One schedule with its next five fire times. */
        get: operations["schedules_get"];
        /**
         * Replace a schedule's definition (the owner or an admin); its next occurrence is computed from
         *     now, its count of executions kept.
         */
        put: operations["schedules_update"];
        post?: never;
        /** Delete a schedule and its runs (the owner or an admin). */
        delete: operations["schedules_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause: nothing fires until resumed (occurrences meanwhile are not caught up). */
        post: operations["schedules_pause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume from the next occurrence after now. */
        post: operations["schedules_resume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{id}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The schedule's executions, newest occurrence first: `scheduled_for`, status, attempts,
         *     instance, start, end, duration, fire lag, output or error.
         */
        get: operations["schedules_runs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{id}/trigger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Execute the action now, as a `manual` run (also when paused or finished; not counted
         *     against `max_executions`). 202: the run is executed asynchronously; follow it in `runs`.
         */
        post: operations["schedules_trigger"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The next fire times of a schedule definition, computed from now and not stored. The body is
         *     what `POST /api/schedules` takes, plus `count`; it is checked as creating it would be (422
         *     names the field). An event schedule has no fire times: `fires_on` says what fires it.
         */
        post: operations["schedules_preview"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/setup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether first-run setup is open (a setup token is pending and no admin exists). */
        get: operations["setup_status"];
        put?: never;
        /**
         * Create the first admin with the setup token, and sign in as them.
         * @description Creates the first admin (audited, `user.created` event, no actor: as from the command line) with the one-time token of the link `gathering serve` printed (`/setup#token=...`), spends the token, and signs the new admin in as `POST /api/auth/session` does: the access token in the body, the `gathering_refresh` and `gathering_csrf` cookies set. Two requests with the right token at once create one admin; the other gets 409.
         */
        post: operations["setup_complete"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tools": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every tool agents may be granted. */
        get: operations["tools_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List users, oldest first; `q` searches their email and display name, `role` and `status`
         *     narrow the list.
         */
        get: operations["users_list"];
        put?: never;
        /** Create a user. */
        post: operations["users_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One user. */
        get: operations["users_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change a user's name, role or disabled state. Takes effect on their next request; the
         *     last enabled admin cannot be demoted or disabled.
         */
        patch: operations["users_update"];
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is alive. */
        get: operations["health_live"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is ready for traffic. */
        get: operations["health_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics. Public unless `http.metrics_public = false`, in which case any
         *     signed-in principal (for example a viewer API key given to the scraper) may read them.
         */
        get: operations["metrics_render"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Chat with a model, whole or streamed (`stream: true`: Server-Sent Events of
         *     `chat.completion.chunk` objects, ending with `data: [DONE]`).
         */
        post: operations["v1_chat_completions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/embeddings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Embed texts. */
        post: operations["v1_embeddings"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The enabled models and the active agents (`agent:<name>`), OpenAI's way. */
        get: operations["v1_models"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description A stored agent. */
        Agent: {
            /** Format: date-time */
            created_at: string;
            /** @description Whether the agent's model extracts memories from each finished turn. */
            extract_memories: boolean;
            /** Format: uuid */
            id: string;
            /**
             * Format: int32
             * @description Overrides the server's default answer length.
             */
            max_tokens?: number | null;
            /**
             * Format: int32
             * @description How many rounds of tool calls one turn may make.
             */
            max_tool_iterations: number;
            /**
             * Format: int32
             * @description The most tokens of memories a turn's prompt holds (0: no memories in the prompt).
             */
            memory_budget_tokens: number;
            /**
             * Format: float
             * @description The least relevance (cosine similarity, 0 to 1) a memory needs to be given to a turn; a
             *     memory found by keywords only is given only at 0.
             */
            memory_threshold: number;
            /** @description A chat model of the registry. */
            model: string;
            name: string;
            /** Format: uuid */
            owner_id: string;
            /** Format: uuid */
            persona_id: string;
            persona_name: string;
            /** @description Added to the persona's prompt. */
            prompt_addition: string;
            status: components["schemas"]["AgentStatus"];
            /**
             * Format: float
             * @description Overrides the persona's temperature.
             */
            temperature?: number | null;
            /** @description Tools this agent may call. */
            tools: string[];
            /** Format: date-time */
            updated_at: string;
        };
        /** @description An agent in a circle. */
        AgentMember: {
            /** Format: date-time */
            added_at: string;
            /** Format: uuid */
            agent_id: string;
            competencies: string[];
            /** @description The agent's name: how it is addressed (`@name`). */
            name: string;
            /** Format: uuid */
            owner_id: string;
            /** @description What it may review; empty: anything. */
            reviews: string[];
            role: components["schemas"]["AgentRole"];
        };
        /** @description `PUT /api/circles/{name}/agents/{agent}`. */
        AgentMembership: {
            competencies?: string[];
            reviews?: string[];
            role: components["schemas"]["AgentRole"];
        };
        /** @description `PATCH /api/agents/{id}`: the fields to change. */
        AgentPatch: {
            extract_memories?: boolean | null;
            /** Format: int32 */
            max_tokens?: number | null;
            /** Format: int32 */
            max_tool_iterations?: number | null;
            /** Format: int32 */
            memory_budget_tokens?: number | null;
            /** Format: float */
            memory_threshold?: number | null;
            model?: string | null;
            name?: string | null;
            /** Format: uuid */
            persona_id?: string | null;
            prompt_addition?: string | null;
            status?: null | components["schemas"]["AgentStatus"];
            /** Format: float */
            temperature?: number | null;
            tools?: string[] | null;
        };
        /**
         * @description What an agent does in a circle.
         * @enum {string}
         */
        AgentRole: "lead" | "member" | "specialist" | "reviewer" | "observer";
        /** @enum {string} */
        AgentStatus: "active" | "disabled";
        ApiKeyView: {
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            expires_at?: string | null;
            /** Format: uuid */
            id: string;
            /**
             * Format: date-time
             * @description Updated at most once a minute.
             */
            last_used_at?: string | null;
            name: string;
            /** @description The key's first characters, for telling keys apart. */
            prefix: string;
            /** Format: date-time */
            revoked_at?: string | null;
            role: string;
            /** Format: uuid */
            user_id: string;
        };
        AssistantMessage: {
            content?: string | null;
            role: string;
            tool_calls?: components["schemas"]["WireToolCall"][];
        };
        AuditEventView: {
            action: string;
            /** Format: uuid */
            actor_id?: string | null;
            details: Record<string, unknown>;
            /** Format: uuid */
            id: string;
            /** @description The client address (behind trusted proxies, the one they report). */
            ip?: string | null;
            outcome: string;
            request_id?: string | null;
            /** Format: date-time */
            ts: string;
        };
        /** @description The circuit breaker of one node of a pipeline, shared by its runs on every instance. */
        Breaker: {
            /**
             * Format: int32
             * @description Consecutive failed executions (after retries).
             */
            failures: number;
            node_id: string;
            /** Format: date-time */
            opened_at?: string | null;
            state: components["schemas"]["BreakerState"];
            /** Format: date-time */
            updated_at: string;
        };
        /**
         * @description A circuit breaker's state.
         * @enum {string}
         */
        BreakerState: "closed" | "open" | "half_open";
        /** @description `POST /api/agents/{id}/chat`. */
        ChatBody: {
            /**
             * Format: uuid
             * @description Continue this conversation (yours); without it a new one starts.
             */
            conversation_id?: string | null;
            /**
             * Format: int32
             * @description Overrides the agent's answer length for this turn.
             */
            max_tokens?: number | null;
            message: string;
            /** @description Stream as Server-Sent Events (also chosen by `Accept: text/event-stream`). */
            stream?: boolean;
            /**
             * Format: float
             * @description Overrides the agent's temperature for this turn.
             */
            temperature?: number | null;
        };
        ChatChoice: {
            finish_reason: string;
            /** Format: int32 */
            index: number;
            logprobs?: Record<string, unknown> | null;
            message: components["schemas"]["AssistantMessage"];
        };
        ChatCompletion: {
            choices: components["schemas"]["ChatChoice"][];
            /** Format: int64 */
            created: number;
            id: string;
            model: string;
            object: string;
            usage: components["schemas"]["UsageObject"];
        };
        /** @description `POST /v1/chat/completions`. */
        ChatCompletionRequest: {
            /** Format: int32 */
            max_completion_tokens?: number | null;
            /** Format: int32 */
            max_tokens?: number | null;
            messages: components["schemas"]["WireMessage"][];
            model: string;
            /** Format: int32 */
            n?: number | null;
            /** Format: int64 */
            seed?: number | null;
            /** @description A string or a list of up to 4 strings. */
            stop?: Record<string, unknown> | null;
            stream?: boolean;
            stream_options?: null | components["schemas"]["StreamOptions"];
            /** Format: float */
            temperature?: number | null;
            tools?: components["schemas"]["WireTool"][];
            /** Format: float */
            top_p?: number | null;
        };
        /** @description The whole answer of a turn. */
        ChatReply: {
            content: string;
            /** Format: uuid */
            conversation_id: string;
            /** @description stop, length or iteration_limit. */
            finish: string;
            /** Format: int64 */
            latency_ms: number;
            /** Format: uuid */
            message_id: string;
            model: string;
            /** @description The memories the turn's prompt was given, most relevant first. */
            recalled: components["schemas"]["RecalledMemory"][];
            tool_calls: components["schemas"]["ToolCallView"][];
            /** Format: int32 */
            tool_rounds: number;
            usage: Record<string, unknown>;
        };
        /** @description A stored circle. */
        Circle: {
            /**
             * Format: date-time
             * @description Set when archived: the history stays, nothing new starts.
             */
            archived_at?: string | null;
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            id: string;
            name: string;
            /** Format: uuid */
            owner_id: string;
            purpose: string;
            settings: components["schemas"]["CircleSettings"];
            /** Format: date-time */
            updated_at: string;
        };
        /** @description Two agents' tasks on the same resource. */
        CircleConflict: {
            agent_ids: string[];
            /** Format: uuid */
            circle_id: string;
            /** Format: date-time */
            detected_at: string;
            /** Format: uuid */
            id: string;
            /**
             * Format: date-time
             * @description Set when one of the tasks is done or blocked.
             */
            resolved_at?: string | null;
            resource: string;
            task_ids: string[];
        };
        /** @description A circle with its members, and what the caller is in it. */
        CircleDetail: components["schemas"]["Circle"] & {
            agents: components["schemas"]["AgentMember"][];
            my_role?: null | components["schemas"]["PersonRole"];
            people: components["schemas"]["PersonMember"][];
        };
        /** @description `PATCH /api/circles/{name}`: what is given changes. */
        CirclePatch: {
            purpose?: string | null;
            settings?: null | components["schemas"]["CircleSettings"];
        };
        /**
         * @description What a reviewer decides.
         * @enum {string}
         */
        CircleReviewVerdict: "approve" | "changes" | "reject";
        /** @description A circle's settings: the defaults of its discussions and its task policy. */
        CircleSettings: {
            /**
             * @description The mode a discussion takes when it names none: round_robin, mention, free,
             *     facilitator, selector or manual.
             * @default round_robin
             */
            default_mode: string;
            /**
             * Format: int32
             * @description The turns a discussion takes at most when it sets no limit (1 to 500).
             * @default 12
             */
            max_turns: number;
            /**
             * @description Whether submitted task results go to a reviewer agent before they are done.
             * @default true
             */
            review_required: boolean;
            /**
             * Format: int64
             * @description Seconds one agent turn may take before it is recorded as timed out (1 to 3600).
             * @default 120
             */
            turn_timeout_secs: number;
        };
        /** @description A stored circle task. */
        CircleTask: {
            /**
             * Format: uuid
             * @description The agent doing the work (the author of the submission).
             */
            assignee_id?: string | null;
            assignee_name?: string | null;
            /** Format: uuid */
            circle_id: string;
            competencies: string[];
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            created_by: string;
            description: string;
            /** Format: uuid */
            id: string;
            /**
             * Format: int32
             * @description 1, and one more each time changes are requested.
             */
            iteration: number;
            /**
             * Format: uuid
             * @description The agent it is offered to, while it decides.
             */
            offered_to?: string | null;
            offered_to_name?: string | null;
            priority: components["schemas"]["CircleTaskPriority"];
            /** @description Agents that refused it; it is never offered to them again. */
            refused_by: string[];
            /** @description Files or resources the task touches. */
            resources: string[];
            /** @description The submission: the answer of the agent's work turn. */
            result?: string | null;
            /** @description The reviewer's last note. */
            review_note?: string | null;
            /**
             * Format: uuid
             * @description The agent reviewing the submission; none in review: a person reviews.
             */
            reviewer_id?: string | null;
            reviewer_name?: string | null;
            status: components["schemas"]["CircleTaskStatus"];
            title: string;
            /** Format: date-time */
            updated_at: string;
        };
        /** @description `POST …/tasks/{id}/accept`: the agent the task is offered to takes it. */
        CircleTaskAccept: {
            /** @description The agent's name or id. */
            agent: string;
        };
        /** @description A task with every step it went through. */
        CircleTaskDetail: components["schemas"]["CircleTask"] & {
            history: components["schemas"]["CircleTaskStep"][];
        };
        /** @description `PATCH /api/circles/{name}/tasks/{id}` (an open task): what is given changes. */
        CircleTaskPatch: {
            competencies?: string[] | null;
            description?: string | null;
            priority?: string | null;
            resources?: string[] | null;
            title?: string | null;
        };
        /**
         * @description How urgent a task is.
         * @enum {string}
         */
        CircleTaskPriority: "low" | "medium" | "high" | "critical";
        /** @description `POST …/tasks/{id}/refuse`: the agent the task is offered to refuses it. */
        CircleTaskRefuse: {
            /** @description The agent's name or id. */
            agent: string;
            reason?: string;
        };
        /** @description `POST …/tasks/{id}/review`: a person's review. */
        CircleTaskReview: {
            /** @description Why; what to change (at most 16 KiB). */
            note?: string;
            verdict: components["schemas"]["CircleReviewVerdict"];
        };
        /**
         * @description Where a task is.
         * @enum {string}
         */
        CircleTaskStatus: "open" | "offered" | "claimed" | "in_progress" | "review" | "changes_requested" | "done" | "blocked";
        /** @description One step of a task, as the dashboard shows it. */
        CircleTaskStep: {
            /** Format: uuid */
            agent_id?: string | null;
            /** Format: date-time */
            created_at: string;
            detail: Record<string, unknown>;
            /** Format: uuid */
            id: string;
            /** @description created, changed, offered, accepted, refused, started, submitted, reviewed, escalated. */
            step: string;
            /** Format: uuid */
            user_id?: string | null;
        };
        /** @description `POST /api/knowledge/collections`. */
        CollectionBody: {
            description?: string;
            /**
             * @description Unique: 1 to 63 lowercase letters, digits, `.`, `_` and `-`, starting with a letter or
             *     digit.
             */
            name: string;
            /**
             * @description `user` (default: yours, and the users it is shared with), `circle` (its members) or
             *     `global` (everyone reads, admins change).
             */
            scope?: components["schemas"]["KnowledgeCollectionScope"];
            /**
             * Format: uuid
             * @description The circle of a `circle` collection; left out otherwise.
             */
            scope_id?: string | null;
            /** @description Users who may read it. */
            shared_with?: string[];
        };
        /** @description `PATCH /api/knowledge/collections/{collection}`. */
        CollectionPatchBody: {
            description?: string | null;
            /** @description The whole list of users who may read it (replaces the old one). */
            shared_with?: string[] | null;
        };
        /** @description `POST …/discussions/{id}/continue`: a finished discussion goes on with its history. */
        ContinueDiscussion: {
            /** @description A new message, posted as yours. */
            prompt?: string | null;
            /**
             * Format: int32
             * @description More agent turns (1 to 500; the circle's `max_turns` when left out).
             */
            turns?: number | null;
        };
        /** @description A stored conversation. */
        Conversation: {
            /** @description The agents taking part. */
            agent_ids: string[];
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            id: string;
            /** Format: int64 */
            message_count: number;
            /** Format: uuid */
            owner_id: string;
            /**
             * @description A running summary of the older messages (empty until the transcript outgrows an
             *     agent's context).
             */
            summary: string;
            /**
             * Format: int64
             * @description The last message position the summary covers.
             */
            summary_upto: number;
            title: string;
            /** Format: date-time */
            updated_at: string;
            /** @description The users taking part. */
            user_ids: string[];
        };
        /** @description Rows of one corpus, and how many have a vector of the serving model. */
        Coverage: {
            /** Format: int64 */
            embedded: number;
            /** Format: int64 */
            total: number;
        };
        CreateApiKeyRequest: {
            /**
             * Format: date-time
             * @description When the key stops working; never when absent.
             */
            expires_at?: string | null;
            /** @description What the key is for, 1 to 100 characters. */
            name: string;
            /** @description At most the creator's role, which is the default. */
            role?: string | null;
        };
        /** @description A new key: the only time its secret is shown. */
        CreatedApiKeyView: components["schemas"]["ApiKeyView"] & {
            /** @description The key itself (`gk_...`), sent as `Authorization: Bearer <key>`. Shown once. */
            secret: string;
        };
        CreateUserRequest: {
            display_name: string;
            email: string;
            password: string;
            /** @description `admin`, `member` or `viewer`. */
            role: string;
        };
        /** @description The body of an approval's decision. */
        Decision: {
            comment?: string | null;
            /** @description `approve` or `reject`. */
            decision: components["schemas"]["DecisionKind"];
        };
        /** @enum {string} */
        DecisionKind: "approve" | "reject";
        /** @description A discussion, as the API shows it. */
        Discussion: {
            /** @description The circle's name. */
            circle: string;
            /** Format: uuid */
            circle_id: string;
            /** Format: double */
            cost: number;
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            created_by: string;
            /**
             * @description marker, max_turns, max_tokens, max_cost, max_seconds, stopped, timeout, error or
             *     no_speaker.
             */
            end_reason?: string | null;
            /** Format: date-time */
            ended_at?: string | null;
            facilitator?: null | components["schemas"]["DiscussionAgent"];
            /** Format: uuid */
            id: string;
            limits: components["schemas"]["Limits"];
            mode: components["schemas"]["Mode"];
            next_speaker?: null | components["schemas"]["DiscussionAgent"];
            /** @description In speaking order. */
            participants: components["schemas"]["DiscussionAgent"][];
            prompt: string;
            save_summary: boolean;
            /**
             * Format: int64
             * @description What `free` mode draws from: the same seed gives the same speakers.
             */
            seed: number;
            /** Format: date-time */
            started_at?: string | null;
            status: components["schemas"]["DiscussionStatus"];
            /** @description Written when it ends (by the summary agent, or a digest of the turns). */
            summary?: string | null;
            summary_agent?: null | components["schemas"]["DiscussionAgent"];
            /**
             * Format: uuid
             * @description The circle memory the summary was saved as.
             */
            summary_memory_id?: string | null;
            /** Format: int64 */
            tokens: number;
            topic: string;
            /** @description Who may speak right after whom, by name; none: anyone. */
            transitions?: {
                [key: string]: string[];
            } | null;
            /**
             * Format: int32
             * @description Agent turns taken (timed-out and failed ones included).
             */
            turns: number;
            /** Format: date-time */
            updated_at: string;
            /** @description A waiting discussion waits for `speaker` (a person's choice) or `person:<user id>`. */
            waiting_for?: string | null;
        };
        /** @description An agent of a discussion. */
        DiscussionAgent: {
            /** Format: uuid */
            agent_id: string;
            name: string;
        };
        /** @description A message of a discussion. */
        DiscussionMessage: {
            /** Format: uuid */
            agent_id?: string | null;
            /** Format: int32 */
            completion_tokens: number;
            content: string;
            /**
             * Format: uuid
             * @description The agent's own conversation in this discussion.
             */
            conversation_id?: string | null;
            /** Format: double */
            cost: number;
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            id: string;
            kind: components["schemas"]["MessageKind"];
            /** Format: int32 */
            latency_ms?: number | null;
            /** @description The `@names` it mentions, in order. */
            mentions: string[];
            model?: string | null;
            /** Format: int32 */
            prompt_tokens: number;
            /**
             * Format: int32
             * @description 1, 2, … in the discussion.
             */
            seq: number;
            /** @description The agent's name or the person's handle. */
            speaker: string;
            status: components["schemas"]["MessageStatus"];
            /**
             * Format: int32
             * @description The agent turn number (agent messages).
             */
            turn?: number | null;
            /** Format: uuid */
            user_id?: string | null;
        };
        /**
         * @description Where a discussion is.
         * @enum {string}
         */
        DiscussionStatus: "pending" | "running" | "waiting" | "paused" | "completed" | "stopped" | "failed";
        /** @description The documents of a collection. */
        DocumentList: {
            items: components["schemas"]["KnowledgeDocument"][];
        };
        /** @description `PUT /api/memories/embedding`. */
        EmbeddingBody: {
            /** @description An enabled embedding model of the registry. */
            model: string;
        };
        /** @description `POST /v1/embeddings`. */
        EmbeddingRequest: {
            dimensions?: number | null;
            /** @description `float` (default) or `base64` (little-endian f32). */
            encoding_format?: string | null;
            /** @description A string or a list of strings. */
            input: Record<string, unknown>;
            model: string;
        };
        /** @description `GET /api/memories/embedding`. */
        EmbeddingStatus: {
            chunks?: null | components["schemas"]["Coverage"];
            memories?: null | components["schemas"]["Coverage"];
            /** @description Whether vectors of a new model are being made (search serves the old one meanwhile). */
            reembedding: boolean;
            serving_dimension?: number | null;
            serving_model?: string | null;
            target_dimension?: number | null;
            target_model?: string | null;
        };
        /** @description The wire shape of an error. */
        ErrorBody: {
            error: components["schemas"]["ErrorDetail"];
        };
        ErrorDetail: {
            /** @description A stable snake_case code from the error-code table. */
            code: string;
            details?: Record<string, unknown> | null;
            /** @description Human-readable text; never internals for 5xx. */
            message: string;
        };
        /** @description A page of event history. */
        EventPage: {
            items: components["schemas"]["EventView"][];
            /** @description Whether more history may follow. */
            more: boolean;
            /**
             * Format: int64
             * @description Pass as `since` for the next page (the last seq read, even when filtered out).
             */
            next_since: number;
        };
        /** @description An event on the wire (the same shape in WebSocket and SSE frames). */
        EventView: {
            /** Format: uuid */
            actor?: string | null;
            data: Record<string, unknown>;
            /** Format: uuid */
            id: string;
            /** @description The ids the event is about (`user_id`, `circle_id`, `agent_id`, ...). */
            scope: Record<string, unknown>;
            /**
             * Format: int64
             * @description Commit order; absent for ephemeral events.
             */
            seq?: number | null;
            /** Format: date-time */
            ts: string;
            /** @description Dotted type name, e.g. `user.created`; docs/events.md lists them. */
            type: string;
        };
        HealthStatus: {
            models?: null | components["schemas"]["ModelsStatus"];
            /** @description `ok` for liveness, `ready` for readiness. */
            status: string;
        };
        /** @description One memory found, with why. */
        Hit: {
            /**
             * Format: int32
             * @description 1-based rank among the keyword matches.
             */
            keyword_rank?: number | null;
            memory: components["schemas"]["Memory"];
            /**
             * Format: float
             * @description The fused score (hybrid), the similarity (semantic) or the text rank (keyword).
             */
            score: number;
            /**
             * Format: int32
             * @description 1-based rank among the semantic matches.
             */
            semantic_rank?: number | null;
            /**
             * Format: float
             * @description Cosine similarity to the query, when the vectors found it.
             */
            similarity?: number | null;
        };
        /** @description One chunk of a document. */
        KnowledgeChunk: {
            content: string;
            /**
             * @description The headings above it, outermost first (`page 3` for a PDF page; the file name and a
             *     row range for CSV rows).
             */
            heading_path: string[];
            /** Format: uuid */
            id: string;
            /**
             * Format: int32
             * @description 0-based order in the document.
             */
            position: number;
            /** Format: int32 */
            tokens: number;
        };
        /** @description A stored collection. */
        KnowledgeCollection: {
            /** Format: date-time */
            created_at: string;
            description: string;
            /** Format: int64 */
            document_count: number;
            /** Format: uuid */
            id: string;
            name: string;
            /** Format: uuid */
            owner_id: string;
            scope: components["schemas"]["KnowledgeCollectionScope"];
            /**
             * Format: uuid
             * @description The owner (`user`) or the circle (`circle`); none for `global`.
             */
            scope_id?: string | null;
            /** @description The users it is shared with (they read it). */
            shared_with: string[];
            /** Format: date-time */
            updated_at: string;
        };
        /**
         * @description Who reads a collection: its owner and the users it is shared with (`user`), a circle's
         *     members (`circle`), or every signed-in user (`global`, changed by admins).
         * @enum {string}
         */
        KnowledgeCollectionScope: "user" | "circle" | "global";
        /** @description A stored document. */
        KnowledgeDocument: {
            /**
             * Format: int64
             * @description The size of the file.
             */
            bytes: number;
            /** Format: int32 */
            chunk_count: number;
            /** Format: uuid */
            collection_id: string;
            content_type: string;
            /** Format: date-time */
            created_at: string;
            /**
             * Format: int64
             * @description How many of its chunks have a vector of the serving embedding model (until then they
             *     are found by keywords only).
             */
            embedded_chunks: number;
            /** Format: uuid */
            id: string;
            /** @description The file name as uploaded (no directories). */
            name: string;
            /** @description The sha256 of the file, in hex. */
            sha256: string;
            /** Format: date-time */
            updated_at: string;
            /** Format: uuid */
            uploaded_by?: string | null;
        };
        /** @description A document with its chunks in order. */
        KnowledgeDocumentDetail: components["schemas"]["KnowledgeDocument"] & {
            chunks: components["schemas"]["KnowledgeChunk"][];
        };
        /** @description A chunk found, with where it comes from. */
        KnowledgeHit: {
            /** Format: uuid */
            chunk_id: string;
            /** Format: uuid */
            collection_id: string;
            collection_name: string;
            content: string;
            /** Format: uuid */
            document_id: string;
            document_name: string;
            /** @description The headings above it, outermost first. */
            heading_path: string[];
            /**
             * Format: int32
             * @description 1-based rank among the keyword matches.
             */
            keyword_rank?: number | null;
            /**
             * Format: int32
             * @description The chunk's 0-based order in its document.
             */
            position: number;
            /**
             * Format: float
             * @description The fused score (hybrid), the similarity (semantic) or the text rank (keyword).
             */
            score: number;
            /**
             * Format: int32
             * @description 1-based rank among the semantic matches.
             */
            semantic_rank?: number | null;
            /**
             * Format: float
             * @description Cosine similarity to the query, when the vectors found it.
             */
            similarity?: number | null;
        };
        /** @description What a knowledge search found, and with which embedding model. */
        KnowledgeResult: {
            items: components["schemas"]["KnowledgeHit"][];
            mode: components["schemas"]["SearchMode"];
            /** @description The embedding model of the vectors searched (none when keywords only). */
            model?: string | null;
        };
        /** @description `POST /api/knowledge/search`. */
        KnowledgeSearchBody: {
            /** @description Only these collections (ids or names); every one you may read when left out. */
            collections?: string[];
            /** @description 1 to 100; 10 by default. */
            limit?: number | null;
            /** @description `hybrid` (default), `semantic` or `keyword`. */
            mode?: components["schemas"]["SearchMode"];
            query: string;
            /**
             * Format: float
             * @description The least cosine similarity of a semantic match, 0 to 1.
             */
            threshold?: number | null;
        };
        /** @description A schedule's most recent run, as the schedule's view shows it. */
        LastRun: {
            /** Format: date-time */
            finished_at?: string | null;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            scheduled_for: string;
            /** @description `pending`, `running`, `completed`, `failed` or `skipped`. */
            status: string;
            /** @description `schedule`, `catch_up`, `event` or `manual`. */
            trigger: string;
        };
        /**
         * @description A discussion's limits; every field is optional in JSON (defaults below), unknown ones are
         *     refused.
         */
        Limits: {
            /**
             * Format: double
             * @description Cost of all turns (the model registry's unit), above 0; none by default.
             * @default null
             */
            max_cost: number | null;
            /**
             * Format: int64
             * @description Wall-clock seconds from the start, 1 to 2,592,000 (30 days); none by default.
             * @default null
             */
            max_seconds: number | null;
            /**
             * Format: int64
             * @description Prompt and completion tokens of all turns, 1 to 10^12; none by default.
             * @default null
             */
            max_tokens: number | null;
            /**
             * Format: int32
             * @description Agent turns, 1 to 500; default 12.
             * @default 12
             */
            max_turns: number;
            /** @default continue */
            on_timeout: components["schemas"]["OnTimeout"];
            /**
             * Format: int64
             * @description Seconds one agent turn may take, 1 to 3600; default 120.
             * @default 120
             */
            turn_timeout_secs: number;
        };
        /**
         * @description How two memories relate.
         * @enum {string}
         */
        LinkKind: "supersedes" | "duplicate_of";
        LoginRequest: {
            email: string;
            password: string;
        };
        /** @description A registered MCP server. */
        McpServer: {
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            created_by?: string | null;
            enabled: boolean;
            /** Format: uuid */
            id: string;
            name: string;
            risk: string;
            /** Format: int32 */
            timeout_ms: number;
            /** @description The tools the server offered when last listed. */
            tools: Record<string, unknown>[];
            /**
             * @description `{kind: "stdio", command, args, env}` or `{kind: "http", url}`. Environment values are
             *     shown as `***`.
             */
            transport: Record<string, unknown>;
            /** Format: date-time */
            updated_at: string;
        };
        /** @description A stored memory, as it is now. */
        Memory: {
            content: string;
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            created_by?: string | null;
            /** Format: uuid */
            created_by_agent?: string | null;
            /** Format: date-time */
            deleted_at?: string | null;
            /**
             * @description Whether its vector of the serving embedding model is written (until then it is found
             *     by keywords only).
             */
            embedded: boolean;
            /** Format: date-time */
            expires_at?: string | null;
            /** Format: uuid */
            id: string;
            /** Format: float */
            importance: number;
            /** @description Links from and to it. */
            links: components["schemas"]["MemoryLink"][];
            scope: components["schemas"]["ScopeKind"];
            /** Format: uuid */
            scope_id?: string | null;
            source: components["schemas"]["Provenance"];
            tags: string[];
            type: components["schemas"]["MemoryType"];
            /** Format: date-time */
            updated_at: string;
            /** Format: int32 */
            version: number;
        };
        /** @description A memory with every version, newest first. */
        MemoryDetail: components["schemas"]["Memory"] & {
            versions: components["schemas"]["MemoryVersion"][];
        };
        MemoryLink: {
            kind: components["schemas"]["LinkKind"];
            /** Format: uuid */
            memory_id: string;
            /**
             * Format: float
             * @description The cosine similarity that made a `duplicate_of` link (1 for identical text).
             */
            similarity?: number | null;
            /** Format: uuid */
            target_id: string;
        };
        /** @description `PATCH /api/memories/{id}`: a new version with these fields changed. */
        MemoryPatch: {
            content?: string | null;
            /**
             * Format: date-time
             * @description `null` clears it.
             */
            expires_at?: string | null;
            /** Format: float */
            importance?: number | null;
            tags?: string[] | null;
            type?: string | null;
        };
        /**
         * @description What kind of thing a memory records.
         * @enum {string}
         */
        MemoryType: "fact" | "preference" | "decision" | "episode" | "skill" | "relationship" | "context";
        /** @description One version of a memory. */
        MemoryVersion: {
            /** Format: date-time */
            changed_at: string;
            /** Format: uuid */
            changed_by?: string | null;
            /** Format: uuid */
            changed_by_agent?: string | null;
            content: string;
            /** Format: date-time */
            expires_at?: string | null;
            /** Format: float */
            importance: number;
            tags: string[];
            type: components["schemas"]["MemoryType"];
            /** Format: int32 */
            version: number;
        };
        /**
         * @description What a message is.
         * @enum {string}
         */
        MessageKind: "prompt" | "agent" | "person" | "system" | "summary";
        /** @description The messages of a discussion after a seq; `next_after` is the seq to ask after next. */
        MessagePage: {
            items: components["schemas"]["DiscussionMessage"][];
            /**
             * Format: int32
             * @description The last seq of this page (or `after` when it is empty).
             */
            next_after: number;
        };
        /** @description A memory a turn was given, and its relevance score. */
        MessageRecall: {
            /**
             * Format: uuid
             * @description The memory's id (`GET /api/memories/{id}`, for those who may read it).
             */
            id: string;
            /** Format: float */
            score: number;
        };
        /**
         * @description How an agent's turn went.
         * @enum {string}
         */
        MessageStatus: "ok" | "timed_out" | "failed";
        /**
         * @description How the next speaker is chosen.
         * @enum {string}
         */
        Mode: "round_robin" | "mention" | "free" | "facilitator" | "selector" | "manual";
        /** @description A model as users name it, with its provider resolved. */
        Model: {
            capabilities: string[];
            /** Format: int32 */
            context_window: number;
            /** Format: date-time */
            created_at: string;
            /** Format: int32 */
            dimension?: number | null;
            enabled: boolean;
            /** @description Tried when this model's provider fails. */
            fallback?: string | null;
            /** Format: uuid */
            id: string;
            /**
             * Format: double
             * @description US dollars per million prompt tokens.
             */
            input_price_per_mtok: number;
            kind: components["schemas"]["ModelKind"];
            name: string;
            /**
             * Format: double
             * @description US dollars per million generated tokens.
             */
            output_price_per_mtok: number;
            provider: string;
            provider_kind: components["schemas"]["ProviderKind"];
            /** @description The provider's own name for the model. */
            provider_model: string;
            /** Format: date-time */
            updated_at: string;
        };
        /** @enum {string} */
        ModelKind: "chat" | "embedding";
        ModelList: {
            data: components["schemas"]["ModelObject"][];
            object: string;
        };
        ModelObject: {
            /** Format: int64 */
            created: number;
            id: string;
            object: string;
            owned_by: string;
        };
        /** @description Changes to a model; absent fields stay. */
        ModelPatch: {
            capabilities?: string[] | null;
            /** Format: int32 */
            context_window?: number | null;
            enabled?: boolean | null;
            /** @description A model's name, or `null` for none. */
            fallback?: string | null;
            /** Format: double */
            input_price_per_mtok?: number | null;
            /** Format: double */
            output_price_per_mtok?: number | null;
            provider_model?: string | null;
        };
        ModelsStatus: {
            /** @description e.g. `cpu (burn-flex, 2 threads)` or `cuda:0 (burn-cuda)`. */
            device: string;
            /** @description Local models in memory now (they load on first use unless `models.preload`). */
            loaded: string[];
        };
        /**
         * @description `POST /api/agents`: an agent from a persona; everything but the name and persona defaults
         *     (the model to the persona's `default_model`, else the server's; the tools to the persona's
         *     `allowed_skills`).
         */
        NewAgent: {
            /** @description Default false. */
            extract_memories?: boolean | null;
            /** Format: int32 */
            max_tokens?: number | null;
            /** Format: int32 */
            max_tool_iterations?: number | null;
            /**
             * Format: int32
             * @description 0 to 8192; default 512.
             */
            memory_budget_tokens?: number | null;
            /**
             * Format: float
             * @description 0 to 1; default 0.
             */
            memory_threshold?: number | null;
            model?: string | null;
            name: string;
            /** Format: uuid */
            persona_id: string;
            prompt_addition?: string | null;
            /** Format: float */
            temperature?: number | null;
            tools?: string[] | null;
        };
        /** @description `POST /api/circles`. */
        NewCircle: {
            name: string;
            purpose?: string;
            settings?: null | components["schemas"]["CircleSettings"];
        };
        /** @description `POST /api/circles/{name}/tasks`. */
        NewCircleTask: {
            /** @description What the work needs; the facilitator routes by them. */
            competencies?: string[];
            /** @description At most 16 KiB. */
            description?: string;
            /** @description low, medium (the default), high or critical, in any case. */
            priority?: string | null;
            /** @description Files or resources the task touches. */
            resources?: string[];
            /** @description 1 to 200 characters. */
            title: string;
        };
        /** @description `POST /api/circles/{name}/discussions`. */
        NewDiscussion: {
            /** @description Needed by `facilitator` (one of the participants) and `selector` (any agent member). */
            facilitator?: string | null;
            /**
             * @description Any of the limits; the others from the circle's settings (`max_turns`,
             *     `turn_timeout_secs`) and the defaults.
             */
            limits?: Record<string, unknown> | null;
            /** @description The circle's `default_mode` when left out. */
            mode?: string | null;
            /** @description Agents by name or id, in speaking order; every non-observer agent member when left out. */
            participants?: string[] | null;
            /** @description The opening message (at most 16 KiB); the topic when left out. */
            prompt?: string | null;
            /** @description Save the summary as a circle memory. */
            save_summary?: boolean | null;
            /**
             * Format: int64
             * @description 0 to 2^53 - 1; random when left out.
             */
            seed?: number | null;
            /** @description The agent (a member of the circle) that writes the summary; a digest when left out. */
            summary_agent?: string | null;
            /** @description 1 to 2000 characters. */
            topic: string;
            /** @description `{name: [names that may speak right after it]}`. */
            transitions?: {
                [key: string]: string[];
            } | null;
        };
        /** @description `POST /api/mcp-servers`. */
        NewMcpServer: {
            name: string;
            /** @description How dangerous its tools are (default `side_effects`). */
            risk?: string | null;
            /**
             * Format: int32
             * @description Per-call limit in milliseconds (default 30000).
             */
            timeout_ms?: number | null;
            transport: Record<string, unknown>;
        };
        /** @description `POST /api/memories`. */
        NewMemory: {
            content: string;
            /** Format: date-time */
            expires_at?: string | null;
            /**
             * Format: float
             * @description 0 to 1; 0.5 when left out.
             */
            importance?: number | null;
            scope: components["schemas"]["ScopeKind"];
            /**
             * Format: uuid
             * @description The user, agent, conversation or circle; none for `global`. For `user`, blank means
             *     the caller.
             */
            scope_id?: string | null;
            source?: components["schemas"]["Provenance"];
            /**
             * Format: uuid
             * @description A memory this one replaces (same scope; linked `supersedes`).
             */
            supersedes?: string | null;
            tags?: string[];
            /** @description `fact` when left out. */
            type?: string | null;
        };
        /** @description Fields of a new model. */
        NewModel: {
            capabilities?: string[];
            /** Format: int32 */
            context_window: number;
            /** Format: int32 */
            dimension?: number | null;
            enabled?: boolean;
            /** @description Another model's name. */
            fallback?: string | null;
            /** Format: double */
            input_price_per_mtok?: number;
            kind: components["schemas"]["ModelKind"];
            name: string;
            /** Format: double */
            output_price_per_mtok?: number;
            /** @description The provider's name. */
            provider: string;
            provider_model: string;
        };
        /** @description `POST …/discussions/{id}/messages`: a person's message. */
        NewPost: {
            /** @description 1 byte to 16 KiB; `@name` addresses an agent or a person. */
            content: string;
        };
        /** @description Fields of a new provider. */
        NewProvider: {
            base_url?: string | null;
            kind: components["schemas"]["ProviderKind"];
            name: string;
            secret_ref?: string | null;
        };
        /**
         * @description A node's status within a run.
         * @enum {string}
         */
        NodeStatus: "pending" | "running" | "waiting" | "completed" | "failed" | "skipped" | "cancelled";
        /** @description A node type, for an editor's palette. */
        NodeTypeView: {
            /** @description `start`, `compute`, `effect` (breaker, timeout and retries apply) or `wait`. */
            category: string;
            /** @description The JSON Schema its `config` is validated against: the very schema validation uses. */
            config_schema: Record<string, unknown>;
            description: string;
            /** @description A minimal config the schema accepts. */
            example_config: Record<string, unknown>;
            /**
             * Format: int32
             * @description The most edges into the node; `null`: any number (validation bounds none).
             */
            inputs?: number | null;
            label: string;
            /** @description What the node outputs. */
            output: string;
            /**
             * Format: int32
             * @description The most edges out of the node; `null`: any number.
             */
            outputs?: number | null;
            /** @description The wire name (`trigger`, `agent`, ...), what a node's `type` holds. */
            type: string;
        };
        /** @description An in-app notification. */
        Notification: {
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            id: string;
            /** @description `info`, `warning` or `error`. */
            level: string;
            message: string;
            /** Format: date-time */
            read_at?: string | null;
            /** Format: uuid */
            run_id?: string | null;
            /** Format: uuid */
            schedule_id?: string | null;
            title: string;
            /** Format: uuid */
            user_id: string;
        };
        /**
         * @description What happens when an agent's turn runs past `turn_timeout_secs`: the turn is recorded as
         *     timed out, then the discussion goes on or stops (`end_reason` timeout).
         * @enum {string}
         */
        OnTimeout: "continue" | "stop";
        /** @description `GET /api/overview`. */
        Overview: {
            counts: components["schemas"]["OverviewCounts"];
            /**
             * Format: date-time
             * @description Where "today" starts: midnight UTC.
             */
            day_start: string;
            /**
             * Format: int64
             * @description The newest event's seq: open `/ws?since=` or `GET /api/events?since=` with it to get
             *     only what happens next.
             */
            latest_event_seq: number;
            /** @description Whether the server is ready for traffic (as `/health/ready`). */
            ready: boolean;
            runs: components["schemas"]["OverviewRuns"];
            /** @description The caller's own calls; everyone's for an admin (as `GET /api/llm/usage`). */
            usage_today: components["schemas"]["OverviewUsage"];
        };
        /** @description How many of each thing the caller may see. */
        OverviewCounts: {
            /** Format: int64 */
            agents: number;
            /**
             * Format: int64
             * @description Registered MCP servers, for an admin; `null` for anyone else.
             */
            mcp_servers?: number | null;
            /** Format: int64 */
            personas: number;
            /** Format: int64 */
            pipelines: number;
            /**
             * Format: int64
             * @description The caller's own schedules; everyone's for an admin (as `GET /api/schedules`).
             */
            schedules: number;
            /**
             * Format: int64
             * @description Every user, for an admin; `null` for anyone else.
             */
            users?: number | null;
        };
        /** @description Pipeline runs (not counting a fan-out's item runs, which are part of their parent's). */
        OverviewRuns: {
            /**
             * Format: int64
             * @description Ended `completed` since `day_start`.
             */
            completed_today: number;
            /**
             * Format: int64
             * @description Ended `failed` or `timeout` since `day_start`.
             */
            failed_today: number;
            /**
             * Format: int64
             * @description Created, not claimed by an instance yet.
             */
            pending: number;
            /** Format: int64 */
            running: number;
            /**
             * Format: int64
             * @description Waiting for an approval.
             */
            waiting: number;
        };
        /** @description Model calls since `day_start`. */
        OverviewUsage: {
            /** Format: int64 */
            completion_tokens: number;
            /**
             * Format: double
             * @description In US dollars.
             */
            cost: number;
            /** Format: int64 */
            errors: number;
            /** Format: int64 */
            prompt_tokens: number;
            /** Format: int64 */
            requests: number;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_Agent: {
            items: {
                /** Format: date-time */
                created_at: string;
                /** @description Whether the agent's model extracts memories from each finished turn. */
                extract_memories: boolean;
                /** Format: uuid */
                id: string;
                /**
                 * Format: int32
                 * @description Overrides the server's default answer length.
                 */
                max_tokens?: number | null;
                /**
                 * Format: int32
                 * @description How many rounds of tool calls one turn may make.
                 */
                max_tool_iterations: number;
                /**
                 * Format: int32
                 * @description The most tokens of memories a turn's prompt holds (0: no memories in the prompt).
                 */
                memory_budget_tokens: number;
                /**
                 * Format: float
                 * @description The least relevance (cosine similarity, 0 to 1) a memory needs to be given to a turn; a
                 *     memory found by keywords only is given only at 0.
                 */
                memory_threshold: number;
                /** @description A chat model of the registry. */
                model: string;
                name: string;
                /** Format: uuid */
                owner_id: string;
                /** Format: uuid */
                persona_id: string;
                persona_name: string;
                /** @description Added to the persona's prompt. */
                prompt_addition: string;
                status: components["schemas"]["AgentStatus"];
                /**
                 * Format: float
                 * @description Overrides the persona's temperature.
                 */
                temperature?: number | null;
                /** @description Tools this agent may call. */
                tools: string[];
                /** Format: date-time */
                updated_at: string;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_ApiKeyView: {
            items: {
                /** Format: date-time */
                created_at: string;
                /** Format: date-time */
                expires_at?: string | null;
                /** Format: uuid */
                id: string;
                /**
                 * Format: date-time
                 * @description Updated at most once a minute.
                 */
                last_used_at?: string | null;
                name: string;
                /** @description The key's first characters, for telling keys apart. */
                prefix: string;
                /** Format: date-time */
                revoked_at?: string | null;
                role: string;
                /** Format: uuid */
                user_id: string;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_AuditEventView: {
            items: {
                action: string;
                /** Format: uuid */
                actor_id?: string | null;
                details: Record<string, unknown>;
                /** Format: uuid */
                id: string;
                /** @description The client address (behind trusted proxies, the one they report). */
                ip?: string | null;
                outcome: string;
                request_id?: string | null;
                /** Format: date-time */
                ts: string;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_Circle: {
            items: {
                /**
                 * Format: date-time
                 * @description Set when archived: the history stays, nothing new starts.
                 */
                archived_at?: string | null;
                /** Format: date-time */
                created_at: string;
                /** Format: uuid */
                id: string;
                name: string;
                /** Format: uuid */
                owner_id: string;
                purpose: string;
                settings: components["schemas"]["CircleSettings"];
                /** Format: date-time */
                updated_at: string;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_CircleConflict: {
            items: {
                agent_ids: string[];
                /** Format: uuid */
                circle_id: string;
                /** Format: date-time */
                detected_at: string;
                /** Format: uuid */
                id: string;
                /**
                 * Format: date-time
                 * @description Set when one of the tasks is done or blocked.
                 */
                resolved_at?: string | null;
                resource: string;
                task_ids: string[];
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_CircleTask: {
            items: {
                /**
                 * Format: uuid
                 * @description The agent doing the work (the author of the submission).
                 */
                assignee_id?: string | null;
                assignee_name?: string | null;
                /** Format: uuid */
                circle_id: string;
                competencies: string[];
                /** Format: date-time */
                created_at: string;
                /** Format: uuid */
                created_by: string;
                description: string;
                /** Format: uuid */
                id: string;
                /**
                 * Format: int32
                 * @description 1, and one more each time changes are requested.
                 */
                iteration: number;
                /**
                 * Format: uuid
                 * @description The agent it is offered to, while it decides.
                 */
                offered_to?: string | null;
                offered_to_name?: string | null;
                priority: components["schemas"]["CircleTaskPriority"];
                /** @description Agents that refused it; it is never offered to them again. */
                refused_by: string[];
                /** @description Files or resources the task touches. */
                resources: string[];
                /** @description The submission: the answer of the agent's work turn. */
                result?: string | null;
                /** @description The reviewer's last note. */
                review_note?: string | null;
                /**
                 * Format: uuid
                 * @description The agent reviewing the submission; none in review: a person reviews.
                 */
                reviewer_id?: string | null;
                reviewer_name?: string | null;
                status: components["schemas"]["CircleTaskStatus"];
                title: string;
                /** Format: date-time */
                updated_at: string;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_Conversation: {
            items: {
                /** @description The agents taking part. */
                agent_ids: string[];
                /** Format: date-time */
                created_at: string;
                /** Format: uuid */
                id: string;
                /** Format: int64 */
                message_count: number;
                /** Format: uuid */
                owner_id: string;
                /**
                 * @description A running summary of the older messages (empty until the transcript outgrows an
                 *     agent's context).
                 */
                summary: string;
                /**
                 * Format: int64
                 * @description The last message position the summary covers.
                 */
                summary_upto: number;
                title: string;
                /** Format: date-time */
                updated_at: string;
                /** @description The users taking part. */
                user_ids: string[];
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_Discussion: {
            items: {
                /** @description The circle's name. */
                circle: string;
                /** Format: uuid */
                circle_id: string;
                /** Format: double */
                cost: number;
                /** Format: date-time */
                created_at: string;
                /** Format: uuid */
                created_by: string;
                /**
                 * @description marker, max_turns, max_tokens, max_cost, max_seconds, stopped, timeout, error or
                 *     no_speaker.
                 */
                end_reason?: string | null;
                /** Format: date-time */
                ended_at?: string | null;
                facilitator?: null | components["schemas"]["DiscussionAgent"];
                /** Format: uuid */
                id: string;
                limits: components["schemas"]["Limits"];
                mode: components["schemas"]["Mode"];
                next_speaker?: null | components["schemas"]["DiscussionAgent"];
                /** @description In speaking order. */
                participants: components["schemas"]["DiscussionAgent"][];
                prompt: string;
                save_summary: boolean;
                /**
                 * Format: int64
                 * @description What `free` mode draws from: the same seed gives the same speakers.
                 */
                seed: number;
                /** Format: date-time */
                started_at?: string | null;
                status: components["schemas"]["DiscussionStatus"];
                /** @description Written when it ends (by the summary agent, or a digest of the turns). */
                summary?: string | null;
                summary_agent?: null | components["schemas"]["DiscussionAgent"];
                /**
                 * Format: uuid
                 * @description The circle memory the summary was saved as.
                 */
                summary_memory_id?: string | null;
                /** Format: int64 */
                tokens: number;
                topic: string;
                /** @description Who may speak right after whom, by name; none: anyone. */
                transitions?: {
                    [key: string]: string[];
                } | null;
                /**
                 * Format: int32
                 * @description Agent turns taken (timed-out and failed ones included).
                 */
                turns: number;
                /** Format: date-time */
                updated_at: string;
                /** @description A waiting discussion waits for `speaker` (a person's choice) or `person:<user id>`. */
                waiting_for?: string | null;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_KnowledgeCollection: {
            items: {
                /** Format: date-time */
                created_at: string;
                description: string;
                /** Format: int64 */
                document_count: number;
                /** Format: uuid */
                id: string;
                name: string;
                /** Format: uuid */
                owner_id: string;
                scope: components["schemas"]["KnowledgeCollectionScope"];
                /**
                 * Format: uuid
                 * @description The owner (`user`) or the circle (`circle`); none for `global`.
                 */
                scope_id?: string | null;
                /** @description The users it is shared with (they read it). */
                shared_with: string[];
                /** Format: date-time */
                updated_at: string;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_Memory: {
            items: {
                content: string;
                /** Format: date-time */
                created_at: string;
                /** Format: uuid */
                created_by?: string | null;
                /** Format: uuid */
                created_by_agent?: string | null;
                /** Format: date-time */
                deleted_at?: string | null;
                /**
                 * @description Whether its vector of the serving embedding model is written (until then it is found
                 *     by keywords only).
                 */
                embedded: boolean;
                /** Format: date-time */
                expires_at?: string | null;
                /** Format: uuid */
                id: string;
                /** Format: float */
                importance: number;
                /** @description Links from and to it. */
                links: components["schemas"]["MemoryLink"][];
                scope: components["schemas"]["ScopeKind"];
                /** Format: uuid */
                scope_id?: string | null;
                source: components["schemas"]["Provenance"];
                tags: string[];
                type: components["schemas"]["MemoryType"];
                /** Format: date-time */
                updated_at: string;
                /** Format: int32 */
                version: number;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_Notification: {
            items: {
                /** Format: date-time */
                created_at: string;
                /** Format: uuid */
                id: string;
                /** @description `info`, `warning` or `error`. */
                level: string;
                message: string;
                /** Format: date-time */
                read_at?: string | null;
                /** Format: uuid */
                run_id?: string | null;
                /** Format: uuid */
                schedule_id?: string | null;
                title: string;
                /** Format: uuid */
                user_id: string;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_Persona: {
            items: ({
                allowed_skills: string[];
                communication_style: string;
                default_model?: string | null;
                display_name: string;
                languages: string[];
                name: string;
                prompt: string;
                role: string;
                specializations: string[];
                /** Format: float */
                temperature?: number | null;
                traits: string[];
            } & {
                /** Format: date-time */
                created_at: string;
                /** Format: uuid */
                created_by?: string | null;
                /** Format: uuid */
                id: string;
                /** @description The file it was imported from; `None` when created through the API. */
                source_path?: string | null;
                /** Format: date-time */
                updated_at: string;
            })[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_Run: {
            items: {
                cancel_requested: boolean;
                /**
                 * Format: uuid
                 * @description The instance executing it, while one does.
                 */
                claimed_by?: string | null;
                /**
                 * Format: int32
                 * @description Times an instance took it (more than one: it was resumed elsewhere).
                 */
                claims: number;
                /** Format: date-time */
                created_at: string;
                /** Format: uuid */
                created_by?: string | null;
                /** Format: date-time */
                deadline?: string | null;
                error?: string | null;
                /** Format: date-time */
                finished_at?: string | null;
                /** Format: uuid */
                id: string;
                /** Format: int32 */
                item_index: number;
                /** @description Every node's state (empty in lists). */
                nodes: components["schemas"]["RunNode"][];
                /** @description The outputs of the nodes nothing follows, by node id (when completed). */
                output?: Record<string, unknown> | null;
                /**
                 * @description The node of the parent run that executes and awaits this run (an `execute_pipeline`
                 *     action, or a fan-out: then `trigger` is `fan_out` and `item_index` the item).
                 */
                parent_node?: string | null;
                /** Format: uuid */
                parent_run_id?: string | null;
                /** Format: uuid */
                pipeline_id: string;
                /** Format: uuid */
                rerun_of?: string | null;
                /** Format: date-time */
                started_at?: string | null;
                status: components["schemas"]["RunStatus"];
                /** @description manual, webhook, rerun or pipeline (a sub-pipeline). */
                trigger: string;
                trigger_data: Record<string, unknown>;
                /**
                 * Format: int32
                 * @description The version it runs.
                 */
                version: number;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_Schedule: {
            items: {
                /** Format: date-time */
                created_at: string;
                description: string;
                /**
                 * Format: int32
                 * @description Occurrences executed from the timetable or events (manual triggers not counted).
                 */
                executions: number;
                /** Format: uuid */
                id: string;
                /** @description `cron`, `interval`, `once` or `event`. */
                kind: string;
                /** Format: date-time */
                last_fired_at?: string | null;
                last_run?: null | components["schemas"]["LastRun"];
                name: string;
                /**
                 * Format: date-time
                 * @description The next occurrence not fired yet.
                 */
                next_fire_at?: string | null;
                /** @description The next five occurrences (none for event schedules). */
                next_fire_times: string[];
                /** Format: uuid */
                owner_id: string;
                paused: boolean;
                /**
                 * @description Why the scheduler paused it itself: a runaway (a chain of event-triggered runs past the
                 *     depth bound, or firing past the rate bound). Cleared by a pause or resume.
                 */
                paused_reason?: string | null;
                /** @description The definition as stored (what `PUT` takes). */
                spec: Record<string, unknown>;
                /**
                 * @description `active`, `paused` or `finished` (nothing more will fire: its end date, its maximum, a
                 *     `once` that fired).
                 */
                status: string;
                /** Format: date-time */
                updated_at: string;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_ScheduleRun: {
            items: {
                /** Format: int32 */
                attempts: number;
                /** Format: date-time */
                created_at: string;
                /**
                 * Format: int32
                 * @description Event-triggered hops in the chain that led here: 0 for the timetable and manual
                 *     triggers, the firing event's depth plus one otherwise (refused past the bound).
                 */
                depth: number;
                /** Format: int64 */
                duration_ms?: number | null;
                error?: string | null;
                /** Format: uuid */
                event_id?: string | null;
                /** Format: date-time */
                finished_at?: string | null;
                /**
                 * Format: double
                 * @description From `scheduled_for` to the start of the first attempt.
                 */
                fire_lag_ms?: number | null;
                /** Format: uuid */
                id: string;
                /**
                 * Format: uuid
                 * @description The instance that executed it (the last attempt's).
                 */
                instance?: string | null;
                /** Format: int32 */
                max_attempts: number;
                output?: Record<string, unknown> | null;
                /** Format: uuid */
                schedule_id: string;
                /**
                 * Format: date-time
                 * @description The occurrence: its time on the timetable, the event's time, or the request's.
                 */
                scheduled_for: string;
                /** Format: date-time */
                started_at?: string | null;
                /** @description `pending`, `running`, `completed`, `failed` or `skipped` (the previous one still ran). */
                status: string;
                /** @description `schedule`, `catch_up` (missed while no instance ran), `event` or `manual`. */
                trigger: string;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_StoredMessage: {
            items: {
                /** Format: uuid */
                author_agent_id?: string | null;
                /** Format: uuid */
                author_user_id?: string | null;
                /** Format: int32 */
                completion_tokens?: number | null;
                content: string;
                /** Format: uuid */
                conversation_id: string;
                /** Format: date-time */
                created_at: string;
                /**
                 * @description How an assistant message ended: stop, length, tool_calls, iteration_limit, cancelled,
                 *     error.
                 */
                finish?: string | null;
                /** Format: uuid */
                id: string;
                /** Format: int32 */
                latency_ms?: number | null;
                model?: string | null;
                /**
                 * Format: int64
                 * @description 1, 2, ... within the conversation.
                 */
                position: number;
                /** Format: int32 */
                prompt_tokens?: number | null;
                /**
                 * @description The memories the turn this user message started was given, best first (empty for
                 *     other messages, and in the agent's own history).
                 */
                recalled: components["schemas"]["MessageRecall"][];
                role: string;
                tool_call_id?: string | null;
                tool_calls: Record<string, unknown>[];
                tool_error?: boolean | null;
                tool_name?: string | null;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_StoredPipeline: {
            items: {
                /** Format: date-time */
                created_at: string;
                description: string;
                /** @description The newest version's document, as submitted. */
                document: Record<string, unknown>;
                /** Format: uuid */
                id: string;
                name: string;
                /** Format: uuid */
                owner_id: string;
                status: string;
                /** Format: date-time */
                updated_at: string;
                /**
                 * Format: int32
                 * @description The newest version; runs start on it.
                 */
                version: number;
                /** @description Whether a webhook secret is set (`POST /api/pipelines/{id}/webhook`). */
                webhook_enabled: boolean;
            }[];
            next_cursor?: string | null;
        };
        /** @description A page of a list; `next_cursor` is passed back as `?cursor=` for the next page. */
        Page_UserView: {
            items: {
                /** Format: date-time */
                created_at: string;
                disabled: boolean;
                display_name: string;
                email: string;
                /** Format: uuid */
                id: string;
                role: string;
            }[];
            next_cursor?: string | null;
        };
        /** @description A stored persona. */
        Persona: {
            allowed_skills: string[];
            communication_style: string;
            default_model?: string | null;
            display_name: string;
            languages: string[];
            name: string;
            prompt: string;
            role: string;
            specializations: string[];
            /** Format: float */
            temperature?: number | null;
            traits: string[];
        } & {
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            created_by?: string | null;
            /** Format: uuid */
            id: string;
            /** @description The file it was imported from; `None` when created through the API. */
            source_path?: string | null;
            /** Format: date-time */
            updated_at: string;
        };
        /**
         * @description A persona as written through the API (the fields of a persona file's front matter, and its
         *     prompt). `POST /api/personas/check` answers with one, ready to send here.
         */
        PersonaBody: {
            /** @description Tools the agents made from this persona get by default. */
            allowed_skills?: string[];
            communication_style?: string;
            default_model?: string | null;
            display_name: string;
            languages?: string[];
            name: string;
            /** @description The persona's full prompt (Markdown). */
            prompt: string;
            role: string;
            specializations?: string[];
            /** Format: float */
            temperature?: number | null;
            traits?: string[];
        };
        /** @description A persona file to check. */
        PersonaFileBody: {
            /**
             * @description The whole file: YAML front matter between two `---` lines, then the prompt in Markdown
             *     (at most 64 KiB).
             */
            file: string;
        };
        /** @description A person in a circle. */
        PersonMember: {
            /** Format: date-time */
            added_at: string;
            display_name: string;
            handle: string;
            role: components["schemas"]["PersonRole"];
            /** Format: uuid */
            user_id: string;
        };
        /** @description `PUT /api/circles/{name}/people/{user_id}`. */
        PersonMembership: {
            /** @description How the circle addresses them; made from their display name when left out. */
            handle?: string | null;
            role: components["schemas"]["PersonRole"];
        };
        /**
         * @description What a person is in a circle.
         * @enum {string}
         */
        PersonRole: "owner" | "participant" | "observer";
        /**
         * @description What a schedule definition would fire, computed from now and not stored
         *     (`POST /api/schedules/preview`).
         */
        Preview: {
            /**
             * @description The next occurrences after now, oldest first (RFC 3339, UTC), within the start and end
             *     dates and `max_executions`; empty for an event schedule.
             */
            fire_times: string[];
            /**
             * @description For an event schedule, what fires it in words (its type pattern and filter); `null`
             *     otherwise.
             */
            fires_on?: string | null;
            /** @description `cron`, `interval`, `once` or `event`. */
            kind: string;
            /** @description The IANA time zone the cron pattern is read in; `UTC` for the other kinds. */
            time_zone: string;
        };
        /** @description a schedule definition, as `POST /api/schedules` takes it, and `count` */
        PreviewRequest: components["schemas"]["ScheduleRequest"] & {
            /** @description how many occurrences to list (default 5, at most 50) */
            count?: number;
        };
        /** @description One problem of a pipeline document. */
        Problem: {
            /** @description A stable code from [`PROBLEM_CODES`]. */
            code: string;
            /**
             * @description For `cycle`: the node ids around the cycle, the first repeated at the end; at most 16
             *     (the message gives the cycle's length).
             */
            cycle?: string[] | null;
            edge_id?: string | null;
            message: string;
            node_id?: string | null;
            /** @description Where in the document (a JSON pointer), when it is one place. */
            path?: string | null;
        };
        /** @description Where a memory came from. */
        Provenance: {
            /** Format: uuid */
            agent_id?: string | null;
            /** Format: uuid */
            conversation_id?: string | null;
            /** Format: uuid */
            message_id?: string | null;
            /** Format: uuid */
            run_id?: string | null;
            /** Format: uuid */
            user_id?: string | null;
        };
        /** @description Where models run. The secret is read at call time from what `secret_ref` names. */
        Provider: {
            base_url?: string | null;
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            id: string;
            kind: components["schemas"]["ProviderKind"];
            name: string;
            /** @description `env:NAME`: the environment variable holding the API key. */
            secret_ref?: string | null;
            /** Format: date-time */
            updated_at: string;
        };
        /** @enum {string} */
        ProviderKind: "local" | "openai" | "anthropic";
        /** @description Changes to a provider; absent fields stay. */
        ProviderPatch: {
            base_url?: string | null;
            /** @description `null` removes the secret reference. */
            secret_ref?: string | null;
        };
        /** @description A memory a turn was given. */
        RecalledMemory: {
            /** Format: uuid */
            id: string;
            /**
             * Format: float
             * @description Its search score (reciprocal-rank fusion of the semantic and keyword ranks: higher is
             *     more relevant; comparable within one turn only).
             */
            score: number;
        };
        RefreshRequest: {
            refresh_token: string;
        };
        /** @description Self-registration (when the server allows it). */
        RegisterRequest: {
            display_name: string;
            email: string;
            password: string;
        };
        /** @description A run of a pipeline. */
        Run: {
            cancel_requested: boolean;
            /**
             * Format: uuid
             * @description The instance executing it, while one does.
             */
            claimed_by?: string | null;
            /**
             * Format: int32
             * @description Times an instance took it (more than one: it was resumed elsewhere).
             */
            claims: number;
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            created_by?: string | null;
            /** Format: date-time */
            deadline?: string | null;
            error?: string | null;
            /** Format: date-time */
            finished_at?: string | null;
            /** Format: uuid */
            id: string;
            /** Format: int32 */
            item_index: number;
            /** @description Every node's state (empty in lists). */
            nodes: components["schemas"]["RunNode"][];
            /** @description The outputs of the nodes nothing follows, by node id (when completed). */
            output?: Record<string, unknown> | null;
            /**
             * @description The node of the parent run that executes and awaits this run (an `execute_pipeline`
             *     action, or a fan-out: then `trigger` is `fan_out` and `item_index` the item).
             */
            parent_node?: string | null;
            /** Format: uuid */
            parent_run_id?: string | null;
            /** Format: uuid */
            pipeline_id: string;
            /** Format: uuid */
            rerun_of?: string | null;
            /** Format: date-time */
            started_at?: string | null;
            status: components["schemas"]["RunStatus"];
            /** @description manual, webhook, rerun or pipeline (a sub-pipeline). */
            trigger: string;
            trigger_data: Record<string, unknown>;
            /**
             * Format: int32
             * @description The version it runs.
             */
            version: number;
        };
        /** @description One node's state within a run. */
        RunNode: {
            /** Format: int32 */
            attempts: number;
            /** @description An approval's decision. */
            decision?: Record<string, unknown> | null;
            error?: string | null;
            /** @description A stable code for the error: `timeout`, `breaker_open`, `http_status`, `tool_failed`, ... */
            error_code?: string | null;
            /** Format: date-time */
            finished_at?: string | null;
            /** @description Sent as the `Idempotency-Key` of the node's side effects, the same on every attempt. */
            idempotency_key: string;
            input?: Record<string, unknown> | null;
            node_id: string;
            node_type: string;
            output?: Record<string, unknown> | null;
            /** Format: date-time */
            started_at?: string | null;
            status: components["schemas"]["NodeStatus"];
            /**
             * Format: date-time
             * @description An approval's deadline.
             */
            wait_until?: string | null;
        };
        /**
         * @description A run's status. `pending` (created, no instance has it yet), `running`, `waiting` (only
         *     approvals are left), then one of the final ones.
         * @enum {string}
         */
        RunStatus: "pending" | "running" | "waiting" | "completed" | "failed" | "cancelled" | "timeout";
        /** @description A schedule as the API shows it. */
        Schedule: {
            /** Format: date-time */
            created_at: string;
            description: string;
            /**
             * Format: int32
             * @description Occurrences executed from the timetable or events (manual triggers not counted).
             */
            executions: number;
            /** Format: uuid */
            id: string;
            /** @description `cron`, `interval`, `once` or `event`. */
            kind: string;
            /** Format: date-time */
            last_fired_at?: string | null;
            last_run?: null | components["schemas"]["LastRun"];
            name: string;
            /**
             * Format: date-time
             * @description The next occurrence not fired yet.
             */
            next_fire_at?: string | null;
            /** @description The next five occurrences (none for event schedules). */
            next_fire_times: string[];
            /** Format: uuid */
            owner_id: string;
            paused: boolean;
            /**
             * @description Why the scheduler paused it itself: a runaway (a chain of event-triggered runs past the
             *     depth bound, or firing past the rate bound). Cleared by a pause or resume.
             */
            paused_reason?: string | null;
            /** @description The definition as stored (what `PUT` takes). */
            spec: Record<string, unknown>;
            /**
             * @description `active`, `paused` or `finished` (nothing more will fire: its end date, its maximum, a
             *     `once` that fired).
             */
            status: string;
            /** Format: date-time */
            updated_at: string;
        };
        /** @description What `POST /api/schedules` and `PUT /api/schedules/{id}` take (docs/scheduler.md). */
        ScheduleRequest: {
            /** @description `{"type": "run_task" | "execute_pipeline" | "send_notification" | "call_api", ...}`. */
            action: Record<string, unknown>;
            /** @description For `once`: when (RFC 3339). */
            at?: string | null;
            /** @description Occurrences missed while no instance ran: `skip`, `latest` (default) or `all`. */
            catch_up?: string | null;
            /**
             * Format: int64
             * @description With `catch_up: all`, the most missed occurrences executed (1 to 1,000; default 100).
             */
            catch_up_limit?: number | null;
            /**
             * @description For `cron`: 5 fields (minute hour day month weekday), or 6 with seconds first; `@daily`
             *     and the other aliases.
             */
            cron?: string | null;
            description?: string;
            end_at?: string | null;
            /** @description For `event`: `{"type": "pipeline_run.failed", "filter": {...}}`. */
            event?: Record<string, unknown> | null;
            /**
             * Format: int64
             * @description For `interval`: seconds between occurrences (at least 1), counted from `start_at` or the
             *     creation time.
             */
            interval_seconds?: number | null;
            /** @description `cron`, `interval`, `once` or `event`. */
            kind: string;
            /** Format: int64 */
            max_executions?: number | null;
            name: string;
            /** @description When the previous execution still runs: `skip` (default), `queue` or `allow`. */
            overlap?: string | null;
            /** @description Create it paused. */
            paused?: boolean | null;
            /**
             * Format: int64
             * @description Attempts after a failed one (0 to 10; default 0).
             */
            retry_count?: number | null;
            /**
             * Format: double
             * @description Seconds between attempts (0 to 86,400; default 10).
             */
            retry_delay_seconds?: number | null;
            start_at?: string | null;
            /** @description For `cron`: an IANA time zone (`Europe/Paris`); UTC when absent. */
            timezone?: string | null;
        };
        /** @description One execution of an occurrence. */
        ScheduleRun: {
            /** Format: int32 */
            attempts: number;
            /** Format: date-time */
            created_at: string;
            /**
             * Format: int32
             * @description Event-triggered hops in the chain that led here: 0 for the timetable and manual
             *     triggers, the firing event's depth plus one otherwise (refused past the bound).
             */
            depth: number;
            /** Format: int64 */
            duration_ms?: number | null;
            error?: string | null;
            /** Format: uuid */
            event_id?: string | null;
            /** Format: date-time */
            finished_at?: string | null;
            /**
             * Format: double
             * @description From `scheduled_for` to the start of the first attempt.
             */
            fire_lag_ms?: number | null;
            /** Format: uuid */
            id: string;
            /**
             * Format: uuid
             * @description The instance that executed it (the last attempt's).
             */
            instance?: string | null;
            /** Format: int32 */
            max_attempts: number;
            output?: Record<string, unknown> | null;
            /** Format: uuid */
            schedule_id: string;
            /**
             * Format: date-time
             * @description The occurrence: its time on the timetable, the event's time, or the request's.
             */
            scheduled_for: string;
            /** Format: date-time */
            started_at?: string | null;
            /** @description `pending`, `running`, `completed`, `failed` or `skipped` (the previous one still ran). */
            status: string;
            /** @description `schedule`, `catch_up` (missed while no instance ran), `event` or `manual`. */
            trigger: string;
        };
        /**
         * @description Whose a memory is; decides who reads and writes it (`access.rs`).
         * @enum {string}
         */
        ScopeKind: "user" | "agent" | "conversation" | "circle" | "global";
        /** @description `POST /api/memories/search`. */
        SearchBody: {
            /** @description Compare with every vector instead of walking the index (perfect recall, slower). */
            exact?: boolean;
            /** @description 1 to 100; 10 by default. */
            limit?: number | null;
            /** Format: float */
            min_importance?: number | null;
            /** @description `hybrid` (default), `semantic` or `keyword`. */
            mode?: components["schemas"]["SearchMode"];
            query: string;
            /** Format: uuid */
            scope_id?: string | null;
            /** @description Only these scopes. */
            scopes?: components["schemas"]["ScopeKind"][];
            /**
             * Format: date-time
             * @description Created at or after.
             */
            since?: string | null;
            /** @description Only memories with all these tags. */
            tags?: string[];
            /**
             * Format: float
             * @description The least cosine similarity of a semantic match, 0 to 1.
             */
            threshold?: number | null;
            /** @description Only these types. */
            types?: string[];
            /**
             * Format: date-time
             * @description Created before.
             */
            until?: string | null;
        };
        /**
         * @description How to search.
         * @enum {string}
         */
        SearchMode: "semantic" | "keyword" | "hybrid";
        /** @description What a search found, and with which embedding model. */
        SearchResult: {
            items: components["schemas"]["Hit"][];
            mode: components["schemas"]["SearchMode"];
            /** @description The embedding model of the vectors searched (none when keywords only). */
            model?: string | null;
        };
        /**
         * @description A browser session: the access token for memory, the user; the refresh token is in the
         *     `gathering_refresh` cookie, never in the body.
         */
        SessionView: {
            access_token: string;
            /**
             * Format: int64
             * @description Seconds until the access token expires.
             */
            expires_in: number;
            /** @description Always `bearer`. */
            token_type: string;
            user: components["schemas"]["UserView"];
        };
        /** @description The first admin, created with the setup token `gathering serve` printed. */
        SetupRequest: {
            /** @description `Administrator` when absent. */
            display_name?: string | null;
            email: string;
            password: string;
            /** @description The token from the setup link (`/setup#token=...`). */
            token: string;
        };
        /** @description Whether the first-run setup link works now. */
        SetupStatus: {
            /** @description True while this instance holds an unused setup token and no admin exists. */
            open: boolean;
        };
        /** @description `POST …/discussions/{id}/speaker`: who speaks next. */
        SpeakerChoice: {
            /** @description A participant's name or id. */
            agent: string;
        };
        /** @description The body of `POST /api/pipelines/{id}/runs`. */
        StartRun: {
            /** @description What the trigger node outputs (a JSON object; `{}` by default). */
            trigger_data?: Record<string, unknown> | null;
        };
        /** @description A stored message. */
        StoredMessage: {
            /** Format: uuid */
            author_agent_id?: string | null;
            /** Format: uuid */
            author_user_id?: string | null;
            /** Format: int32 */
            completion_tokens?: number | null;
            content: string;
            /** Format: uuid */
            conversation_id: string;
            /** Format: date-time */
            created_at: string;
            /**
             * @description How an assistant message ended: stop, length, tool_calls, iteration_limit, cancelled,
             *     error.
             */
            finish?: string | null;
            /** Format: uuid */
            id: string;
            /** Format: int32 */
            latency_ms?: number | null;
            model?: string | null;
            /**
             * Format: int64
             * @description 1, 2, ... within the conversation.
             */
            position: number;
            /** Format: int32 */
            prompt_tokens?: number | null;
            /**
             * @description The memories the turn this user message started was given, best first (empty for
             *     other messages, and in the agent's own history).
             */
            recalled: components["schemas"]["MessageRecall"][];
            role: string;
            tool_call_id?: string | null;
            tool_calls: Record<string, unknown>[];
            tool_error?: boolean | null;
            tool_name?: string | null;
        };
        /** @description A stored pipeline: its identity and its newest version's document. */
        StoredPipeline: {
            /** Format: date-time */
            created_at: string;
            description: string;
            /** @description The newest version's document, as submitted. */
            document: Record<string, unknown>;
            /** Format: uuid */
            id: string;
            name: string;
            /** Format: uuid */
            owner_id: string;
            status: string;
            /** Format: date-time */
            updated_at: string;
            /**
             * Format: int32
             * @description The newest version; runs start on it.
             */
            version: number;
            /** @description Whether a webhook secret is set (`POST /api/pipelines/{id}/webhook`). */
            webhook_enabled: boolean;
        };
        StreamOptions: {
            include_usage?: boolean;
        };
        TokenView: {
            access_token: string;
            /**
             * Format: int64
             * @description Seconds until the access token expires.
             */
            expires_in: number;
            refresh_token: string;
            /** @description Always `bearer`. */
            token_type: string;
        };
        /** @description A tool call of a turn and its result. */
        ToolCallView: {
            arguments: string;
            id: string;
            name: string;
            ok?: boolean | null;
            result?: string | null;
        };
        /** @description A tool as listed. */
        ToolView: {
            description: string;
            name: string;
            /** @description The JSON Schema of its arguments. */
            parameters: Record<string, unknown>;
            /** @description read_only, side_effects or dangerous. */
            risk: string;
            /** @description `builtin` or `mcp:<server>`. */
            source: string;
            /** Format: double */
            timeout_seconds: number;
        };
        /** @description One step of a turn, as clients see it (SSE `event:` names are the `type`s). */
        TurnEvent: {
            ahead: number;
            /** @enum {string} */
            type: "queued";
        } | {
            /** Format: uuid */
            conversation_id: string;
            /** Format: uuid */
            message_id: string;
            /** @enum {string} */
            type: "started";
        } | {
            memories: components["schemas"]["RecalledMemory"][];
            /** @enum {string} */
            type: "recalled";
        } | {
            text: string;
            /** @enum {string} */
            type: "delta";
        } | {
            arguments: string;
            id: string;
            name: string;
            /** @enum {string} */
            type: "tool_call";
        } | {
            content: string;
            id: string;
            name: string;
            ok: boolean;
            /** @enum {string} */
            type: "tool_result";
        } | {
            content: string;
            /** Format: uuid */
            conversation_id: string;
            /** @description stop, length or iteration_limit. */
            finish: string;
            /** Format: int64 */
            latency_ms: number;
            /** Format: uuid */
            message_id: string;
            model: string;
            /**
             * Format: int32
             * @description Rounds of tool calls made.
             */
            tool_rounds: number;
            /** @enum {string} */
            type: "completed";
            usage: Record<string, unknown>;
        } | {
            code: string;
            message: string;
            /** @enum {string} */
            type: "error";
        };
        /** @description An admin's changes to a user; absent fields stay as they are. */
        UpdateUserRequest: {
            /** @description A disabled user cannot sign in, and their sessions and API keys stop working. */
            disabled?: boolean | null;
            display_name?: string | null;
            /** @description `admin`, `member` or `viewer`. */
            role?: string | null;
        };
        /** @description A document after an upload, and what the upload did. */
        UploadedDocument: {
            document: components["schemas"]["KnowledgeDocument"];
            outcome: components["schemas"]["UploadOutcome"];
        };
        /** @description A multipart upload as the OpenAPI document shows it. */
        UploadForm: {
            /**
             * @description One or more files (`.md`, `.txt`, `.html`, `.pdf`, `.csv`), each part named `file`
             *     with its file name.
             */
            file: string[];
        };
        /**
         * @description What an upload did to a document.
         * @enum {string}
         */
        UploadOutcome: "ingested" | "replaced" | "unchanged";
        /** @description What an upload did, file by file, in the order sent. */
        UploadReport: {
            documents: components["schemas"]["UploadedDocument"][];
        };
        /** @enum {string} */
        UsageGroup: "model" | "user" | "day" | "agent" | "conversation";
        UsageObject: {
            /** Format: int32 */
            completion_tokens: number;
            /** Format: int32 */
            prompt_tokens: number;
            /** Format: int32 */
            total_tokens: number;
        };
        /** @description Usage totals over a period, grouped. */
        UsageTotal: {
            /** Format: int64 */
            calls: number;
            /** Format: int64 */
            completion_tokens: number;
            /** Format: double */
            cost_usd: number;
            /** Format: int64 */
            errors: number;
            /**
             * @description The model name, the user id, the day (YYYY-MM-DD), the agent id or the conversation id,
             *     by `group_by`.
             */
            key?: string | null;
            /** Format: int64 */
            prompt_tokens: number;
        };
        UserView: {
            /** Format: date-time */
            created_at: string;
            disabled: boolean;
            display_name: string;
            email: string;
            /** Format: uuid */
            id: string;
            role: string;
        };
        /** @description What validation found. */
        ValidationReport: {
            /**
             * @description The problems, each with a code, its node or edge id and a JSON pointer: the first 100
             *     found.
             */
            errors: components["schemas"]["Problem"][];
            /** @description How many more problems were found than `errors` lists (0 when it lists them all). */
            omitted: number;
            valid: boolean;
        };
        /** @description One version of a pipeline. */
        Version: {
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            created_by?: string | null;
            document: Record<string, unknown>;
            /** Format: uuid */
            pipeline_id: string;
            /** Format: int32 */
            version: number;
        };
        /** @description A new webhook secret. */
        WebhookSecret: {
            /** @description Shown once; only its hash is kept. */
            secret: string;
            /** @description `POST` here with the secret in `X-Gathering-Webhook-Secret` to start a run. */
            url: string;
        };
        WireFunction: {
            description?: string;
            name: string;
            parameters?: Record<string, unknown> | null;
        };
        WireFunctionCall: {
            arguments?: string;
            name: string;
        };
        /** @description A message as OpenAI clients send it; `content` may be a string, text parts or null. */
        WireMessage: {
            content?: Record<string, unknown> | null;
            role: string;
            tool_call_id?: string | null;
            tool_calls?: components["schemas"]["WireToolCall"][];
        };
        WireTool: {
            function: components["schemas"]["WireFunction"];
            type: string;
        };
        WireToolCall: {
            function: components["schemas"]["WireFunctionCall"];
            id: string;
            type?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    agents_list: {
        parameters: {
            query?: {
                cursor?: string;
                /** @description 1 to 200; 50 by default. */
                limit?: number;
                /** @description Only this user's agents. */
                owner_id?: string;
                /**
                 * @description Only agents whose name, or whose persona's name or display name, contains this text,
                 *     ignoring case (at most 200 characters; blank means no filter).
                 */
                q?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of agents */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Agent"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    agents_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewAgent"];
            };
        };
        responses: {
            /** @description created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Agent"];
                };
            };
            /** @description a viewer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field (unknown persona, model or tool), named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    agents_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the agent's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the agent */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Agent"];
                };
            };
            /** @description no such agent */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    agents_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the agent's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not its owner nor an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such agent */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    agents_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the agent's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AgentPatch"];
            };
        };
        responses: {
            /** @description changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Agent"];
                };
            };
            /** @description not its owner nor an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such agent */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    agents_chat: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the agent's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChatBody"];
            };
        };
        responses: {
            /** @description the answer (or its event stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatReply"];
                };
            };
            /** @description a viewer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such agent or conversation */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the agent is disabled */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the agent's queue is full */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the agent's model is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    api_keys_list: {
        parameters: {
            query?: {
                cursor?: string | null;
                /** @description 1 to 200; 50 by default. */
                limit?: number | null;
                /** @description Whose keys: yourself by default; only admins may name someone else. */
                user_id?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of keys */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_ApiKeyView"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description another user's keys, and not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    api_keys_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateApiKeyRequest"];
            };
        };
        responses: {
            /** @description created; `secret` is shown only now */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedApiKeyView"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a role above yours, or called with an API key */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description invalid fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    api_keys_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the key's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description revoked (or already was) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyView"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description called with an API key */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such key among yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    audit_list: {
        parameters: {
            query?: {
                /** @description Exact action, e.g. `auth.login`; or a prefix ending in `.`, e.g. `api_key.`. */
                action?: string | null;
                actor_id?: string | null;
                cursor?: string | null;
                /** @description 1 to 200; 50 by default. */
                limit?: number | null;
                /** @description `success` or `failure`. */
                outcome?: string | null;
                /** @description Rows at or after this time. */
                since?: string | null;
                /** @description Rows before this time. */
                until?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of audit rows, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_AuditEventView"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description invalid filter */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    auth_login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description signed in */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenView"];
                };
            };
            /** @description wrong email or password */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description malformed body */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description too many attempts (rate limit or per-account backoff); see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    auth_logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    auth_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    auth_refresh: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshRequest"];
            };
        };
        responses: {
            /** @description new tokens */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenView"];
                };
            };
            /** @description invalid, expired, used or revoked refresh token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    auth_register: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterRequest"];
            };
        };
        responses: {
            /** @description created; sign in next */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description self-registration is off */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description email taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description invalid fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    auth_sign_in: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description signed in; `Set-Cookie`: gathering_refresh, gathering_csrf */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionView"];
                };
            };
            /** @description wrong email or password */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description malformed body */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description too many attempts (rate limit or per-account backoff); see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    auth_sign_out: {
        parameters: {
            query?: never;
            header?: {
                /** @description the value of the gathering_csrf cookie; required when the gathering_refresh cookie is sent */
                "X-CSRF-Token"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description signed out; both cookies cleared */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `csrf_failed`: X-CSRF-Token missing or not this session's */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    auth_refresh_session: {
        parameters: {
            query?: never;
            header: {
                /** @description the value of the gathering_csrf cookie */
                "X-CSRF-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description new access token; `Set-Cookie`: the rotated gathering_refresh and gathering_csrf */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionView"];
                };
            };
            /** @description no valid refresh cookie; both cookies cleared */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `csrf_failed`: X-CSRF-Token missing or not this session's */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description rate limited; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_list: {
        parameters: {
            query?: {
                /** @description Archived circles instead of active ones. */
                archived?: boolean;
                cursor?: string;
                /** @description 1 to 200; 50 by default. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of circles */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Circle"];
                };
            };
            /** @description an invalid query */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewCircle"];
            };
        };
        responses: {
            /** @description created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Circle"];
                };
            };
            /** @description the name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the circle */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CircleDetail"];
                };
            };
            /** @description no such circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_archive: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description archived */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not an owner */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CirclePatch"];
            };
        };
        responses: {
            /** @description changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Circle"];
                };
            };
            /** @description not an owner */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description archived */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_put_agent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the agent's name or id */
                agent: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AgentMembership"];
            };
        };
        responses: {
            /** @description the membership */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AgentMember"];
                };
            };
            /** @description not an owner, or not your agent */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle or agent */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description archived, or a person has that handle */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_remove_agent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the agent's name or id */
                agent: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not an owner */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle, or the agent is not in it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_tasks_conflicts: {
        parameters: {
            query?: {
                cursor?: string;
                /** @description 1 to 200; 50 by default. */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of conflicts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_CircleConflict"];
                };
            };
            /** @description no such circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid query */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_discussions_list: {
        parameters: {
            query?: {
                cursor?: string | null;
                /** @description 1 to 200; 50 by default. */
                limit?: number | null;
            };
            header?: never;
            path: {
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of discussions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Discussion"];
                };
            };
            /** @description no such circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid query */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_discussions_create: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewDiscussion"];
            };
        };
        responses: {
            /** @description started (pending) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Discussion"];
                };
            };
            /** @description an observer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the circle is archived */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_discussions_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the discussion's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the discussion */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Discussion"];
                };
            };
            /** @description no such circle or discussion */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_discussions_continue_discussion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the discussion's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ContinueDiscussion"];
            };
        };
        responses: {
            /** @description pending again */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Discussion"];
                };
            };
            /** @description an observer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle or discussion */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not finished, or its summary is being written */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_discussions_messages: {
        parameters: {
            query?: {
                /** @description Messages after this seq (0 by default: from the start). */
                after?: number;
                /** @description 1 to 500; 200 by default. */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description the discussion's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description messages */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessagePage"];
                };
            };
            /** @description no such circle or discussion */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid query */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_discussions_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the discussion's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewPost"];
            };
        };
        responses: {
            /** @description posted */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DiscussionMessage"];
                };
            };
            /** @description an observer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle or discussion */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the discussion is finished */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_discussions_pause: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the discussion's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description paused */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Discussion"];
                };
            };
            /** @description an observer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle or discussion */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description already paused, or finished */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_discussions_resume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the discussion's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description running again */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Discussion"];
                };
            };
            /** @description an observer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle or discussion */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not paused */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_discussions_speaker: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the discussion's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SpeakerChoice"];
            };
        };
        responses: {
            /** @description chosen */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Discussion"];
                };
            };
            /** @description an observer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle or discussion */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the discussion is finished */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not a participant who may speak now */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_discussions_stop: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the discussion's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description stopped */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Discussion"];
                };
            };
            /** @description an observer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle or discussion */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description already finished */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_put_person: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the circle's name */
                name: string;
                /** @description the user's id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PersonMembership"];
            };
        };
        responses: {
            /** @description the membership */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PersonMember"];
                };
            };
            /** @description not an owner */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description archived, the handle is taken, or the last owner would go */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, or no such user */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_remove_person: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the circle's name */
                name: string;
                /** @description the user's id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not an owner */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle, or the person is not in it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the last owner */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_tasks_list: {
        parameters: {
            query?: {
                /** @description The assignee agent's name or id. */
                assignee?: string;
                cursor?: string;
                /** @description 1 to 200; 50 by default. */
                limit?: number;
                /** @description open, offered, claimed, in_progress, review, changes_requested, done or blocked. */
                status?: string;
            };
            header?: never;
            path: {
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of tasks */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_CircleTask"];
                };
            };
            /** @description no such circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid query */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_tasks_create: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewCircleTask"];
            };
        };
        responses: {
            /** @description created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CircleTask"];
                };
            };
            /** @description an observer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the circle is archived */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_tasks_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the task's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the task and its history */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CircleTaskDetail"];
                };
            };
            /** @description no such task in a circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_tasks_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the task's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CircleTaskPatch"];
            };
        };
        responses: {
            /** @description changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CircleTask"];
                };
            };
            /** @description an observer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such task in a circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the task is no longer open */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_tasks_accept: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the task's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CircleTaskAccept"];
            };
        };
        responses: {
            /** @description claimed by the agent */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CircleTask"];
                };
            };
            /** @description an observer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such task in a circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not offered, or offered to another agent */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_tasks_refuse: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the task's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CircleTaskRefuse"];
            };
        };
        responses: {
            /** @description offered to the next agent (or blocked) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CircleTask"];
                };
            };
            /** @description an observer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such task in a circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not offered, or offered to another agent */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_tasks_review: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the task's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CircleTaskReview"];
            };
        };
        responses: {
            /** @description reviewed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CircleTask"];
                };
            };
            /** @description an observer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such task in a circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the task is not in review */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    circles_tasks_route: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the task's id */
                id: string;
                /** @description the circle's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description offered (or blocked) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CircleTask"];
                };
            };
            /** @description an observer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such task in a circle you belong to */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the task is neither open nor blocked */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    conversations_list: {
        parameters: {
            query?: {
                /** @description Only conversations this agent takes part in. */
                agent_id?: string;
                cursor?: string;
                /** @description 1 to 200; 50 by default. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of conversations */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Conversation"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    conversations_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the conversation's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the conversation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            /** @description no such conversation of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    conversations_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the conversation's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no such conversation of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    conversations_messages: {
        parameters: {
            query?: {
                cursor?: string | null;
                /** @description 1 to 200; 50 by default. */
                limit?: number | null;
            };
            header?: never;
            path: {
                /** @description the conversation's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of messages */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_StoredMessage"];
                };
            };
            /** @description no such conversation of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    events_list: {
        parameters: {
            query?: {
                /** @description Rows read, 1 to 500 (100 by default); fewer items come back when some are filtered. */
                limit?: number | null;
                /** @description Events after this seq; 0 (the default) for the oldest kept. */
                since?: number | null;
                /** @description Comma-separated type patterns: exact (`user.created`), family (`user.*`) or `*`. */
                types?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description events after `since` that you may see, oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventPage"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description invalid query */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    events_stream: {
        parameters: {
            query?: {
                /** @description Replay events after this seq first (else the `Last-Event-ID` header; else live only). */
                since?: number | null;
                /** @description Comma-separated topics (`events`, `users/ID`, ...); `events` by default. */
                topics?: string | null;
                /** @description Comma-separated type patterns; all types by default. */
                types?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description an endless text/event-stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": unknown;
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a topic you may not subscribe to */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description invalid query */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    knowledge_list_collections: {
        parameters: {
            query?: {
                cursor?: string | null;
                /** @description 1 to 200; 50 by default. */
                limit?: number | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of collections */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_KnowledgeCollection"];
                };
            };
            /** @description an invalid limit or cursor */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    knowledge_create_collection: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CollectionBody"];
            };
        };
        responses: {
            /** @description created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KnowledgeCollection"];
                };
            };
            /** @description a scope you may not create in (global for a member, a circle you are not in) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    knowledge_get_collection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the collection's id or name */
                collection: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the collection */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KnowledgeCollection"];
                };
            };
            /** @description no such collection you may read */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    knowledge_delete_collection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the collection's id or name */
                collection: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description you may read it but not change it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such collection you may read */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    knowledge_update_collection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the collection's id or name */
                collection: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CollectionPatchBody"];
            };
        };
        responses: {
            /** @description changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KnowledgeCollection"];
                };
            };
            /** @description you may read it but not change it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such collection you may read */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    knowledge_list_documents: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the collection's id or name */
                collection: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description its documents */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentList"];
                };
            };
            /** @description no such collection you may read */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    knowledge_upload: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the collection's id or name */
                collection: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["UploadForm"];
            };
        };
        responses: {
            /** @description what became of each file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadReport"];
                };
            };
            /** @description you may read the collection but not change it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such collection you may read */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the files exceed memory.max_upload_bytes together (`details.limit_bytes`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not multipart, or a file of a kind not read (`details.file`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a corrupt file or one without text (`invalid_document`, `details.file`); a part that is not a named file */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    knowledge_get_document: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the document's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the document and its chunks */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KnowledgeDocumentDetail"];
                };
            };
            /** @description no such document you may read */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    knowledge_delete_document: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the document's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description you may read it but not change its collection */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such document you may read */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    knowledge_search: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["KnowledgeSearchBody"];
            };
        };
        responses: {
            /** @description the best matches first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KnowledgeResult"];
                };
            };
            /** @description a named collection you may not read */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description semantic search while no embedding model answers */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    llm_list_models: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description every model */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Model"][];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    llm_create_model: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewModel"];
            };
        };
        responses: {
            /** @description created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Model"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    llm_delete_model: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the model's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such model */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a built-in local model */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    llm_update_model: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the model's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ModelPatch"];
            };
        };
        responses: {
            /** @description changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Model"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such model */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    llm_list_providers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description every provider */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Provider"][];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    llm_create_provider: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewProvider"];
            };
        };
        responses: {
            /** @description created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Provider"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    llm_delete_provider: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the provider's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such provider */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description models use it, or it is the local provider */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    llm_update_provider: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the provider's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProviderPatch"];
            };
        };
        responses: {
            /** @description changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Provider"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such provider */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    llm_usage: {
        parameters: {
            query?: {
                /** @description Only calls made for this agent. */
                agent_id?: string;
                /** @description Only calls made in this conversation. */
                conversation_id?: string;
                /** @description `model` (default), `user`, `day`, `agent` or `conversation`. */
                group_by?: components["schemas"]["UsageGroup"];
                since?: string;
                until?: string;
                /** @description Only this user's calls (admins; others always see only their own). */
                user_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description totals per group */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsageTotal"][];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description another user's usage, and not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    mcp_servers_list_servers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description every MCP server */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["McpServer"][];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    mcp_servers_create_server: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewMcpServer"];
            };
        };
        responses: {
            /** @description registered */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["McpServer"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, or a server that cannot be reached */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    mcp_servers_delete_server: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the server's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no such server */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    mcp_servers_refresh_server: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the server's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description refreshed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["McpServer"];
                };
            };
            /** @description no such server */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the server cannot be reached */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    memories_list: {
        parameters: {
            query?: {
                cursor?: string;
                /** @description Soft-deleted (and expired) memories too. */
                include_deleted?: boolean;
                /** @description 1 to 200; 50 by default. */
                limit?: number;
                /** @description Only this scope: user, agent, conversation, circle or global. */
                scope?: string;
                /** @description Only this user, agent, conversation or circle. */
                scope_id?: string;
                /** @description Only memories with this tag. */
                tag?: string;
                /** @description Only this type. */
                type?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of memories */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Memory"];
                };
            };
            /** @description an invalid filter, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    memories_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewMemory"];
            };
        };
        responses: {
            /** @description stored; searchable by keywords now, by meaning once `embedded` */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Memory"];
                };
            };
            /** @description not a scope you may write */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    memories_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the memory's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the memory and its versions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MemoryDetail"];
                };
            };
            /** @description no such memory you may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    memories_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the memory's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description you may read it but not change it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such memory you may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description already deleted */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    memories_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the memory's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MemoryPatch"];
            };
        };
        responses: {
            /** @description the new version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Memory"];
                };
            };
            /** @description you may read it but not change it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such memory you may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description it is deleted */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    memories_purge: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the memory's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description purged */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such memory */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    memories_embedding: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description serving and target models; coverage for admins */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EmbeddingStatus"];
                };
            };
        };
    };
    memories_set_embedding: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EmbeddingBody"];
            };
        };
        responses: {
            /** @description re-embedding started */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EmbeddingStatus"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not an enabled embedding model */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    memories_search: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SearchBody"];
            };
        };
        responses: {
            /** @description the best matches first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SearchResult"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description semantic search while no embedding model answers */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    notifications_notifications: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
                /** @description Only those not read yet. */
                unread?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of notifications */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Notification"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    notifications_mark_read: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the notification's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description read */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Notification"];
                };
            };
            /** @description no such notification of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    overview_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the overview */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Overview"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    personas_list: {
        parameters: {
            query?: {
                cursor?: string | null;
                /** @description 1 to 200; 50 by default. */
                limit?: number | null;
                /**
                 * @description Only those whose name or description contains this text, ignoring case (at most 200
                 *     characters; blank means no filter).
                 */
                q?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of personas */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Persona"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    personas_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PersonaBody"];
            };
        };
        responses: {
            /** @description created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Persona"];
                };
            };
            /** @description a viewer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    personas_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the persona's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the persona */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Persona"];
                };
            };
            /** @description no such persona */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    personas_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the persona's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PersonaBody"];
            };
        };
        responses: {
            /** @description replaced */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Persona"];
                };
            };
            /** @description not its creator nor an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such persona */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    personas_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the persona's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not its creator nor an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such persona */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description agents use it */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    personas_check: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PersonaFileBody"];
            };
        };
        responses: {
            /** @description the file is a valid persona: its fields */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PersonaBody"];
                };
            };
            /** @description a viewer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the file is not a valid persona: the message, `details.line` (the file's line, when known) and `details.field` (when a field's limit refused it) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipeline_runs_get_run: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the run's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the run */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description no such run */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipeline_runs_decide: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the run's id */
                id: string;
                /** @description the approval node's id */
                node_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Decision"];
            };
        };
        responses: {
            /** @description the run */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description not an approver */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such run or node */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the node is not waiting */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipeline_runs_cancel_run: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the run's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the run (cancelled, or being stopped) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such run */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the run has ended */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipeline_runs_rerun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the run's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the new run, pending */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description no such run */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the run did not fail */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_list: {
        parameters: {
            query?: {
                cursor?: string | null;
                /** @description 1 to 200; 50 by default. */
                limit?: number | null;
                /**
                 * @description Only those whose name or description contains this text, ignoring case (at most 200
                 *     characters; blank means no filter).
                 */
                q?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of pipelines */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_StoredPipeline"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description a pipeline document (docs/pipelines.md) */
        requestBody: {
            content: {
                "application/json": Record<string, unknown>;
            };
        };
        responses: {
            /** @description stored */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoredPipeline"];
                };
            };
            /** @description a viewer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not valid: details.errors has the first 100 problems, details.omitted counts the rest */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description validation took longer than its budget */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the pipeline's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the pipeline */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoredPipeline"];
                };
            };
            /** @description no such pipeline */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the pipeline's id */
                id: string;
            };
            cookie?: never;
        };
        /** @description the whole new document */
        requestBody: {
            content: {
                "application/json": Record<string, unknown>;
            };
        };
        responses: {
            /** @description the new version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoredPipeline"];
                };
            };
            /** @description not its owner nor an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such pipeline */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not valid: details.errors has the first 100 problems, details.omitted counts the rest */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description validation took longer than its budget */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the pipeline's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not its owner nor an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such pipeline */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_breakers: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the pipeline's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the breakers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Breaker"][];
                };
            };
            /** @description no such pipeline */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_diff: {
        parameters: {
            query: {
                from: number;
                to: number;
            };
            header?: never;
            path: {
                /** @description the pipeline's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description {nodes, edges, fields} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description no such pipeline or version */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_list_runs: {
        parameters: {
            query?: {
                cursor?: string;
                /** @description 1 to 200; 50 by default. */
                limit?: number;
                /**
                 * @description Only runs in this status: `pending`, `running`, `waiting`, `completed`, `failed`,
                 *     `cancelled` or `timeout`.
                 */
                status?: string;
            };
            header?: never;
            path: {
                /** @description the pipeline's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of runs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Run"];
                };
            };
            /** @description no such pipeline */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an unknown status, or a bad limit or cursor */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_start_run: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the pipeline's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StartRun"];
            };
        };
        responses: {
            /** @description the run, pending */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description a viewer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such pipeline */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description trigger_data is not an object */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_versions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the pipeline's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the versions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Version"][];
                };
            };
            /** @description no such pipeline */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_version: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the pipeline's id */
                id: string;
                /** @description the version number */
                version: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Version"];
                };
            };
            /** @description no such pipeline or version */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_webhook: {
        parameters: {
            query?: never;
            header: {
                /** @description the pipeline's webhook secret */
                "X-Gathering-Webhook-Secret": string;
            };
            path: {
                /** @description the pipeline's id */
                id: string;
            };
            cookie?: never;
        };
        /** @description the trigger data */
        requestBody: {
            content: {
                "application/json": Record<string, unknown>;
            };
        };
        responses: {
            /** @description the run, pending */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description wrong or missing secret */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_rotate_webhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the pipeline's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the secret, shown once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookSecret"];
                };
            };
            /** @description not its owner nor an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such pipeline */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_node_types: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description every node type */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NodeTypeView"][];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    pipelines_validate_document: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description a pipeline document (docs/pipelines.md) */
        requestBody: {
            content: {
                "application/json": Record<string, unknown>;
            };
        };
        responses: {
            /** @description the verdict and every problem */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValidationReport"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is not JSON */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the check took longer than its budget */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    schedules_list: {
        parameters: {
            query?: {
                cursor?: string | null;
                /** @description 1 to 200; 50 by default. */
                limit?: number | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of schedules */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Schedule"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    schedules_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ScheduleRequest"];
            };
        };
        responses: {
            /** @description stored, with its next five fire times */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description a viewer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a field is invalid (details.field names it) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    schedules_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the schedule's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the schedule */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description no such schedule of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    schedules_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the schedule's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ScheduleRequest"];
            };
        };
        responses: {
            /** @description the changed schedule */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description a viewer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such schedule of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a field is invalid (details.field names it) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    schedules_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the schedule's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a viewer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such schedule of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    schedules_pause: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the schedule's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description paused */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description a viewer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such schedule of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    schedules_resume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the schedule's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description active again */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description a viewer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such schedule of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    schedules_runs: {
        parameters: {
            query?: {
                cursor?: string | null;
                /** @description 1 to 200; 50 by default. */
                limit?: number | null;
            };
            header?: never;
            path: {
                /** @description the schedule's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of runs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_ScheduleRun"];
                };
            };
            /** @description no such schedule of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    schedules_trigger: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the schedule's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the run, pending */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleRun"];
                };
            };
            /** @description a viewer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such schedule of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    schedules_preview: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PreviewRequest"];
            };
        };
        responses: {
            /** @description the next occurrences */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Preview"];
                };
            };
            /** @description a viewer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a field is invalid (details.field names it) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    setup_status: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description whether the setup link works now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SetupStatus"];
                };
            };
        };
    };
    setup_complete: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetupRequest"];
            };
        };
        responses: {
            /** @description the first admin, signed in; `Set-Cookie`: gathering_refresh, gathering_csrf */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionView"];
                };
            };
            /** @description `forbidden`: wrong token */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `setup_closed`: an admin exists, or no token is pending on this instance */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description invalid email, password or display_name; `details.field` names it */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description rate limited; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tools_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description every tool */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ToolView"][];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    users_list: {
        parameters: {
            query?: {
                cursor?: string | null;
                /** @description 1 to 200; 50 by default. */
                limit?: number | null;
                /**
                 * @description Only those whose email or display name contains this text, ignoring case (at most 200
                 *     characters; blank means no filter).
                 */
                q?: string | null;
                /** @description Only users with this role: `viewer`, `member` or `admin`. */
                role?: string | null;
                /** @description Only `active` (enabled) or `disabled` users. */
                status?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of users */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_UserView"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an unknown role or status, a long q, or a bad limit or cursor */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    users_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateUserRequest"];
            };
        };
        responses: {
            /** @description created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description email taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description invalid fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    users_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such user */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    users_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateUserRequest"];
            };
        };
        responses: {
            /** @description the user as changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such user */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description it would leave no enabled admin */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description invalid fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    health_live: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description alive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthStatus"];
                };
            };
        };
    };
    health_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthStatus"];
                };
            };
            /** @description starting, shutting down or database unreachable; the message says which */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    metrics_render: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": unknown;
                };
            };
            /** @description metrics are private and no credentials were sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    v1_chat_completions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChatCompletionRequest"];
            };
        };
        responses: {
            /** @description the answer (or an SSE stream of chunks) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatCompletion"];
                };
            };
            /** @description a request the model cannot serve */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such model */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the provider refused */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the model is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    v1_embeddings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EmbeddingRequest"];
            };
        };
        responses: {
            /** @description one vector per input, in order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such model */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid field, named */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the model is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    v1_models: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the enabled models */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelList"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
}
