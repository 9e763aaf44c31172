//! The `current_time` built-in tool: the current instant in UTC and in an IANA time zone
//! (RFC 3339 both), with the local weekday and the Unix time.

use std::time::Duration;

use chrono::{DateTime, Datelike, SecondsFormat, Utc, Weekday};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::{Risk, Tool, ToolContext, ToolDefinition, ToolError};

/// The `current_time` tool.
pub struct Clock {
    definition: ToolDefinition,
}

impl Clock {
    pub fn new() -> Self {
        Self {
            definition: ToolDefinition {
                name: "current_time".to_string(),
                description: "Gives the current date and time: in UTC and in a time zone (UTC \
                    unless one is named), the weekday there and the Unix time in seconds."
                    .to_string(),
                parameters: json!({
                    "type": "object",
                    "properties": {
                        "timezone": {
                            "type": "string",
                            "description": "IANA time zone such as Europe/Paris; default UTC"
                        }
                    },
                    "additionalProperties": false
                }),
                risk: Risk::ReadOnly,
                timeout: Duration::from_secs(2),
                source: "builtin".to_string(),
            },
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait::async_trait]
impl Tool for Clock {
    fn definition(&self) -> &ToolDefinition {
        &self.definition
    }

    async fn call(&self, _ctx: &ToolContext, arguments: Value) -> Result<Value, ToolError> {
        let zone = match arguments.get("timezone") {
            None | Some(Value::Null) => Tz::UTC,
            Some(Value::String(name)) => parse_zone(name)?,
            Some(_) => {
                return Err(ToolError::InvalidArguments(
                    "\"timezone\" must be a string such as Europe/Paris".to_string(),
                ));
            }
        };
        Ok(describe(Utc::now(), zone))
    }
}

/// The zone named `name` (an IANA name; blank means UTC).
fn parse_zone(name: &str) -> Result<Tz, ToolError> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(Tz::UTC);
    }
    name.parse::<Tz>().map_err(|_| {
        let shown: String = name.chars().take(64).collect();
        ToolError::InvalidArguments(format!(
            "unknown time zone {shown:?}: use an IANA name such as Europe/Paris, \
             America/New_York or UTC"
        ))
    })
}

/// What the tool answers for the instant `now` and the zone `zone`.
fn describe(now: DateTime<Utc>, zone: Tz) -> Value {
    let local = now.with_timezone(&zone);
    json!({
        "utc": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "timezone": zone.name(),
        "local": local.to_rfc3339_opts(SecondsFormat::Secs, false),
        "weekday": weekday_name(local.weekday()),
        "unix": now.timestamp(),
    })
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ToolContext {
        ToolContext::outside_agents(crate::core::identity::Identity::system())
    }

    fn instant(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn describes_an_instant_in_utc() {
        let value = describe(instant("2024-07-14T22:30:00Z"), Tz::UTC);
        assert_eq!(
            value,
            json!({
                "utc": "2024-07-14T22:30:00Z",
                "timezone": "UTC",
                "local": "2024-07-14T22:30:00+00:00",
                "weekday": "Sunday",
                "unix": 1_720_996_200,
            })
        );
    }

    #[test]
    fn describes_an_instant_in_a_zone_with_summer_time() {
        let now = instant("2024-07-14T22:30:00Z");
        let paris = describe(now, parse_zone("Europe/Paris").unwrap());
        assert_eq!(paris["timezone"], "Europe/Paris");
        assert_eq!(paris["local"], "2024-07-15T00:30:00+02:00");
        assert_eq!(paris["weekday"], "Monday");
        assert_eq!(paris["utc"], "2024-07-14T22:30:00Z");
        assert_eq!(paris["unix"], 1_720_996_200);

        let winter = describe(
            instant("2024-01-10T12:00:00Z"),
            "Europe/Paris".parse().unwrap(),
        );
        assert_eq!(winter["local"], "2024-01-10T13:00:00+01:00");

        let new_york = describe(now, parse_zone("America/New_York").unwrap());
        assert_eq!(new_york["local"], "2024-07-14T18:30:00-04:00");
        assert_eq!(new_york["weekday"], "Sunday");

        let kolkata = describe(now, parse_zone("Asia/Kolkata").unwrap());
        assert_eq!(kolkata["local"], "2024-07-15T04:00:00+05:30");
    }

    #[test]
    fn unknown_zones_are_named_in_the_error() {
        let error = parse_zone("Mars/Olympus_Mons").unwrap_err();
        assert!(
            matches!(&error, ToolError::InvalidArguments(m) if m.contains("Mars/Olympus_Mons")),
            "{error}"
        );
        assert!(parse_zone("europe/paris").is_err());
        assert_eq!(parse_zone("").unwrap(), Tz::UTC);
        assert_eq!(parse_zone(" Europe/Paris ").unwrap(), Tz::Europe__Paris);
    }

    #[tokio::test]
    async fn call_answers_now() {
        let clock = Clock::new();
        assert_eq!(clock.definition().name, "current_time");
        assert_eq!(clock.definition().risk, Risk::ReadOnly);

        let before = Utc::now().timestamp();
        let value = clock.call(&ctx(), json!({})).await.unwrap();
        let after = Utc::now().timestamp();
        let unix = value["unix"].as_i64().unwrap();
        assert!(before <= unix && unix <= after);
        assert_eq!(value["timezone"], "UTC");
        let utc = value["utc"].as_str().unwrap();
        assert!(DateTime::parse_from_rfc3339(utc).is_ok(), "{utc}");
        assert!(utc.ends_with('Z'));

        let value = clock
            .call(&ctx(), json!({ "timezone": "Asia/Tokyo" }))
            .await
            .unwrap();
        assert_eq!(value["timezone"], "Asia/Tokyo");
        let local = value["local"].as_str().unwrap();
        assert!(local.ends_with("+09:00"), "{local}");
        assert_eq!(
            DateTime::parse_from_rfc3339(local).unwrap().timestamp(),
            value["unix"].as_i64().unwrap()
        );

        let value = clock
            .call(&ctx(), json!({ "timezone": null }))
            .await
            .unwrap();
        assert_eq!(value["timezone"], "UTC");

        assert!(matches!(
            clock.call(&ctx(),json!({ "timezone": "Nowhere/Town" })).await,
            Err(ToolError::InvalidArguments(m)) if m.contains("Nowhere/Town")
        ));
        assert!(matches!(
            clock.call(&ctx(), json!({ "timezone": 5 })).await,
            Err(ToolError::InvalidArguments(_))
        ));
    }
}
