//! The go-cty operations core's checks are written in terms of, over our untyped `Value`.
//!
//! Terraform's rules lean on cty details (an attribute of an unknown object is unknown,
//! `RawEquals` looks at refinements, a set holding unknowns has an uncertain length), so the
//! checks are only faithful if these behave the same way here.

use terraform_provider_migration::protocol::cty::{Type, Value};

use super::render::{Step, ValuePath};

/// `GetAttr` as core sees it: an attribute of a null object is null, of an unknown object
/// unknown, and a missing attribute (our objects may omit nulls) is null.
pub(crate) fn get_attr(value: &Value, name: &str) -> Value {
    match value {
        Value::Object(attributes) => attributes.get(name).cloned().unwrap_or(Value::Null),
        Value::Unknown(_) => Value::unknown(),
        Value::Dynamic(_, inner) => get_attr(inner, name),
        _ => Value::Null,
    }
}

/// Elements of a list, set or tuple; none for anything else (null included).
pub(crate) fn items(value: &Value) -> &[Value] {
    value.elements().unwrap_or(&[])
}

/// `cty.SetVal`: elements that are wholly known and equal collapse into one, while elements
/// holding unknowns stay apart because they may still turn out to differ.
pub(crate) fn set_of(elements: Vec<Value>) -> Value {
    let mut kept: Vec<Value> = Vec::with_capacity(elements.len());
    for element in elements {
        let duplicate = element.is_wholly_known()
            && kept
                .iter()
                .any(|k| k.is_wholly_known() && raw_equal(k, &element, false));
        if !duplicate {
            kept.push(element);
        }
    }
    Value::Set(kept)
}

/// `RawEquals`: exact structural identity, where an unknown only equals an unknown (with the
/// same refinements when `refinements` is set; core strips them first in most checks).
pub(crate) fn raw_equal(a: &Value, b: &Value, refinements: bool) -> bool {
    match (a, b) {
        (Value::Unknown(ra), Value::Unknown(rb)) => !refinements || ra == rb,
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => false,
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Dynamic(ta, va), Value::Dynamic(tb, vb)) => {
            ta == tb && raw_equal(va, vb, refinements)
        }
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::List(xs), Value::List(ys)) | (Value::Tuple(xs), Value::Tuple(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| raw_equal(x, y, refinements))
        }
        (Value::Map(xs), Value::Map(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, x)| ys.get(k).is_some_and(|y| raw_equal(x, y, refinements)))
        }
        (Value::Object(xs), Value::Object(ys)) => xs.keys().chain(ys.keys()).all(|name| {
            raw_equal(
                xs.get(name).unwrap_or(&Value::Null),
                ys.get(name).unwrap_or(&Value::Null),
                refinements,
            )
        }),
        (Value::Set(xs), Value::Set(ys)) => {
            if xs.len() != ys.len() {
                return false;
            }
            let mut used = vec![false; ys.len()];
            xs.iter().all(|x| {
                let found = (0..ys.len()).find(|&i| !used[i] && raw_equal(x, &ys[i], refinements));
                found.map(|i| used[i] = true).is_some()
            })
        }
        _ => false,
    }
}

/// cty's `Length()` result: known, or unknown but not null within inclusive bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Length {
    Known(u64),
    Between(u64, u64),
}

/// The largest length cty can state (`math.MaxInt` on 64-bit platforms).
pub(crate) const MAX_LENGTH: u64 = i64::MAX as u64;

impl Length {
    pub(crate) fn bounds(self) -> (u64, u64) {
        match self {
            Length::Known(n) => (n, n),
            Length::Between(lower, upper) => (lower, upper),
        }
    }

    /// `%#v` of the length value, as core prints it in count messages.
    pub(crate) fn render(self) -> String {
        let int = |n: u64| format!("cty.NumberIntVal({})", super::render::go_g(&n.into()));
        match self {
            Length::Known(n) => int(n),
            Length::Between(lower, upper) => format!(
                "cty.UnknownVal(cty.Number).Refine().NotNull().NumberLowerBound({}, true)\
                 .NumberUpperBound({}, true).NewValue()",
                int(lower),
                int(upper)
            ),
        }
    }
}

/// `Value.Length()`: an unknown collection's length is bounded by its refinements, and a set
/// holding unknowns may shrink once they are known (they can coalesce), so its length is only
/// known to lie between 1 and its element count.
pub(crate) fn length(value: &Value) -> Length {
    match value {
        Value::Unknown(r) => Length::Between(
            r.length_lower.unwrap_or(0),
            r.length_upper.unwrap_or(MAX_LENGTH),
        ),
        Value::Set(elements) if elements.len() > 1 && !value.is_wholly_known() => {
            Length::Between(1, elements.len() as u64)
        }
        Value::Dynamic(_, inner) => length(inner),
        other => Length::Known(physical_length(other)),
    }
}

/// `LengthInt()`: the stored element count (a set's unknowns each count).
pub(crate) fn physical_length(value: &Value) -> u64 {
    match value {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => items.len() as u64,
        Value::Map(items) | Value::Object(items) => items.len() as u64,
        Value::Dynamic(_, inner) => physical_length(inner),
        _ => 0,
    }
}

/// The type cty would report for a value at a position the schema types `declared`: only a
/// dynamic position differs, where the value carries its own type (or has none yet).
pub(crate) fn actual_type(value: &Value, declared: &Type) -> Type {
    match (value, declared) {
        (Value::Dynamic(ty, _), _) => (**ty).clone(),
        _ => declared.clone(),
    }
}

/// `Type.TestConformance`: `actual` fits `want` when equal, with `Dynamic` in `want`
/// accepting anything.
pub(crate) fn type_conforms(actual: &Type, want: &Type) -> bool {
    match (actual, want) {
        (_, Type::Dynamic) => true,
        (Type::List(a), Type::List(w))
        | (Type::Set(a), Type::Set(w))
        | (Type::Map(a), Type::Map(w)) => type_conforms(a, w),
        (Type::Object(a), Type::Object(w)) => {
            a.len() == w.len()
                && w.iter()
                    .all(|(name, wt)| a.get(name).is_some_and(|at| type_conforms(at, wt)))
        }
        (Type::Tuple(a), Type::Tuple(w)) => {
            a.len() == w.len() && a.iter().zip(w).all(|(at, wt)| type_conforms(at, wt))
        }
        _ => actual == want,
    }
}

/// What a walk callback wants next.
pub(crate) enum Visit {
    Descend,
    Skip,
    Stop,
}

/// `cty.Walk`: visits `value` and then (unless told not to) everything inside it, objects in
/// attribute-name order, lists and tuples by index, maps by key, sets by element (a set
/// element is its own index). Null and unknown values have nothing inside. Returns false if
/// the callback stopped the walk.
pub(crate) fn walk(
    value: &Value,
    ty: &Type,
    visit: &mut dyn FnMut(&[Step], &Value, &Type) -> Visit,
) -> bool {
    walk_at(&mut Vec::new(), value, ty, visit)
}

fn walk_at(
    path: &mut ValuePath,
    value: &Value,
    ty: &Type,
    visit: &mut dyn FnMut(&[Step], &Value, &Type) -> Visit,
) -> bool {
    let (value, ty) = match value {
        Value::Dynamic(inner_ty, inner) => (&**inner, &**inner_ty),
        _ => (value, ty),
    };
    match visit(path, value, ty) {
        Visit::Stop => return false,
        Visit::Skip => return true,
        Visit::Descend => {}
    }
    let children: Vec<(Step, Value, Type)> = match (value, ty) {
        (Value::Object(attributes), Type::Object(types)) => types
            .iter()
            .map(|(name, aty)| {
                let child = attributes.get(name).cloned().unwrap_or(Value::Null);
                (Step::Attr(name.clone()), child, aty.clone())
            })
            .collect(),
        (Value::Object(attributes), _) => attributes
            .iter()
            .map(|(name, v)| (Step::Attr(name.clone()), v.clone(), Type::Dynamic))
            .collect(),
        (Value::List(items), _) | (Value::Tuple(items), _) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let ety = match ty {
                    Type::List(et) => (**et).clone(),
                    Type::Tuple(ts) => ts.get(i).cloned().unwrap_or(Type::Dynamic),
                    _ => Type::Dynamic,
                };
                (Step::Index(Value::number(i as u64)), v.clone(), ety)
            })
            .collect(),
        (Value::Map(entries), _) => entries
            .iter()
            .map(|(k, v)| (Step::Index(Value::string(k)), v.clone(), element_type(ty)))
            .collect(),
        (Value::Set(elements), _) => elements
            .iter()
            .map(|v| (Step::Index(v.clone()), v.clone(), element_type(ty)))
            .collect(),
        _ => Vec::new(),
    };
    for (step, child, child_ty) in children {
        path.push(step);
        let completed = walk_at(path, &child, &child_ty, visit);
        path.pop();
        if !completed {
            return false;
        }
    }
    true
}

fn element_type(ty: &Type) -> Type {
    match ty {
        Type::List(et) | Type::Set(et) | Type::Map(et) => (**et).clone(),
        _ => Type::Dynamic,
    }
}

/// `Path.Apply`: the value at `path` inside `root`, or `None` where cty reports an error
/// (stepping into a null, a missing index, a key of the wrong kind).
pub(crate) fn apply_path(root: &Value, path: &[Step]) -> Option<Value> {
    let mut current = root.clone();
    for step in path {
        if let Value::Dynamic(_, inner) = current {
            current = *inner;
        }
        current = match (step, &current) {
            (_, Value::Null) => return None,
            (Step::Attr(name), Value::Object(_) | Value::Unknown(_)) => get_attr(&current, name),
            (Step::Attr(_), _) => return None,
            (Step::Index(_), Value::Unknown(_)) => Value::unknown(),
            (Step::Index(key), Value::Set(elements)) => {
                if !key.is_wholly_known() || elements.iter().any(|e| !e.is_wholly_known()) {
                    Value::unknown()
                } else if elements.iter().any(|e| raw_equal(e, key, false)) {
                    key.clone()
                } else {
                    return None;
                }
            }
            (Step::Index(Value::Number(n)), Value::List(items) | Value::Tuple(items)) => {
                let index = n.as_u64().and_then(|i| usize::try_from(i).ok())?;
                items.get(index)?.clone()
            }
            (Step::Index(Value::String(k)), Value::Map(entries)) => entries.get(k)?.clone(),
            _ => return None,
        };
    }
    Some(current)
}

/// Whether any unknown value remains anywhere inside.
pub fn has_unknowns(value: &Value) -> bool {
    !value.is_wholly_known()
}

/// Where the unknowns are, each path in core's form (`.routes[0].id`, empty for the whole
/// value), in the order core reports them in "Provider returned invalid result object after
/// apply": "the provider still indicated an unknown value for {address}{path}".
pub fn unknown_paths(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    walk(value, &Type::Dynamic, &mut |path, v, _| {
        if v.is_unknown() {
            found.push(super::render::format_path(path));
        }
        Visit::Descend
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use terraform_provider_migration::protocol::cty::Refinements;

    fn not_null() -> Value {
        Value::Unknown(Refinements {
            not_null: true,
            ..Refinements::default()
        })
    }

    #[test]
    fn raw_equality_follows_cty() {
        assert!(raw_equal(&Value::unknown(), &not_null(), false));
        assert!(!raw_equal(&Value::unknown(), &not_null(), true));
        assert!(!raw_equal(&Value::unknown(), &Value::Null, false));
        let a = Value::object([("x", Value::Null), ("y", Value::string("1"))]);
        let b = Value::object([("y", Value::string("1"))]);
        assert!(raw_equal(&a, &b, true), "a missing attribute is null");
        let s1 = Value::Set(vec![Value::string("a"), Value::unknown()]);
        let s2 = Value::Set(vec![Value::unknown(), Value::string("a")]);
        assert!(raw_equal(&s1, &s2, true));
        assert!(!raw_equal(
            &s1,
            &Value::Set(vec![Value::string("a"), Value::string("b")]),
            false
        ));
    }

    #[test]
    fn set_lengths_are_uncertain_with_unknowns() {
        let known = Value::Set(vec![Value::string("a"), Value::string("b")]);
        assert_eq!(length(&known), Length::Known(2));
        let one_unknown = Value::Set(vec![Value::unknown()]);
        assert_eq!(length(&one_unknown), Length::Known(1));
        let mixed = Value::Set(vec![Value::string("a"), Value::unknown(), Value::unknown()]);
        assert_eq!(length(&mixed), Length::Between(1, 3));
        assert_eq!(physical_length(&mixed), 3);
        let refined = Value::Unknown(Refinements {
            length_lower: Some(2),
            ..Refinements::default()
        });
        assert_eq!(length(&refined), Length::Between(2, MAX_LENGTH));
        assert_eq!(
            Length::Between(0, MAX_LENGTH).render(),
            "cty.UnknownVal(cty.Number).Refine().NotNull().NumberLowerBound(cty.NumberIntVal(0), true)\
             .NumberUpperBound(cty.NumberIntVal(9.223372036854775807e+18), true).NewValue()"
        );
    }

    #[test]
    fn sets_collapse_only_known_duplicates() {
        let set = set_of(vec![
            Value::string("a"),
            Value::string("a"),
            Value::unknown(),
            Value::unknown(),
        ]);
        assert_eq!(items(&set).len(), 3);
    }

    #[test]
    fn walks_in_cty_order_and_applies_paths() {
        let ty = Type::object([
            ("b", Type::list(Type::String)),
            ("a", Type::map(Type::Number)),
        ]);
        let value = Value::object([
            ("b", Value::List(vec![Value::string("x"), Value::unknown()])),
            (
                "a",
                Value::Map([("k".to_string(), Value::number(1))].into_iter().collect()),
            ),
        ]);
        let mut seen = Vec::new();
        walk(&value, &ty, &mut |path, _, _| {
            seen.push(super::super::render::format_path(path));
            Visit::Descend
        });
        assert_eq!(seen, ["", ".a", ".a[\"k\"]", ".b", ".b[0]", ".b[1]"]);
        assert_eq!(unknown_paths(&value), [".b[1]"]);
        assert!(has_unknowns(&value));
        let path = [Step::Attr("b".into()), Step::Index(Value::number(0))];
        assert_eq!(apply_path(&value, &path), Some(Value::string("x")));
        let missing = [Step::Attr("b".into()), Step::Index(Value::number(5))];
        assert_eq!(apply_path(&value, &missing), None);
        assert_eq!(apply_path(&Value::Null, &path), None);
        assert_eq!(apply_path(&Value::unknown(), &path), Some(Value::unknown()));
    }

    #[test]
    fn conformance_lets_dynamic_accept_anything() {
        assert!(type_conforms(&Type::String, &Type::Dynamic));
        assert!(type_conforms(
            &Type::list(Type::Number),
            &Type::list(Type::Dynamic)
        ));
        assert!(!type_conforms(&Type::Dynamic, &Type::String));
        assert!(!type_conforms(&Type::Number, &Type::String));
    }
}
