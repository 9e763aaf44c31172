//! Tests of turn-taking: every mode, the facilitator's phrasings, mentions, transitions, a
//! person addressed and people's choices. Its helpers serve `selector_tests` too.

use std::collections::BTreeMap;

use super::*;

pub(crate) fn circle(names: &[&str]) -> Vec<Participant> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| Participant {
            id: Uuid::from_u128(i as u128 + 1),
            name: (*n).to_owned(),
        })
        .collect()
}

pub(crate) fn id(ps: &[Participant], name: &str) -> Uuid {
    ps.iter()
        .find(|p| p.name == name)
        .expect("a participant")
        .id
}

pub(crate) fn name(ps: &[Participant], choice: &Choice) -> String {
    match choice {
        Choice::Agent { id, .. } => ps.iter().find(|p| p.id == *id).unwrap().name.clone(),
        other => panic!("not an agent: {other:?}"),
    }
}

/// After `last` (an agent's name) said `text`.
pub(crate) fn after<'a>(ps: &'a [Participant], last: &str, text: &'a str) -> Situation<'a> {
    let last = id(ps, last);
    Situation {
        last: Said {
            by: Speaker::Agent(last),
            text,
        },
        last_agent: Some(last),
        ..Situation::opening(ps, "")
    }
}

pub(crate) fn graph(edges: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    edges
        .iter()
        .map(|(from, to)| {
            (
                (*from).to_owned(),
                to.iter().map(|t| (*t).to_owned()).collect(),
            )
        })
        .collect()
}

#[test]
fn modes_parse_print_and_default_to_round_robin() {
    for mode in Mode::ALL {
        assert_eq!(Mode::parse(mode.as_str()).unwrap(), mode);
        let json = serde_json::to_string(&mode).unwrap();
        assert_eq!(json, format!("\"{}\"", mode.as_str()));
    }
    assert_eq!(Mode::parse("Round-Robin").unwrap(), Mode::RoundRobin);
    assert_eq!(Mode::default(), Mode::RoundRobin);
    let err = Mode::parse("chaos").unwrap_err().to_string();
    assert!(err.starts_with("mode: unknown mode \"chaos\""), "{err}");
    assert!(err.contains("round_robin, mention, free, facilitator, selector, manual"));
}

#[test]
fn round_robin_goes_in_order_and_wraps() {
    let ps = circle(&["ann", "bob", "cid"]);
    let first = next(Mode::RoundRobin, &Situation::opening(&ps, "Topic"));
    assert_eq!(
        first,
        Choice::Agent {
            id: id(&ps, "ann"),
            reason: "round_robin".into()
        }
    );
    assert_eq!(
        name(&ps, &next(Mode::RoundRobin, &after(&ps, "ann", ""))),
        "bob"
    );
    assert_eq!(
        name(&ps, &next(Mode::RoundRobin, &after(&ps, "cid", ""))),
        "ann"
    );
}

#[test]
fn a_lone_participant_may_speak_again() {
    let ps = circle(&["solo"]);
    for mode in [
        Mode::RoundRobin,
        Mode::Mention,
        Mode::Free,
        Mode::Facilitator,
    ] {
        let sit = Situation {
            facilitator: Some(id(&ps, "solo")),
            ..after(&ps, "solo", "again")
        };
        assert_eq!(name(&ps, &next(mode, &sit)), "solo", "{mode:?}");
    }
}

#[test]
fn mention_picks_the_first_mentioned_candidate() {
    let ps = circle(&["ann", "bob", "cid"]);
    let sit = after(&ps, "ann", "I agree with @ann; @Cid, and then @bob?");
    assert_eq!(
        next(Mode::Mention, &sit),
        Choice::Agent {
            id: id(&ps, "cid"),
            reason: "mention".into()
        }
    );
    // Nobody (or only the last speaker) mentioned: round robin.
    let sit = after(&ps, "ann", "As @ann said, mail ann@bob.org");
    assert_eq!(name(&ps, &next(Mode::Mention, &sit)), "bob");
    // The opening prompt's mention counts too.
    let opening = Situation::opening(&ps, "@cid opens, please");
    assert_eq!(name(&ps, &next(Mode::Mention, &opening)), "cid");
}

#[test]
fn free_is_mentioned_else_drawn_reproducibly_from_the_seed() {
    let ps = circle(&["ann", "bob", "cid", "dan", "eve"]);
    let sit = after(&ps, "ann", "@eve?");
    assert_eq!(name(&ps, &next(Mode::Free, &sit)), "eve");
    let draw = |seed: u64| -> Vec<String> {
        let mut last = "ann".to_owned();
        let mut order = Vec::new();
        for turn in 1..=30 {
            let sit = Situation {
                turn,
                seed,
                ..after(&ps, &last, "")
            };
            let choice = next(Mode::Free, &sit);
            assert!(matches!(&choice, Choice::Agent { reason, .. } if reason == "free"));
            last = name(&ps, &choice);
            order.push(last.clone());
        }
        order
    };
    assert_eq!(draw(7), draw(7));
    assert_ne!(draw(7), draw(8));
    let seen: std::collections::BTreeSet<String> = draw(7).into_iter().collect();
    assert_eq!(seen.len(), 5, "every participant gets to speak: {seen:?}");
}

#[test]
fn facilitator_speaks_after_everyone_and_routes_in_its_phrasings() {
    let ps = circle(&["lead", "ann", "bob", "zoé"]);
    let f = id(&ps, "lead");
    let with = |sit: Situation<'_>| -> String {
        let sit = Situation {
            facilitator: Some(f),
            ..sit
        };
        name(&ps, &next(Mode::Facilitator, &sit))
    };
    assert_eq!(with(Situation::opening(&ps, "Topic")), "lead");
    assert_eq!(with(after(&ps, "bob", "my view, @ann?")), "lead");
    for (text, expected) in [
        ("Thanks. @bob, your view?", "bob"),
        ("Bob, could you start?", "bob"),
        ("Good point.\n**Ann**, please go on.", "ann"),
        ("So far so good! ZOÉ, what is missing?", "zoé"),
        ("Let's ask ann about costs.", "ann"),
        ("I'd like to hear from Bob now.", "bob"),
        ("Now over to zoé", "zoé"),
        ("Thanks Ann, good point. Bob, what do you think?", "bob"),
        ("And so Zoé, what do you think of it?", "zoé"),
        ("We should ASK BOB.", "bob"),
    ] {
        assert_eq!(with(after(&ps, "lead", text)), expected, "{text}");
    }
    // Spoken of, not addressed: the others in turn, by turn number.
    let order: Vec<String> = (2..=8)
        .step_by(2)
        .map(|turn| {
            with(Situation {
                turn,
                ..after(&ps, "lead", "Thanks Ann, bobby and annabel are away.")
            })
        })
        .collect();
    assert_eq!(order, ["ann", "bob", "zoé", "ann"]);
}

#[test]
fn an_agent_addressing_a_person_waits_for_them_in_every_mode() {
    let ps = circle(&["ann", "bob"]);
    let people = vec!["Marie".to_owned(), "jo".to_owned()];
    for mode in Mode::ALL {
        let sit = Situation {
            people: &people,
            facilitator: Some(id(&ps, "ann")),
            ..after(&ps, "ann", "Not sure. @marie, can you confirm? @bob later.")
        };
        assert_eq!(
            next(mode, &sit),
            Choice::WaitForPerson {
                handle: "Marie".into()
            },
            "{mode:?}"
        );
        // The first known mention is an agent: no waiting.
        let sit = Situation {
            people: &people,
            ..after(&ps, "ann", "@nobody @bob then @jo")
        };
        assert!(!matches!(next(mode, &sit), Choice::WaitForPerson { .. }));
        // A person's own mention of another person does not wait.
        let sit = Situation {
            people: &people,
            last: Said {
                by: Speaker::Person("jo"),
                text: "@marie what do you think?",
            },
            ..after(&ps, "ann", "")
        };
        assert!(!matches!(next(mode, &sit), Choice::WaitForPerson { .. }));
    }
}

#[test]
fn manual_waits_for_a_choice_and_a_choice_overrides_every_mode() {
    let ps = circle(&["ann", "bob", "cid"]);
    assert_eq!(
        next(Mode::Manual, &after(&ps, "ann", "")),
        Choice::WaitForChoice
    );
    for mode in Mode::ALL {
        let sit = Situation {
            chosen: Some(id(&ps, "cid")),
            ..after(&ps, "ann", "@bob")
        };
        assert_eq!(
            next(mode, &sit),
            Choice::Agent {
                id: id(&ps, "cid"),
                reason: "chosen".into()
            }
        );
        // A stale choice (the last speaker) is ignored.
        let sit = Situation {
            chosen: Some(id(&ps, "ann")),
            ..after(&ps, "ann", "")
        };
        assert_ne!(
            next(mode, &sit),
            Choice::Agent {
                id: id(&ps, "ann"),
                reason: "chosen".into()
            }
        );
    }
}

#[test]
fn a_choice_is_checked_against_who_may_speak() {
    let ps = circle(&["ann", "bob", "cid"]);
    let t = Transitions::parse(&graph(&[("ann", &["bob"])]), &ps).unwrap();
    let sit = Situation {
        transitions: Some(&t),
        ..after(&ps, "ann", "")
    };
    assert_eq!(check_choice(&sit, "@Bob").unwrap(), id(&ps, "bob"));
    assert_eq!(
        check_choice(&sit, &id(&ps, "bob").to_string()).unwrap(),
        id(&ps, "bob")
    );
    let err = check_choice(&sit, "ann").unwrap_err().to_string();
    assert_eq!(err, "speaker: ann just spoke; who may speak now: bob");
    let err = check_choice(&sit, "cid").unwrap_err().to_string();
    assert_eq!(
        err,
        "speaker: cid may not follow the last speaker; who may speak now: bob"
    );
    let err = check_choice(&sit, "dan").unwrap_err().to_string();
    assert_eq!(
        err,
        "speaker: \"dan\" is not a participant of the discussion"
    );
}

#[test]
fn transitions_parse_names_and_report_every_unknown_one() {
    let ps = circle(&["ann", "bob", "cid"]);
    let t = Transitions::parse(&graph(&[("ANN", &["bob", "@cid", "bob"])]), &ps).unwrap();
    assert_eq!(
        t.by_name(&ps),
        graph(&[("ann", &["bob", "cid"])]),
        "names resolved without case, each once"
    );
    let json = serde_json::to_value(&t).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ id(&ps, "ann").to_string(): [id(&ps, "bob"), id(&ps, "cid")] })
    );
    assert_eq!(serde_json::from_value::<Transitions>(json).unwrap(), t);
    let err = Transitions::parse(&graph(&[("ann", &["dan", "bob"]), ("eve", &["dan"])]), &ps)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "transitions: not participants of the discussion: dan, eve"
    );
    assert!(
        Transitions::parse(&BTreeMap::new(), &ps)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn transitions_constrain_every_mode() {
    let ps = circle(&["ann", "bob", "cid", "dan"]);
    let t =
        Transitions::parse(&graph(&[("ann", &["cid", "dan"]), ("cid", &["ann"])]), &ps).unwrap();
    fn with<'a>(sit: Situation<'a>, t: &'a Transitions, f: Uuid) -> Situation<'a> {
        Situation {
            transitions: Some(t),
            facilitator: Some(f),
            ..sit
        }
    }
    let cid = id(&ps, "cid");
    let allowed = |sit| with(sit, &t, cid);
    assert_eq!(
        name(
            &ps,
            &next(Mode::RoundRobin, &allowed(after(&ps, "ann", "")))
        ),
        "cid"
    );
    // @bob may not follow ann: the mention is passed over.
    let s = allowed(after(&ps, "ann", "@bob @dan"));
    assert_eq!(name(&ps, &next(Mode::Mention, &s)), "dan");
    assert_eq!(name(&ps, &next(Mode::Free, &s)), "dan");
    // The facilitator (cid) may follow ann; after cid, only ann whatever it names.
    assert_eq!(name(&ps, &next(Mode::Facilitator, &s)), "cid");
    let s = allowed(after(&ps, "cid", "Bob, your turn."));
    assert_eq!(name(&ps, &next(Mode::Facilitator, &s)), "ann");
    assert_eq!(
        next(Mode::Selector, &s),
        Choice::Agent {
            id: id(&ps, "ann"),
            reason: "selector: the only allowed speaker".into()
        }
    );
    // bob has no entry: anyone but bob may follow.
    let s = allowed(after(&ps, "bob", ""));
    assert_eq!(
        candidates(&s),
        [id(&ps, "ann"), id(&ps, "cid"), id(&ps, "dan")]
    );
}

#[test]
fn a_graph_that_leaves_nobody_ends_the_discussion() {
    let ps = circle(&["ann", "bob"]);
    let t = Transitions::parse(&graph(&[("ann", &[]), ("bob", &["bob"])]), &ps).unwrap();
    for last in ["ann", "bob"] {
        for mode in Mode::ALL {
            let sit = Situation {
                transitions: Some(&t),
                chosen: Some(id(&ps, "bob")),
                ..after(&ps, last, "@bob")
            };
            assert_eq!(next(mode, &sit), Choice::NoSpeaker, "{mode:?} after {last}");
        }
    }
}

#[test]
fn setups_are_checked() {
    let ps = circle(&["ann", "bob"]);
    assert!(check_setup(Mode::RoundRobin, &ps, None).is_ok());
    assert!(check_setup(Mode::Facilitator, &ps, Some(id(&ps, "bob"))).is_ok());
    let err = |mode, ps: &[Participant], f| check_setup(mode, ps, f).unwrap_err().to_string();
    assert_eq!(
        err(Mode::Free, &[], None),
        "participants: at least one agent"
    );
    assert_eq!(
        err(Mode::Facilitator, &ps, None),
        "facilitator: mode facilitator needs a facilitator"
    );
    assert_eq!(
        err(Mode::Facilitator, &ps, Some(Uuid::from_u128(99))),
        "facilitator: the facilitator must be one of the participants"
    );
    let twice = [
        ps[0].clone(),
        Participant {
            id: Uuid::from_u128(9),
            name: "ANN".into(),
        },
    ];
    assert_eq!(
        err(Mode::Free, &twice, None),
        "participants: ANN is listed twice"
    );
}
