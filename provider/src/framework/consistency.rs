//! The new state of a successful apply against its plan. Terraform refuses a result that
//! contradicts a known planned value ("Provider produced inconsistent result after apply") and
//! then keeps nothing of it; the lifecycle checks first, so that a resource that could not
//! deliver what it planned answers with an error and the state of what AWS holds instead.

use std::collections::BTreeMap;

use crate::protocol::cty::{Path, Value};

/// `planned` with every unknown replaced by the value at the same place in `actual`.
pub(crate) fn fill_unknowns(planned: &Value, actual: &Value) -> Value {
    match (planned, actual) {
        (Value::Unknown(_), actual) => actual.clone(),
        (Value::Object(p), Value::Object(a)) => Value::Object(fill_entries(p, a)),
        (Value::Map(p), Value::Map(a)) => Value::Map(fill_entries(p, a)),
        (Value::List(p), Value::List(a)) if p.len() == a.len() => {
            Value::List(p.iter().zip(a).map(|(p, a)| fill_unknowns(p, a)).collect())
        }
        (planned, actual) if !planned.is_wholly_known() => actual.clone(),
        (planned, _) => planned.clone(),
    }
}

fn fill_entries(
    planned: &BTreeMap<String, Value>,
    actual: &BTreeMap<String, Value>,
) -> BTreeMap<String, Value> {
    planned
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                fill_unknowns(v, actual.get(k).unwrap_or(&Value::Null)),
            )
        })
        .collect()
}

/// Where `actual` contradicts a known value of `planned` (unknown planned values may become
/// anything). Sets compare as sets; a set with unknown elements only by what is known.
pub(crate) fn contradictions(planned: &Value, actual: &Value) -> Vec<Path> {
    let mut found = Vec::new();
    walk(planned, actual, Path::root(), &mut found);
    found
}

fn walk(planned: &Value, actual: &Value, at: Path, found: &mut Vec<Path>) {
    match (planned, actual) {
        (Value::Unknown(_), _) => {}
        (Value::Object(p), Value::Object(a)) => {
            for (name, value) in p {
                walk(
                    value,
                    a.get(name).unwrap_or(&Value::Null),
                    at.attr(name.clone()),
                    found,
                );
            }
        }
        (Value::Map(p), Value::Map(a)) => {
            for key in p.keys().chain(a.keys().filter(|k| !p.contains_key(*k))) {
                match (p.get(key), a.get(key)) {
                    (Some(p), Some(a)) => walk(p, a, at.key(key.clone()), found),
                    _ => found.push(at.key(key.clone())),
                }
            }
        }
        (Value::List(p), Value::List(a)) | (Value::Tuple(p), Value::Tuple(a)) => {
            if p.len() != a.len() {
                found.push(at);
                return;
            }
            for (i, (p, a)) in p.iter().zip(a).enumerate() {
                walk(p, a, at.index(i as i64), found);
            }
        }
        (Value::Set(p), Value::Set(a)) => {
            let known: Vec<&Value> = p.iter().filter(|v| v.is_wholly_known()).collect();
            let missing = known.iter().any(|v| !a.contains(v));
            let extra = p.len() == known.len() && a.iter().any(|v| !p.contains(v));
            if missing || extra {
                found.push(at);
            }
        }
        (p, a) if p != a => found.push(at),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknowns_are_filled_and_known_values_kept() {
        let planned = Value::object([
            ("id", Value::unknown()),
            ("name", Value::string("hub")),
            (
                "routes",
                Value::List(vec![Value::object([
                    ("state", Value::unknown()),
                    ("destination", Value::string("10.0.0.0/16")),
                ])]),
            ),
            ("cidrs", Value::Set(vec![Value::unknown()])),
        ]);
        let actual = Value::object([
            ("id", Value::string("tgw-1")),
            ("name", Value::string("other")),
            (
                "routes",
                Value::List(vec![Value::object([
                    ("state", Value::string("active")),
                    ("destination", Value::string("x")),
                ])]),
            ),
            ("cidrs", Value::Set(vec![Value::string("10.0.0.0/16")])),
        ]);
        let filled = fill_unknowns(&planned, &actual);
        assert_eq!(filled.attr("id"), Some(&Value::string("tgw-1")));
        assert_eq!(filled.attr("name"), Some(&Value::string("hub")));
        let routes = filled.attr("routes").unwrap();
        let route = &routes.elements().unwrap()[0];
        assert_eq!(route.attr("state"), Some(&Value::string("active")));
        assert_eq!(
            route.attr("destination"),
            Some(&Value::string("10.0.0.0/16"))
        );
        assert_eq!(
            filled.attr("cidrs"),
            Some(&Value::Set(vec![Value::string("10.0.0.0/16")]))
        );
        assert!(filled.is_wholly_known());
    }

    #[test]
    fn contradictions_name_what_differs_from_a_known_plan() {
        let map = |entries: &[(&str, &str)]| {
            Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), Value::string(*v)))
                    .collect(),
            )
        };
        let planned = Value::object([
            ("id", Value::unknown()),
            ("routes", map(&[("a", "x"), ("b", "y")])),
            (
                "set",
                Value::Set(vec![Value::string("p"), Value::string("q")]),
            ),
        ]);
        let same = Value::object([
            ("id", Value::string("tgw-1")),
            ("routes", map(&[("a", "x"), ("b", "y")])),
            (
                "set",
                Value::Set(vec![Value::string("q"), Value::string("p")]),
            ),
        ]);
        assert!(contradictions(&planned, &same).is_empty());
        let vanished = Value::object([
            ("id", Value::string("tgw-1")),
            ("routes", map(&[("a", "x"), ("c", "z")])),
            ("set", Value::Set(vec![Value::string("p")])),
        ]);
        let paths: Vec<String> = contradictions(&planned, &vanished)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(paths, ["routes[\"b\"]", "routes[\"c\"]", "set"]);
    }
}
