//! The turn overhead: a 2-agent round-robin discussion of `turns` turns beside `turns`
//! sequential plain chat turns of one agent on the same scripted model, alternated over a few
//! rounds in one run; each split at the model request into before, inside and after.

use std::time::Instant;

use serde_json::json;

use super::{Api, Log, ms, record, served_since, stats};
use crate::server::{Server, arg};

/// Per-turn figures of one path, in ms.
#[derive(Default)]
struct Split {
    total: Vec<f64>,
    before: Vec<f64>,
    model: Vec<f64>,
    after: Vec<f64>,
}

impl Split {
    fn add(&mut self, began: Instant, ended: Instant, request: Option<&super::Served>) {
        self.total.push(ms(ended - began));
        if let Some(r) = request
            && r.at >= began
            && r.at + r.took <= ended
        {
            self.before.push(ms(r.at - began));
            self.model.push(ms(r.took));
            self.after.push(ms(ended - (r.at + r.took)));
        }
    }

    fn extend(&mut self, other: Split) {
        self.total.extend(other.total);
        self.before.extend(other.before);
        self.model.extend(other.model);
        self.after.extend(other.after);
    }
}

/// `turns` chat turns of `agent`, one conversation, one after another.
async fn chat(api: &Api, log: &Log, agent: &str, turns: usize) -> Split {
    let mut split = Split::default();
    let mut conversation = serde_json::Value::Null;
    for i in 0..turns {
        let from = Instant::now();
        let answer = api
            .post(
                &format!("/api/agents/{agent}/chat"),
                json!({"message": format!("Point {i}: how should a small team plan its next release?"),
                       "conversation_id": conversation}),
            )
            .await;
        let ended = Instant::now();
        conversation = answer["conversation_id"].clone();
        split.add(from, ended, served_since(log, from).first());
    }
    split
}

/// What one discussion measured.
#[derive(Default)]
struct Discussion {
    turn: Split,
    /// Heard `circle.message` of turn k to `circle.turn_started` of turn k + 1.
    between: Vec<f64>,
    /// Heard `circle.message` of turn k to that of turn k + 1.
    cycle: Vec<f64>,
    /// Stored `created_at` of turn k to that of turn k + 1.
    stored: Vec<f64>,
    /// POST to `circle.discussion_ended`.
    wall: f64,
}

async fn discussion(
    s: &Server,
    api: &Api,
    log: &Log,
    circle: &str,
    agents: &[String],
    turns: usize,
) -> Discussion {
    let mut recorder = record(s);
    let from = Instant::now();
    let id = api.discuss(circle, agents, turns).await;
    recorder.until_ended(1).await;
    let mut d = Discussion {
        wall: ms(recorder.ended_at(&id).unwrap() - from),
        ..Discussion::default()
    };
    let heard = recorder.turns();
    let served = served_since(log, from);
    assert_eq!(served.len(), turns, "one model request per turn");
    let at = |k: i64| heard.get(&(id.clone(), k)).copied().unwrap_or_default();
    for k in 1..=turns as i64 {
        let (Some(started), Some(message)) = at(k) else {
            panic!("turn {k} was not heard");
        };
        d.turn.add(started, message, served.get(k as usize - 1));
        if let (Some(next_started), Some(next_message)) = at(k + 1) {
            d.between.push(ms(next_started - message));
            d.cycle.push(ms(next_message - message));
        }
    }
    let stored = api.turns(circle, &id).await;
    assert_eq!(stored.len(), turns, "every turn stored once");
    for pair in stored.windows(2) {
        d.stored
            .push((pair[1].1 - pair[0].1).num_microseconds().unwrap() as f64 / 1000.0);
    }
    d
}

/// Prints the section; returns a discussion's median turn cycle in ms.
pub async fn run(s: &Server, api: &Api, log: &Log, persona: &str, stamp: i64, turns: usize) -> f64 {
    let rounds = arg("ROUNDS", 3);
    let solo = format!("solo-{stamp}");
    let agent = api
        .post(
            "/api/agents",
            json!({"name": solo, "persona_id": persona, "model": api.model, "tools": [],
                   "memory_budget_tokens": 0}),
        )
        .await;
    let agent = agent["id"].as_str().unwrap().to_owned();
    let mut chats = Split::default();
    let mut talks = Discussion::default();
    let mut walls = Vec::new();
    let mut per_round = Vec::new();
    for round in 0..rounds {
        let c = chat(api, log, &agent, turns).await;
        let circle = format!("overhead-{stamp}-{round}");
        let agents = vec![
            format!("ada-{stamp}-{round}"),
            format!("bea-{stamp}-{round}"),
        ];
        api.circle(&circle, &agents, persona).await;
        let d = discussion(s, api, log, &circle, &agents, turns).await;
        per_round.push(format!(
            "{:.2} / {:.2}",
            stats(&c.total).0,
            stats(&d.turn.total).0
        ));
        chats.extend(c);
        talks.turn.extend(d.turn);
        talks.between.extend(d.between);
        talks.cycle.extend(d.cycle);
        talks.stored.extend(d.stored);
        walls.push(d.wall);
    }
    let chat_ms = stats(&chats.total).0;
    println!("## Turn overhead\n");
    println!(
        "{rounds} rounds, alternated in one run, each of: {turns} plain chat turns of one agent \
         (`POST /api/agents/{{id}}/chat`, not streamed, one conversation, one after another: \
         the agent runtime's own cost, the baseline), then one discussion of 2 agents, round \
         robin, `max_turns: {turns}`. Every model request is logged by the scripted model \
         (arrival, time in its handler), which splits each turn into before the model, inside \
         it, and after it. A discussion turn is timed from its `circle.turn_started` to its \
         `circle.message` as heard on the bus; a chat turn from sending the request to \
         reading the whole answer. Medians over all rounds (per round, chat / discussion: {}).\n",
        per_round.join("; ")
    );
    println!(
        "| path | turns | median ms | mean ms | p99 ms | inside the model, median ms | overhead (median − model), ms | ratio to a chat turn |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let model = stats(&talks.turn.model).0;
    let row = |name: &str, v: &[f64]| {
        let (p50, mean, p99) = stats(v);
        println!(
            "| {name} | {} | {p50:.2} | {mean:.2} | {p99:.2} | {model:.3} | {:.2} | {:.2} |",
            v.len(),
            p50 - model,
            p50 / chat_ms
        );
    };
    row("chat turn (request → whole answer)", &chats.total);
    row(
        "discussion turn (`turn_started` → `message`)",
        &talks.turn.total,
    );
    row(
        "discussion, one turn to the next (`message` → `message`)",
        &talks.cycle,
    );
    row(
        "discussion, one stored turn to the next (`created_at`)",
        &talks.stored,
    );
    println!();
    let med = |v: &[f64]| {
        if v.is_empty() {
            "–".to_owned()
        } else {
            format!("{:.2}", stats(v).0)
        }
    };
    println!("Where the time goes (medians, ms):\n");
    println!("| part | chat turn | discussion turn |");
    println!("|---|---|---|");
    println!(
        "| before the model request (chat: HTTP, auth, body; both: the agent, persona, model, conversation, history, prompt) | {} | {} |",
        med(&chats.before),
        med(&talks.turn.before)
    );
    println!(
        "| inside the model server (its handler) | {} | {} |",
        med(&chats.model),
        med(&talks.turn.model)
    );
    println!(
        "| after the model's answer (reading the stream; storing the conversation's messages and usage; chat: the response; discussion: the model's price, the fenced turn with its outbox event, the relay to the bus) | {} | {} |",
        med(&chats.after),
        med(&talks.turn.after)
    );
    println!(
        "| between turns (`message` → next `turn_started`: reload the discussion, names, people, the whole transcript, choose the speaker, the fenced `turn_started` event, the relay) | – | {} |",
        med(&talks.between)
    );
    println!();
    let (wall, _, _) = stats(&walls);
    println!(
        "A whole {turns}-turn discussion, from the POST to `circle.discussion_ended` (the \
         digest summary included): median {wall:.0} ms, {:.2} ms per turn.\n",
        wall / turns as f64
    );
    let cycle = stats(&talks.cycle).0;
    let (before, after) = (
        stats(&talks.turn.before).0 - stats(&chats.before).0,
        stats(&talks.turn.after).0 - stats(&chats.after).0,
    );
    println!(
        "**Reading it.** The model costs nothing here (its handler takes {model:.3} ms), so \
         every millisecond is the platform's. A plain chat turn costs {chat_ms:.1} ms; a \
         discussion turn costs {cycle:.1} ms from one stored turn to the next, {:.2}× the chat \
         turn, {:.1} ms more. Of that difference: before the model the discussion turn spends \
         {before:+.1} ms against the chat turn (it has no HTTP request, authentication or body \
         to parse, but looks the agent and the discussion's creator's role up again and hands \
         the runtime a window built from the transcript); after the model {after:+.1} ms (the \
         runner resolves the model again from the database for its price, then stores the turn \
         in a second transaction fenced by the claim, with its `circle.message` in the \
         outbox, whose commit the relay hears through `NOTIFY` and reads back before the bus \
         has it); and {:.1} ms between turns (one transaction for `circle.turn_started`, \
         fenced and in the outbox like the message, after reloading the discussion, the \
         participants' names, the circle's people and the whole transcript to choose the \
         speaker: the choice itself is a pure function and costs microseconds). The \
         `circle.stream` events are published on the bus only (ephemeral), about one per \
         delta: here one per turn. Beyond the agent runtime's own work, the runner takes about \
         six pool checkouts per turn, two of them transactions that take the outbox's global \
         ordering lock (`turn_started`, the stored turn) besides the agent turn's own.\n",
        cycle / chat_ms,
        cycle - chat_ms,
        stats(&talks.between).0,
    );
    cycle
}
