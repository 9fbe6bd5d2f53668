//! Terraform core's rules on values, re-implemented so the harness can hold the provider to
//! them without a `terraform` binary (none can be installed on the project's machines).
//!
//! Core builds the proposed new state it sends to `PlanResourceChange` ([`proposed_new`]),
//! rejects plans that contradict the configuration ([`assert_plan_valid`], "Provider produced
//! invalid plan"), and rejects apply results and apply-time re-plans that break what the plan
//! promised ([`assert_object_compatible`], "Provider produced inconsistent result after apply"
//! / "Provider produced inconsistent final plan"). Each follows hashicorp/terraform's
//! `internal/plans/objchange` closely, including its error wording, so a provider that passes
//! the harness passes real Terraform, and a failure reads like the one a user would report.
//!
//! Where core iterates Go maps (attributes, blocks) in random order, these report in name
//! order so results are reproducible.

mod compatible;
mod nesting;
mod plan_valid;
mod proposed;
mod render;
mod values;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod properties;

use std::fmt;

pub use compatible::{assert_object_compatible, compatibility_violations};
pub use plan_valid::{assert_plan_valid, plan_violations};
pub use proposed::proposed_new;
pub use render::{render, render_type, render_typed};
pub use values::{has_unknowns, unknown_paths};

/// One broken rule: where (core's path syntax, `.rules[0].cidr`; empty for the whole object)
/// and what, in core's words.
///
/// Displays as core's `tfdiags.FormatError` does (`.name: message`, or just the message at
/// the root); [`Violation::prefixed`] gives the `FormatErrorPrefixed` form core uses in
/// "Provider produced invalid plan" (`migration_hub_network.main.name: message`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub path: String,
    pub message: String,
}

impl Violation {
    fn at(path: &[render::Step], message: impl Into<String>) -> Violation {
        Violation {
            path: render::format_path(path),
            message: message.into(),
        }
    }

    /// The message with the path written after `address` (a resource address), as core
    /// reports plan problems.
    pub fn prefixed(&self, address: &str) -> String {
        format!("{address}{}: {}", self.path, self.message)
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}
