//! What every resource of this provider does the same way: `timeouts`, tags (ownership tags,
//! provider `default_tags`), turning operation errors into diagnostics, and finding the AWS
//! clients of a configured provider.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::aws::retry::{Budget, OpError};
use crate::config::clients::AwsClients;
use crate::protocol::cty::{Path, Type, Value};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::duration::parse_go_duration;
use crate::protocol::object;
use crate::protocol::schema::{Attribute, Nesting, Presence};
use crate::provider::{Configured, ProviderState};

/// Tag naming the resource instance that owns an AWS object: a retry adopts what carries it,
/// and refuses to touch what carries another owner's.
pub const OWNER_TAG: &str = "migration:owner";
/// Tag naming the resource type that created an object.
pub const MANAGED_BY_TAG: &str = "migration:managed-by";

/// Per-operation time limits, from the `timeouts` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub create: Duration,
    pub update: Duration,
    pub delete: Duration,
}

/// Default for every operation: Transit Gateway and Client VPN associations routinely take
/// minutes, Direct Connect associations tens of minutes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            create: DEFAULT_TIMEOUT,
            update: DEFAULT_TIMEOUT,
            delete: DEFAULT_TIMEOUT,
        }
    }
}

/// The `timeouts = { create = "30m", update = "30m", delete = "30m" }` attribute.
pub fn timeouts_attribute() -> Attribute {
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
pub fn timeouts(object: &Value, diagnostics: &mut Diagnostics) -> Timeouts {
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

/// `tags_all`: the provider's `default_tags` overridden by the resource's own `tags`.
pub fn merge_tags(
    default_tags: &BTreeMap<String, String>,
    tags: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut all = default_tags.clone();
    all.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

/// Checks tag keys and values against AWS's rules, at `path`.
pub fn check_tags(tags: &BTreeMap<String, String>, path: Path, diagnostics: &mut Diagnostics) {
    for (key, value) in tags {
        if key.starts_with("aws:") {
            diagnostics.error_at(
                path.key(key),
                "Reserved tag key",
                format!("Tag keys starting with \"aws:\" are reserved by AWS: {key:?}."),
            );
        } else if key.starts_with("migration:") {
            diagnostics.error_at(
                path.key(key),
                "Reserved tag key",
                format!(
                    "Tag keys starting with \"migration:\" are the provider's ownership tags: \
                     {key:?}. Choose another key."
                ),
            );
        }
        if key.is_empty() || key.chars().count() > 128 {
            diagnostics.error_at(
                path.key(key),
                "Invalid tag key",
                "A tag key has 1 to 128 characters.",
            );
        }
        if value.chars().count() > 256 {
            diagnostics.error_at(
                path.key(key),
                "Invalid tag value",
                "A tag value has at most 256 characters.",
            );
        }
    }
}

/// The configured provider's clients, or why there are none: `None` with no diagnostic means
/// the configuration is deferred (unknown at plan time) and only offline checks can run.
pub fn clients(state: &ProviderState, diagnostics: &mut Diagnostics) -> Option<Arc<AwsClients>> {
    match state.configured() {
        Configured::Ready(clients) => Some(clients),
        Configured::Deferred => None,
        Configured::NotYet => {
            diagnostics.error(
                "Provider not configured",
                "The provider was asked to manage a resource before ConfigureProvider; this is \
                 a bug in the caller (Terraform always configures first).",
            );
            None
        }
    }
}

/// A time budget for one operation of a resource.
pub fn budget(
    clients: &AwsClients,
    timeout: Duration,
    request_cancel: &tokio_util::sync::CancellationToken,
) -> Budget {
    Budget::new(timeout, request_cancel.clone(), clients.max_retries)
}

/// An operation error as a diagnostic: what failed, AWS's code and message, and what to do.
pub fn report(diagnostics: &mut Diagnostics, summary: &str, error: &OpError) {
    let advice = match error {
        OpError::Cancelled => {
            "Everything created so far is saved in state; apply again to continue."
        }
        OpError::Timeout(_) => {
            "Everything created so far is saved in state. Apply again to continue waiting, or \
             raise `timeouts`."
        }
        OpError::Aws(aws) if aws.is_retryable() => {
            "AWS kept answering with a temporary error. Everything created so far is saved in \
             state; apply again to continue."
        }
        _ => "Everything created so far is saved in state; fix the cause and apply again.",
    };
    diagnostics.error(summary, format!("{error}.\n\n{advice}"));
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
        let parsed = timeouts(&object, &mut diagnostics);
        assert_eq!(parsed.create, Duration::from_secs(3600));
        assert_eq!(parsed.update, DEFAULT_TIMEOUT);
        assert_eq!(parsed.delete, DEFAULT_TIMEOUT);
        assert_eq!(
            diagnostics.0[0].attribute.as_ref().unwrap().to_string(),
            "timeouts.delete"
        );
        let none = timeouts(
            &Value::object([("timeouts", Value::Null)]),
            &mut diagnostics,
        );
        assert_eq!(none, Timeouts::default());
    }

    #[test]
    fn resource_tags_override_default_tags() {
        let defaults = BTreeMap::from([
            ("env".to_string(), "prod".to_string()),
            ("team".to_string(), "net".to_string()),
        ]);
        let own = BTreeMap::from([("env".to_string(), "migration".to_string())]);
        let all = merge_tags(&defaults, &own);
        assert_eq!(all["env"], "migration");
        assert_eq!(all["team"], "net");
    }

    #[test]
    fn reserved_tag_keys_are_refused() {
        let mut diagnostics = Diagnostics::new();
        let tags = BTreeMap::from([
            ("aws:x".to_string(), "1".to_string()),
            ("migration:owner".to_string(), "1".to_string()),
            ("fine".to_string(), "ok".to_string()),
        ]);
        check_tags(&tags, Path::root().attr("tags"), &mut diagnostics);
        assert_eq!(diagnostics.0.len(), 2);
        assert!(diagnostics.0.iter().all(|d| {
            d.attribute
                .as_ref()
                .unwrap()
                .to_string()
                .starts_with("tags[")
        }));
    }
}

/// Stored state of schema `version` brought to the current layout: `steps[i]` turns the JSON of
/// version `i` into version `i + 1`'s, and the result is decoded with the current schema.
pub fn upgrade_state(
    type_name: &str,
    schema: &crate::protocol::schema::Schema,
    version: i64,
    json: &[u8],
    steps: &[fn(serde_json::Value) -> serde_json::Value],
) -> Result<Value, Diagnostics> {
    use crate::protocol::resource::decode_stored_state;
    let Ok(first) = usize::try_from(version) else {
        return decode_stored_state(type_name, schema, version, json);
    };
    if first >= steps.len() {
        return decode_stored_state(type_name, schema, version, json);
    }
    let upgraded = serde_json::from_slice(json)
        .map(|state| steps[first..].iter().fold(state, |state, step| step(state)))
        .and_then(|state| serde_json::to_vec(&state))
        .map_err(|e| {
            let mut diagnostics = Diagnostics::new();
            diagnostics.error(
                "Stored state cannot be read",
                format!("The saved state of this {type_name} is not valid JSON: {e}"),
            );
            diagnostics
        })?;
    decode_stored_state(type_name, schema, steps.len() as i64, &upgraded)
}
