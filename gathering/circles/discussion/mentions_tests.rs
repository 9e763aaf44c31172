//! Tests of mentions and of the names a facilitator hands the word to.

use super::*;

#[test]
fn named_matches_whole_names_only() {
    let names = ["bob", "ann"];
    assert_eq!(named("ask bobby", &names), None);
    assert_eq!(named("ask bob-two", &names), None);
    assert_eq!(named("hear   from ann", &names), Some(1));
    assert_eq!(named("hear, from ann", &names), None);
    assert_eq!(named("task bob", &names), None);
    assert_eq!(named("bob, ann, who first?", &names), Some(0));
    assert_eq!(named("ann and bob", &names), None);
}

#[test]
fn mentions_are_names_not_addresses() {
    assert_eq!(
        mentions("@ann, @Bob_2. and @c.d-e! mail x@y.org; @ann again; @@eve; @ @"),
        ["ann", "Bob_2", "c.d-e", "eve"]
    );
    assert_eq!(mentions("Zoé: @zoé @ZOÉ"), ["zoé"]);
    assert!(mentions("no one").is_empty());
}
