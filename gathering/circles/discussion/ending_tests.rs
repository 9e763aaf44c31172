//! Tests of termination: markers and phrases (and sentences that merely say "done"), limits
//! with their defaults and ranges, and which limit a progress reached.

use super::*;

#[test]
fn the_original_markers_end_a_discussion_anywhere_without_case() {
    for (text, expected) in [
        ("All settled. [DONE]", "[DONE]"),
        ("[done]", "[DONE]"),
        ("Voilà, c'est tout. [TERMINÉ]", "[TERMINÉ]"),
        ("[terminé]", "[TERMINÉ]"),
        ("[Termine] merci", "[TERMINÉ]"),
        ("**[FIN]**", "[FIN]"),
        ("Result attached\n[ Complete ]", "[COMPLETE]"),
    ] {
        assert_eq!(marker(text), Some(expected), "{text}");
    }
}

#[test]
fn the_phrases_end_it_only_as_whole_sentences() {
    for (text, expected) in [
        (
            "We agreed on the plan. Discussion complete.",
            "discussion complete",
        ),
        ("I think we are done here!", ""),
        ("Great work, all.\nWe're done here.", "we're done here"),
        ("We’re done here", "we're done here"),
        ("Nothing more to add.", "nothing more to add"),
        (
            "Thanks. I have nothing more to add",
            "i have nothing more to add",
        ),
        (
            "**This concludes our discussion**",
            "this concludes our discussion",
        ),
        (
            "Parfait. La discussion est terminée.",
            "la discussion est terminée",
        ),
        ("discussion terminee", "discussion terminée"),
        ("Je n’ai rien à ajouter.", "je n'ai rien à ajouter"),
        (
            "Discussion complete: we ship on Monday.",
            "discussion complete",
        ),
    ] {
        let found = marker(text);
        if expected.is_empty() {
            assert_eq!(found, None, "{text}");
        } else {
            assert_eq!(found, Some(expected), "{text}");
        }
    }
}

#[test]
fn ordinary_sentences_about_being_done_go_on() {
    for text in [
        "I'm done with the first draft; what do you think?",
        "Once the migration is done, we can test it.",
        "Done! Next, the pricing.",
        "DONE",
        "The work is complete, but the review is not.",
        "We are done here once the tests pass.",
        "I have nothing more to add to the budget, but the plan needs work.",
        "Is the discussion complete?",
        "Let's finish.",
        "Rappel: la fin de la discussion approche.",
        "[DONE later]",
        "",
    ] {
        assert_eq!(marker(text), None, "{text}");
    }
}

#[test]
fn limits_default_and_refuse_unknown_fields() {
    let limits: Limits = serde_json::from_str("{}").unwrap();
    assert_eq!(limits, Limits::default());
    assert_eq!(limits.max_turns, 12);
    assert_eq!(limits.turn_timeout_secs, 120);
    assert_eq!(limits.on_timeout, OnTimeout::Continue);
    let limits: Limits =
        serde_json::from_str(r#"{"max_turns": 3, "max_cost": 0.5, "on_timeout": "stop"}"#).unwrap();
    assert_eq!(limits.max_turns, 3);
    assert_eq!(limits.max_cost, Some(0.5));
    assert_eq!(limits.on_timeout, OnTimeout::Stop);
    assert_eq!(
        serde_json::to_value(Limits::default()).unwrap(),
        serde_json::json!({"max_turns": 12, "max_tokens": null, "max_cost": null,
            "max_seconds": null, "turn_timeout_secs": 120, "on_timeout": "continue"})
    );
    let err = serde_json::from_str::<Limits>(r#"{"max_turn": 3}"#).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `max_turn`"),
        "{err}"
    );
    assert!(serde_json::from_str::<Limits>(r#"{"on_timeout": "retry"}"#).is_err());
}

#[test]
fn limits_are_checked_field_by_field() {
    assert!(Limits::default().check().is_ok());
    let top = Limits {
        max_turns: 500,
        max_tokens: Some(Limits::MAX_TOKENS),
        max_cost: Some(0.001),
        max_seconds: Some(Limits::MAX_SECONDS),
        turn_timeout_secs: 3600,
        on_timeout: OnTimeout::Stop,
    };
    assert!(top.check().is_ok());
    let err = |change: fn(&mut Limits)| {
        let mut limits = Limits::default();
        change(&mut limits);
        limits.check().unwrap_err().to_string()
    };
    assert_eq!(err(|l| l.max_turns = 0), "limits.max_turns: 1 to 500");
    assert_eq!(err(|l| l.max_turns = 501), "limits.max_turns: 1 to 500");
    assert!(err(|l| l.max_tokens = Some(0)).starts_with("limits.max_tokens: "));
    assert!(err(|l| l.max_cost = Some(0.0)).starts_with("limits.max_cost: "));
    assert!(err(|l| l.max_cost = Some(f64::NAN)).starts_with("limits.max_cost: "));
    assert!(err(|l| l.max_seconds = Some(0)).starts_with("limits.max_seconds: "));
    assert!(err(|l| l.max_seconds = Some(u64::MAX)).starts_with("limits.max_seconds: "));
    assert_eq!(
        err(|l| l.turn_timeout_secs = 0),
        "limits.turn_timeout_secs: 1 to 3600"
    );
    assert_eq!(
        err(|l| l.turn_timeout_secs = 3601),
        "limits.turn_timeout_secs: 1 to 3600"
    );
}

#[test]
fn the_first_limit_reached_ends_the_discussion() {
    let limits = Limits {
        max_turns: 5,
        max_tokens: Some(1000),
        max_cost: Some(1.0),
        max_seconds: Some(60),
        ..Limits::default()
    };
    let under = Progress {
        turns: 4,
        tokens: 999,
        cost: 0.99,
        elapsed_secs: 59,
    };
    assert_eq!(limit_reached(&limits, &under), None);
    let at = |change: fn(&mut Progress)| {
        let mut p = under;
        change(&mut p);
        limit_reached(&limits, &p)
    };
    assert_eq!(at(|p| p.turns = 5), Some(EndReason::MaxTurns));
    assert_eq!(at(|p| p.tokens = 1000), Some(EndReason::MaxTokens));
    assert_eq!(at(|p| p.cost = 1.0), Some(EndReason::MaxCost));
    assert_eq!(at(|p| p.elapsed_secs = 60), Some(EndReason::MaxSeconds));
    let all = Progress {
        turns: 9,
        tokens: 9999,
        cost: 9.0,
        elapsed_secs: 999,
    };
    assert_eq!(limit_reached(&limits, &all), Some(EndReason::MaxTurns));
    assert_eq!(
        limit_reached(
            &Limits::default(),
            &Progress {
                turns: 11,
                tokens: u64::MAX,
                cost: 1e9,
                elapsed_secs: u64::MAX
            }
        ),
        None
    );
    assert_eq!(
        after_turn(&limits, &under, "Agreed. [DONE]"),
        Some(EndReason::Marker)
    );
    assert_eq!(after_turn(&limits, &all, "[DONE]"), Some(EndReason::Marker));
    assert_eq!(after_turn(&limits, &under, "More to say"), None);
}

#[test]
fn end_reasons_read_back_what_they_print() {
    for reason in EndReason::ALL {
        assert_eq!(EndReason::parse(reason.as_str()), Some(reason));
        assert_eq!(
            serde_json::to_value(reason).unwrap(),
            serde_json::Value::String(reason.as_str().into())
        );
    }
    assert_eq!(EndReason::parse("bored"), None);
}
