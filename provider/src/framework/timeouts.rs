//! The `timeouts` attribute every resource has: how long a create, update or delete may take
//! before it stops and returns what it made.

use std::time::Duration;

use crate::protocol::cty::{Path, Type, Value};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::duration::parse_go_duration;
use crate::protocol::object;
use crate::protocol::schema::{Attribute, Nesting, Presence};

/// Per-operation time limits, from the `timeouts` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timeouts {
    pub create: Duration,
    pub update: Duration,
    pub delete: Duration,
}

/// Which limit applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    Create,
    Update,
    Delete,
}

/// Default for every operation: Transit Gateway and Client VPN associations routinely take
/// minutes, Direct Connect associations tens of minutes.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            create: DEFAULT_TIMEOUT,
            update: DEFAULT_TIMEOUT,
            delete: DEFAULT_TIMEOUT,
        }
    }
}

impl Timeouts {
    pub(crate) fn of(&self, operation: Operation) -> Duration {
        match operation {
            Operation::Create => self.create,
            Operation::Update => self.update,
            Operation::Delete => self.delete,
        }
    }
}

/// The `timeouts = { create = "30m", update = "30m", delete = "30m" }` attribute.
pub(crate) fn attribute() -> Attribute {
    let field = |name: &str| {
        Attribute::optional(name, Type::String).describe(&format!(
            "How long to wait for the {name} to finish, as a duration such as `30m` or `1h`. \
             Default: `30m`."
        ))
    };
    Attribute::nested(
        "timeouts",
        Nesting::Single,
        Presence::Optional,
        vec![field("create"), field("update"), field("delete")],
    )
    .describe("Time limits per operation. A stopped or timed-out apply returns everything created so far.")
}

/// Reads `timeouts` from a configuration or state object, reporting bad durations at their path.
pub(crate) fn read(object: &Value, diagnostics: &mut Diagnostics) -> Timeouts {
    let mut timeouts = Timeouts::default();
    let Some(block) = object::nested(object, "timeouts") else {
        return timeouts;
    };
    for (name, slot) in [
        ("create", &mut timeouts.create),
        ("update", &mut timeouts.update),
        ("delete", &mut timeouts.delete),
    ] {
        if let Some(text) = object::string(block, name) {
            match parse_go_duration(&text) {
                Ok(duration) if !duration.is_zero() => *slot = duration,
                Ok(_) => diagnostics.error_at(
                    Path::root().attr("timeouts").attr(name),
                    "Invalid timeout",
                    "A timeout must be longer than zero.",
                ),
                Err(message) => diagnostics.error_at(
                    Path::root().attr("timeouts").attr(name),
                    "Invalid timeout",
                    message,
                ),
            }
        }
    }
    timeouts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_default_and_parse_with_paths() {
        let mut diagnostics = Diagnostics::new();
        let object = Value::object([(
            "timeouts",
            Value::object([
                ("create", Value::string("1h")),
                ("update", Value::Null),
                ("delete", Value::string("soon")),
            ]),
        )]);
        let parsed = read(&object, &mut diagnostics);
        assert_eq!(parsed.create, Duration::from_secs(3600));
        assert_eq!(parsed.update, DEFAULT_TIMEOUT);
        assert_eq!(parsed.delete, DEFAULT_TIMEOUT);
        assert_eq!(parsed.of(Operation::Create), Duration::from_secs(3600));
        assert_eq!(
            diagnostics.0[0].attribute.as_ref().unwrap().to_string(),
            "timeouts.delete"
        );
        let none = read(
            &Value::object([("timeouts", Value::Null)]),
            &mut diagnostics,
        );
        assert_eq!(none, Timeouts::default());
    }
}
