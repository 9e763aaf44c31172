//! Property tests of turn-taking: over any participants, transition graph and history, no mode
//! gives the word to the last agent speaker or against the graph; free mode is reproducible;
//! a selector that always names the same agent never makes it speak twice in a row.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::circles::discussion::selector::selector_pick;

const NAMES: [&str; 6] = ["ann", "bob", "cid", "dan", "eve", "fay"];
const PEOPLE: [&str; 2] = ["marie", "jo"];

fn circle(n: usize) -> Vec<Participant> {
    NAMES[..n]
        .iter()
        .enumerate()
        .map(|(i, n)| Participant {
            id: Uuid::from_u128(i as u128 + 1),
            name: (*n).to_owned(),
        })
        .collect()
}

/// A message made of `tokens`: names, mentions of agents and people, the facilitator's
/// phrasings, punctuation and filler.
fn text(tokens: &[usize]) -> String {
    let vocabulary: Vec<String> = NAMES
        .iter()
        .chain(PEOPLE.iter())
        .flat_map(|n| [n.to_string(), format!("@{n}"), format!("{n},")])
        .chain(
            [
                "ask",
                "hear from",
                ". ",
                "what do you think",
                "well",
                "[DONE]",
                "x@y.z",
            ]
            .map(String::from),
        )
        .collect();
    tokens
        .iter()
        .map(|t| vocabulary[t % vocabulary.len()].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A transition graph: for each participant, no entry or the ones its bits select.
fn transitions(ps: &[Participant], bits: &[Option<u8>]) -> Transitions {
    let graph: BTreeMap<String, Vec<String>> = ps
        .iter()
        .zip(bits)
        .filter_map(|(p, b)| {
            b.map(|b| {
                let next = ps
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| b & (1 << i) != 0)
                    .map(|(_, q)| q.name.clone())
                    .collect();
                (p.name.clone(), next)
            })
        })
        .collect();
    Transitions::parse(&graph, ps).expect("names of participants")
}

/// What one simulated step gave: the speaker, or how the discussion stopped or waited.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Spoke(Uuid),
    Waited,
    Ended,
}

/// Runs up to `turns` steps of a discussion and checks every pick on the way.
#[allow(
    clippy::too_many_arguments,
    reason = "one argument per generated input"
)]
fn simulate(
    mode: Mode,
    n: usize,
    graph: &[Option<u8>],
    seed: u64,
    messages: &[Vec<usize>],
    answers: &[String],
    picks: &[usize],
    turns: usize,
) -> Vec<Step> {
    let ps = circle(n);
    let t = transitions(&ps, graph);
    let people: Vec<String> = PEOPLE.iter().map(|p| p.to_string()).collect();
    let texts: Vec<String> = messages.iter().map(|m| text(m)).collect();
    let prompt = texts.first().cloned().unwrap_or_default();
    let mut last_agent: Option<Uuid> = None;
    let mut last_text = prompt.clone();
    let mut by_person = false;
    let mut chosen: Option<Uuid> = None;
    let mut steps = Vec::new();
    for k in 0..turns {
        let sit = Situation {
            participants: &ps,
            facilitator: Some(ps[seed as usize % n].id),
            last: Said {
                by: match (last_agent, by_person) {
                    (Some(id), false) => Speaker::Agent(id),
                    (_, true) => Speaker::Person("jo"),
                    (None, false) => Speaker::Prompt,
                },
                text: &last_text,
            },
            last_agent,
            turn: steps.iter().filter(|s| matches!(s, Step::Spoke(_))).count() as u32 + 1,
            seed,
            transitions: Some(&t),
            people: &people,
            chosen: chosen.take(),
        };
        let cands = candidates(&sit);
        let speaker = match next(mode, &sit) {
            Choice::Agent { id, .. } => id,
            Choice::AskSelector { candidates } => {
                assert_eq!(candidates, cands);
                let answer = answers
                    .get(k % answers.len().max(1))
                    .map_or("", String::as_str);
                match selector_pick(answer, &sit, &candidates) {
                    Choice::Agent { id, .. } => id,
                    other => panic!("the selector picked {other:?} among {candidates:?}"),
                }
            }
            Choice::WaitForPerson { handle } => {
                assert!(PEOPLE.contains(&handle.as_str()));
                by_person = true;
                last_text = texts
                    .get(k % texts.len().max(1))
                    .cloned()
                    .unwrap_or_default();
                steps.push(Step::Waited);
                continue;
            }
            Choice::WaitForChoice => {
                assert_eq!(mode, Mode::Manual);
                let pick = picks.get(k % picks.len().max(1)).copied().unwrap_or(0);
                chosen = Some(cands[pick % cands.len()]);
                steps.push(Step::Waited);
                continue;
            }
            Choice::NoSpeaker => {
                assert!(cands.is_empty(), "no speaker but {cands:?}");
                steps.push(Step::Ended);
                break;
            }
        };
        assert!(cands.contains(&speaker), "{speaker} is not among {cands:?}");
        assert_ne!(
            Some(speaker),
            last_agent,
            "{mode:?}: the same speaker twice"
        );
        if let Some(last) = last_agent {
            assert!(
                t.allows(last, speaker),
                "{mode:?}: {last} -> {speaker} is not allowed"
            );
        }
        last_agent = Some(speaker);
        by_person = false;
        last_text = texts
            .get(k % texts.len().max(1))
            .cloned()
            .unwrap_or_default();
        steps.push(Step::Spoke(speaker));
    }
    steps
}

fn mode() -> impl Strategy<Value = Mode> {
    prop::sample::select(Mode::ALL.to_vec())
}

fn answer() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(NAMES.to_vec()).prop_map(|n| format!("{{\"speaker\": \"{n}\"}}")),
        prop::sample::select(NAMES.to_vec()).prop_map(String::from),
        ".{0,20}",
    ]
}

proptest! {
    #[test]
    fn no_mode_repeats_a_speaker_or_breaks_the_graph(
        mode in mode(),
        n in 2usize..=6,
        graph in prop::collection::vec(prop::option::of(any::<u8>()), 6),
        seed in any::<u64>(),
        messages in prop::collection::vec(prop::collection::vec(0usize..64, 0..8), 1..6),
        answers in prop::collection::vec(answer(), 1..4),
        picks in prop::collection::vec(any::<usize>(), 1..4),
    ) {
        simulate(mode, n, &graph, seed, &messages, &answers, &picks, 40);
    }

    #[test]
    fn free_is_reproducible_for_a_seed(
        n in 2usize..=6,
        graph in prop::collection::vec(prop::option::of(any::<u8>()), 6),
        seed in any::<u64>(),
        messages in prop::collection::vec(prop::collection::vec(0usize..64, 0..8), 1..6),
    ) {
        let run = || simulate(Mode::Free, n, &graph, seed, &messages, &[], &[], 30);
        prop_assert_eq!(run(), run());
    }

    #[test]
    fn a_stubborn_selector_never_makes_one_agent_speak_twice_in_a_row(
        n in 2usize..=6,
        favourite in 0usize..6,
        seed in any::<u64>(),
    ) {
        let answer = format!("{{\"speaker\": \"{}\", \"reason\": \"always\"}}", NAMES[favourite % n]);
        let no_graph = [None; 6];
        let steps = simulate(Mode::Selector, n, &no_graph, seed, &[vec![]], &[answer], &[], 100);
        prop_assert_eq!(steps.len(), 100);
        let speakers: Vec<Uuid> = steps
            .iter()
            .map(|s| match s {
                Step::Spoke(id) => *id,
                other => panic!("{other:?}"),
            })
            .collect();
        prop_assert!(speakers.windows(2).all(|w| w[0] != w[1]));
        let favourite = Uuid::from_u128((favourite % n) as u128 + 1);
        let times = speakers.iter().filter(|s| **s == favourite).count();
        prop_assert!(times >= 49, "the favourite speaks every other turn: {}", times);
    }
}
