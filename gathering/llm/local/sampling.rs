//! Picking the next token from logits (greedy, temperature, nucleus) and the ChatML prompt of
//! SmolLM2, with tool definitions and calls in the Hermes `<tool_call>` convention.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::llm::{Message, Role, Sampling, ToolCall, ToolSpec};

/// The system prompt SmolLM2's template adds when a conversation has none.
pub const DEFAULT_SYSTEM: &str =
    "You are a helpful AI assistant named SmolLM, trained by Hugging Face";

/// Draws tokens for one sequence.
#[derive(Debug)]
pub struct Sampler {
    temperature: f32,
    top_p: f32,
    rng: StdRng,
}

impl Sampler {
    pub fn new(s: &Sampling) -> Self {
        let rng = match s.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        Self {
            temperature: s.temperature.unwrap_or(0.0).max(0.0),
            top_p: s.top_p.unwrap_or(1.0).clamp(0.0, 1.0),
            rng,
        }
    }

    pub fn is_greedy(&self) -> bool {
        self.temperature == 0.0
    }

    pub fn sample(&mut self, logits: &[f32]) -> u32 {
        if self.is_greedy() {
            return argmax(logits);
        }
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut probs: Vec<(u32, f32)> = logits
            .iter()
            .enumerate()
            .map(|(i, &l)| (i as u32, ((l - max) / self.temperature).exp()))
            .collect();
        let total: f32 = probs.iter().map(|p| p.1).sum();
        probs.iter_mut().for_each(|p| p.1 /= total);
        probs.sort_by(|a, b| b.1.total_cmp(&a.1));
        // Keep the smallest prefix whose mass reaches top_p (at least one token).
        let mut mass = 0.0;
        let mut keep = probs.len();
        for (i, p) in probs.iter().enumerate() {
            mass += p.1;
            if mass >= self.top_p {
                keep = i + 1;
                break;
            }
        }
        probs.truncate(keep.max(1));
        let kept: f32 = probs.iter().map(|p| p.1).sum();
        let mut draw = self.rng.random::<f32>() * kept;
        for (id, p) in &probs {
            draw -= p;
            if draw <= 0.0 {
                return *id;
            }
        }
        probs.last().map_or(0, |p| p.0)
    }
}

pub fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &l) in logits.iter().enumerate() {
        if l > logits[best] {
            best = i;
        }
    }
    best as u32
}

fn tool_call_json(call: &ToolCall) -> String {
    let arguments: serde_json::Value = serde_json::from_str(&call.arguments)
        .unwrap_or_else(|_| serde_json::Value::String(call.arguments.clone()));
    serde_json::json!({"name": call.name, "arguments": arguments}).to_string()
}

/// The ChatML text of a conversation, ending with the assistant's turn opened.
pub fn chatml(messages: &[Message], tools: &[ToolSpec]) -> String {
    let mut out = String::new();
    let mut tool_text = String::new();
    if !tools.is_empty() {
        let specs: Vec<serde_json::Value> = tools
            .iter()
            .map(|t| {
                serde_json::json!({"name": t.name, "description": t.description, "parameters": t.parameters})
            })
            .collect();
        tool_text = format!(
            "\n\nYou can call tools. Their definitions:\n<tools>\n{}\n</tools>\nTo call a tool, \
             answer only with <tool_call>{{\"name\": \"...\", \"arguments\": {{...}}}}</tool_call>.",
            serde_json::Value::Array(specs)
        );
    }
    if messages.first().is_none_or(|m| m.role != Role::System) {
        out.push_str(&format!(
            "<|im_start|>system\n{DEFAULT_SYSTEM}{tool_text}<|im_end|>\n"
        ));
        tool_text.clear();
    }
    for m in messages {
        let mut content = m.content.clone();
        if m.role == Role::System && !tool_text.is_empty() {
            content.push_str(&std::mem::take(&mut tool_text));
        }
        for call in &m.tool_calls {
            content.push_str(&format!("<tool_call>{}</tool_call>", tool_call_json(call)));
        }
        if m.role == Role::Tool {
            content = format!("<tool_response>{content}</tool_response>");
        }
        out.push_str(&format!(
            "<|im_start|>{}\n{content}<|im_end|>\n",
            m.role.as_str()
        ));
    }
    out.push_str("<|im_start|>assistant\n");
    out
}

/// Splits a finished answer into text and the `<tool_call>` blocks it holds.
pub fn parse_tool_calls(text: &str) -> (String, Vec<ToolCall>) {
    let mut calls = Vec::new();
    let mut rest = text;
    let mut plain = String::new();
    while let Some(start) = rest.find("<tool_call>") {
        plain.push_str(&rest[..start]);
        let after = &rest[start + "<tool_call>".len()..];
        let (body, next) = match after.find("</tool_call>") {
            Some(end) => (&after[..end], &after[end + "</tool_call>".len()..]),
            None => (after, ""),
        };
        match serde_json::from_str::<serde_json::Value>(body.trim()) {
            Ok(v) if v.get("name").and_then(|n| n.as_str()).is_some() => {
                let arguments = v.get("arguments").cloned().unwrap_or(serde_json::json!({}));
                calls.push(ToolCall {
                    id: format!("call_{}", uuid::Uuid::now_v7().simple()),
                    name: v["name"].as_str().unwrap_or_default().to_string(),
                    arguments: arguments.to_string(),
                });
            }
            _ => plain.push_str(&rest[start..rest.len() - next.len()]),
        }
        rest = next;
    }
    plain.push_str(rest);
    (plain.trim().to_string(), calls)
}

/// Finds stop sequences in generated text, holding back what could be the start of one.
#[derive(Debug, Default)]
pub struct StopMatcher {
    stops: Vec<String>,
    text: String,
    emitted: usize,
}

impl StopMatcher {
    pub fn new(stops: &[String]) -> Self {
        Self {
            stops: stops.iter().filter(|s| !s.is_empty()).cloned().collect(),
            ..Self::default()
        }
    }

    /// Adds text; returns what may be shown now and whether a stop sequence was reached.
    pub fn push(&mut self, piece: &str) -> (String, bool) {
        self.text.push_str(piece);
        if let Some(at) = self
            .stops
            .iter()
            .filter_map(|s| self.text.find(s.as_str()))
            .min()
        {
            let out = self.text[self.emitted.min(at)..at].to_string();
            self.emitted = at;
            return (out, true);
        }
        // Hold back the longest suffix that is a prefix of some stop sequence.
        let mut hold = 0;
        for s in &self.stops {
            for n in (1..s.len()).rev() {
                if n <= self.text.len() && s.is_char_boundary(n) && self.text.ends_with(&s[..n]) {
                    hold = hold.max(n);
                    break;
                }
            }
        }
        let upto = self.text.len() - hold;
        let out = if upto > self.emitted {
            self.text[self.emitted..upto].to_string()
        } else {
            String::new()
        };
        self.emitted = self.emitted.max(upto);
        (out, false)
    }

    /// What is still held back when generation ends for another reason.
    pub fn finish(&mut self) -> String {
        let out = self.text[self.emitted..].to_string();
        self.emitted = self.text.len();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chatml_adds_the_default_system_prompt_and_opens_the_assistant_turn() {
        let text = chatml(&[Message::user("What is the capital of Japan?")], &[]);
        assert_eq!(
            text,
            format!(
                "<|im_start|>system\n{DEFAULT_SYSTEM}<|im_end|>\n<|im_start|>user\nWhat is the \
                 capital of Japan?<|im_end|>\n<|im_start|>assistant\n"
            )
        );
    }

    #[test]
    fn tool_calls_are_parsed_out_of_the_answer() {
        let (text, calls) = parse_tool_calls(
            "Let me check. <tool_call>{\"name\": \"calc\", \"arguments\": {\"x\": 2}}</tool_call>",
        );
        assert_eq!(text, "Let me check.");
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].name, "calc");
        assert_eq!(calls[0].arguments, "{\"x\":2}");
        let (text, calls) = parse_tool_calls("<tool_call>not json</tool_call>");
        assert!(calls.is_empty());
        assert_eq!(text, "<tool_call>not json</tool_call>");
    }

    #[test]
    fn stop_sequences_cut_the_text_and_partial_matches_are_held_back() {
        let mut m = StopMatcher::new(&["END".to_string()]);
        assert_eq!(m.push("hello E"), ("hello ".to_string(), false));
        assert_eq!(m.push("N"), (String::new(), false));
        assert_eq!(m.push("D more"), (String::new(), true));
        let mut m = StopMatcher::new(&["END".to_string()]);
        assert_eq!(m.push("hello E"), ("hello ".to_string(), false));
        assert_eq!(m.push("x"), ("Ex".to_string(), false));
        assert_eq!(m.finish(), "");
    }

    #[test]
    fn seeded_sampling_repeats_and_greedy_takes_the_maximum() {
        let logits: Vec<f32> = (0..50).map(|i| (i as f32 * 0.37).sin()).collect();
        let s = Sampling {
            temperature: Some(1.0),
            top_p: Some(0.9),
            seed: Some(7),
            max_tokens: None,
        };
        let a: Vec<u32> = (0..20)
            .scan(Sampler::new(&s), |sm, _| Some(sm.sample(&logits)))
            .collect();
        let b: Vec<u32> = (0..20)
            .scan(Sampler::new(&s), |sm, _| Some(sm.sample(&logits)))
            .collect();
        assert_eq!(a, b);
        assert!(a.iter().any(|&t| t != a[0]), "temperature 1 should vary");
        let mut greedy = Sampler::new(&Sampling::default());
        assert_eq!(greedy.sample(&logits), argmax(&logits));
        // top_p near 0 keeps only the most likely token.
        let s = Sampling {
            temperature: Some(1.0),
            top_p: Some(0.0),
            seed: Some(1),
            max_tokens: None,
        };
        let mut nucleus = Sampler::new(&s);
        assert!((0..10).all(|_| nucleus.sample(&logits) == argmax(&logits)));
    }
}
