//! Circle discussions: who speaks next (`turns`, with `mentions` and `selector`), when a
//! discussion ends (`ending`) — pure logic — and the durable discussions built on them:
//! `model` (types), `store/` (SQL), `service` (the calls people make, as `Circles` methods),
//! `engine` (claims), `runner` (one discussion's loop), `speak` (one agent turn), `context`
//! (what a turn sees) and `summary` (the end).
//!
//! **How a discussion runs.** `start_discussion` stores it `pending`, with its prompt as
//! message 1, and wakes the engine. Every instance runs one engine loop that claims
//! discussions (`FOR UPDATE SKIP LOCKED`: pending or running ones nobody holds, or whose
//! holder's lease expired, and finished ones whose summary is not written) up to
//! `max_concurrent_discussions`, under a lease a heartbeat renews every third of
//! `lease_secs`. The runner of a claimed discussion loops: reload the row and the transcript;
//! a finished one gets its summary; a paused or waiting one is given back; a limit reached
//! (`ending::limit_reached`: turns, tokens, cost, seconds since the first start) ends it; else
//! `turns::next` chooses (in selector mode one call of the facilitator agent's model, whose
//! reason goes in `circle.turn_started`). Waiting for a person's message (an agent addressed
//! `@handle`) or a speaker choice (manual mode) sets `waiting` and gives the claim back: no
//! task or connection is held; the person's post or choice sets `running` and wakes the
//! engines. A turn is announced (`circle.turn_started`), run as a real agent turn for the
//! discussion's creator (the agent's persona, model, tools and memories; the discussion's
//! context as its message and a window of the transcript as its history; its own
//! conversation, continued from turn to turn), streamed live as `circle.stream` events, and
//! stored with `circle.message` in one transaction that first checks this instance still
//! holds the claim; the unique `(discussion_id, turn)` index stores a turn once even if two
//! instances race. A turn past `turn_timeout_secs` is stored `timed_out` with what it said,
//! and the discussion goes on (or stops, `on_timeout: stop`); a failed turn is stored
//! `failed`, and two failed turns in a row end the discussion `failed` (`error`); an agent
//! busy with other turns is retried with backoff. A termination marker ends it `completed`.
//! A stop ends it at once and cancels the turn in flight (not stored); a pause lets the turn
//! in flight be stored, then the runner gives the discussion back. At the end the summary
//! agent (or a digest) writes the summary, saved as a circle memory when asked, then
//! `circle.discussion_ended`. An instance that dies mid-turn loses nothing stored: another
//! claims the discussion when the lease expires and runs the turn again; at shutdown claims
//! are given back at once. Continuing a finished discussion makes it pending again with its
//! whole history (turn numbers go on).

pub mod context;
pub mod ending;
pub mod engine;
pub mod mentions;
pub mod model;
pub mod runner;
pub mod selector;
pub mod service;
pub mod speak;
pub mod steer;
pub mod store;
pub mod summary;
pub mod turns;

pub use engine::Engine;
pub use model::{
    ContinueDiscussion, Discussion, DiscussionMessage, DiscussionStatus, NewDiscussion, NewPost,
    SpeakerChoice,
};
pub use service::Paging;
