//! Typed reads of cty object attributes, for turning decoded configuration and state into the
//! provider's own types. Null and unknown both read as "absent": callers that must tell them
//! apart check [`Value::is_unknown`] first.

use std::collections::BTreeMap;

use super::cty::Value;

/// A configuration value Terraform may not know until apply (an attribute of a resource not
/// yet created). Resources keep it distinct from "absent" so plan-time checks skip it and
/// apply-time checks see it known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Maybe<T> {
    Known(T),
    Unknown,
}

impl<T> Maybe<T> {
    pub(crate) fn known(&self) -> Option<&T> {
        match self {
            Maybe::Known(value) => Some(value),
            Maybe::Unknown => None,
        }
    }

    pub(crate) fn is_known(&self) -> bool {
        matches!(self, Maybe::Known(_))
    }

    /// The known value transformed; unknown stays unknown.
    pub(crate) fn map<U>(self, f: impl FnOnce(T) -> U) -> Maybe<U> {
        match self {
            Maybe::Known(value) => Maybe::Known(f(value)),
            Maybe::Unknown => Maybe::Unknown,
        }
    }
}

pub(crate) fn string(object: &Value, name: &str) -> Option<String> {
    object.attr(name)?.as_str().map(str::to_string)
}

pub(crate) fn bool(object: &Value, name: &str) -> Option<bool> {
    object.attr(name)?.as_bool()
}

/// The known string elements of a list or set attribute.
pub(crate) fn strings(object: &Value, name: &str) -> Vec<String> {
    object
        .attr(name)
        .and_then(Value::elements)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The known string values of a map attribute.
pub(crate) fn string_map(object: &Value, name: &str) -> BTreeMap<String, String> {
    object
        .attr(name)
        .and_then(Value::as_map)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// A nested object attribute or single block, if set.
pub(crate) fn nested<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object
        .attr(name)
        .filter(|v| !v.is_null() && !v.is_unknown())
}

pub(crate) fn string_set_value(items: impl IntoIterator<Item = String>) -> Value {
    let mut items: Vec<String> = items.into_iter().collect();
    items.sort();
    items.dedup();
    Value::Set(items.into_iter().map(Value::string).collect())
}

pub(crate) fn optional_string(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |s| Value::string(s.to_string()))
}
