//! Stored state of an older schema version brought to the current layout
//! (UpgradeResourceState): each resource lists the steps, the framework runs them in order and
//! decodes the result with the current schema.

use crate::protocol::cty::Value;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::resource::decode_stored_state;
use crate::protocol::schema::Schema;

/// State JSON of schema `version` as a value of `schema`: `steps[i]` turns version `i`'s JSON
/// into version `i + 1`'s; attributes the schema no longer has are dropped (additive changes
/// need no step); state from a newer provider is refused.
pub(crate) fn upgrade_state(
    type_name: &str,
    schema: &Schema,
    version: i64,
    json: &[u8],
    steps: &[fn(serde_json::Value) -> serde_json::Value],
) -> Result<Value, Diagnostics> {
    let first = usize::try_from(version).unwrap_or(steps.len());
    if first >= steps.len() {
        // The current version, or a newer one, which the decoding refuses.
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
    decode_stored_state(type_name, schema, schema.version, &upgraded)
}

/// The attributes of the first `kind` resource in the state release 0.1.0 saved for the
/// blueprint (the committed fixture every upgrade test starts from).
#[cfg(test)]
pub(crate) fn release_0_1_0_attributes(kind: &str) -> serde_json::Value {
    let file: serde_json::Value = serde_json::from_str(include_str!(
        "../../../tests/terraform/cases/upgrade-release-0.1.0.tfstate"
    ))
    .expect("the fixture is JSON");
    file["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["type"] == kind)
        .unwrap_or_else(|| panic!("the fixture has a {kind}"))["instances"][0]["attributes"]
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::cty::Type;
    use crate::protocol::schema::{Attribute, Block};

    fn schema(version: i64) -> Schema {
        Schema {
            version,
            block: Block {
                attributes: vec![Attribute::computed("items", Type::map(Type::String))],
                blocks: Vec::new(),
                description: String::new(),
                deprecated: false,
            },
        }
    }

    fn from_list(mut state: serde_json::Value) -> serde_json::Value {
        let items: serde_json::Map<String, serde_json::Value> = state["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s.as_str().unwrap().to_string(), serde_json::json!("x")))
            .collect();
        state["items"] = serde_json::Value::Object(items);
        state
    }

    #[test]
    fn old_layouts_go_through_every_step_and_newer_ones_are_refused() {
        let steps: &[fn(serde_json::Value) -> serde_json::Value] = &[from_list];
        let upgraded =
            upgrade_state("t", &schema(1), 0, br#"{"items":["a"],"gone":1}"#, steps).unwrap();
        assert_eq!(
            upgraded
                .attr("items")
                .and_then(|m| m.as_map())
                .unwrap()
                .len(),
            1
        );
        let current = upgrade_state("t", &schema(1), 1, br#"{"items":{"a":"x"}}"#, steps).unwrap();
        assert_eq!(current, upgraded);
        let refused = upgrade_state("t", &schema(1), 2, br#"{}"#, steps).unwrap_err();
        assert!(refused.has_errors());
    }
}
