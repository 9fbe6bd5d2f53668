//! cty values as the provider sees them.

use std::collections::BTreeMap;

use super::{Number, Type};

/// What Terraform already knows about a value that is not known yet (go-cty "refinements").
/// `Refinements::default()` is an unknown about which nothing is known.
///
/// Only the refinements that apply to the value's type are written back: the string prefix for
/// strings, number bounds for numbers, length bounds for lists, sets and maps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refinements {
    /// The value will not be null.
    pub not_null: bool,
    /// The string will start with this.
    pub string_prefix: Option<String>,
    /// Lower bound and whether it is inclusive.
    pub number_lower: Option<(Number, bool)>,
    /// Upper bound and whether it is inclusive.
    pub number_upper: Option<(Number, bool)>,
    /// The collection will have at least this many elements.
    pub length_lower: Option<u64>,
    /// The collection will have at most this many elements.
    pub length_upper: Option<u64>,
}

/// A cty value. Its type is not stored: every codec call is given the type, as Terraform's
/// schema supplies it, except at `Type::Dynamic` positions where `Value::Dynamic` carries the
/// concrete type (a null or unknown there is a plain `Null`/`Unknown`).
///
/// Objects may omit attributes: encoders write a missing attribute as null, and decoders fill
/// every attribute of the type in, so decoded objects are always complete.
#[derive(Clone, Debug)]
pub enum Value {
    /// Null, of whatever type the position has.
    Null,
    /// Known only after apply, with what is known about it already.
    Unknown(Refinements),
    /// A bool.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// A list, in order.
    List(Vec<Value>),
    /// A set; the order carries no meaning.
    Set(Vec<Value>),
    /// A map, by key.
    Map(BTreeMap<String, Value>),
    /// An object, by attribute name.
    Object(BTreeMap<String, Value>),
    /// A tuple, by position.
    Tuple(Vec<Value>),
    /// A value at a `Type::Dynamic` position, with its concrete type.
    Dynamic(Box<Type>, Box<Value>),
}

/// Structural equality, with sets compared as unordered collections and numbers by value.
///
/// Two unknowns are equal whatever their refinements: refinements are hints about a future
/// value, and what Terraform core checks when comparing planned and applied values is whether
/// each position is known and, if so, what it holds.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) | (Unknown(_), Unknown(_)) => true,
            (Bool(a), Bool(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (String(a), String(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            (Map(a), Map(b)) | (Object(a), Object(b)) => a == b,
            (Set(a), Set(b)) => same_elements(a, b),
            (Dynamic(ta, a), Dynamic(tb, b)) => ta == tb && a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

/// Multiset equality: every element of `a` pairs with a distinct equal element of `b`.
fn same_elements(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    a.iter().all(|x| {
        let found = (0..b.len()).find(|&i| !used[i] && b[i] == *x);
        found.map(|i| used[i] = true).is_some()
    })
}

/// Drops repeated set elements the way cty does: only elements that are wholly known can be
/// equal, because an unknown may still turn out to differ.
pub(super) fn dedup_set(items: Vec<Value>) -> Vec<Value> {
    let mut kept: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        let known = item.is_wholly_known();
        if !(known && kept.iter().any(|k| k.is_wholly_known() && *k == item)) {
            kept.push(item);
        }
    }
    kept
}

impl Value {
    /// An unknown about which nothing is known yet.
    pub fn unknown() -> Value {
        Value::Unknown(Refinements::default())
    }

    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A number value.
    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }

    /// A bool value.
    pub fn bool(b: bool) -> Value {
        Value::Bool(b)
    }

    /// An object from `(name, value)` pairs.
    pub fn object<'a, I: IntoIterator<Item = (&'a str, Value)>>(attributes: I) -> Value {
        Value::Object(
            attributes
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
        )
    }

    /// A value for a `Type::Dynamic` position, tagged with its concrete type.
    pub fn dynamic(ty: Type, value: Value) -> Value {
        Value::Dynamic(Box::new(ty), Box::new(value))
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether the value itself is unknown (not whether it contains one).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// True when no unknown appears anywhere inside; JSON can only carry such values.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(items) | Value::Object(items) => items.values().all(Value::is_wholly_known),
            Value::Dynamic(_, inner) => inner.is_wholly_known(),
            _ => true,
        }
    }

    /// An attribute of an object (`None` for a missing attribute or a non-object).
    pub fn attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(attributes) => attributes.get(name),
            _ => None,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if this is a bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a number.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// Elements of a list, set or tuple.
    pub fn elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// Entries of a map or attributes of an object.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(items) | Value::Object(items) => Some(items),
            _ => None,
        }
    }

    /// Whether the codecs can encode this value against `ty`: null and unknown fit anywhere,
    /// objects may omit attributes but not add any, and a `Type::Dynamic` position needs
    /// `Value::Dynamic` with a concrete type the inner value conforms to.
    pub fn conforms(&self, ty: &Type) -> bool {
        match (self, ty) {
            (Value::Null | Value::Unknown(_), _) => true,
            (Value::Dynamic(inner_ty, inner), Type::Dynamic) => {
                **inner_ty != Type::Dynamic && inner.conforms(inner_ty)
            }
            (Value::Bool(_), Type::Bool)
            | (Value::Number(_), Type::Number)
            | (Value::String(_), Type::String) => true,
            (Value::List(items), Type::List(et)) | (Value::Set(items), Type::Set(et)) => {
                items.iter().all(|v| v.conforms(et))
            }
            (Value::Map(items), Type::Map(et)) => items.values().all(|v| v.conforms(et)),
            (Value::Object(attributes), Type::Object(types)) => attributes
                .iter()
                .all(|(name, v)| types.get(name).is_some_and(|t| v.conforms(t))),
            (Value::Tuple(items), Type::Tuple(types)) => {
                items.len() == types.len() && items.iter().zip(types).all(|(v, t)| v.conforms(t))
            }
            _ => false,
        }
    }

    /// What kind of value this is, for error messages.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown(_) => "unknown",
            Value::Bool(_) => "a bool",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::List(_) => "a list",
            Value::Set(_) => "a set",
            Value::Map(_) => "a map",
            Value::Object(_) => "an object",
            Value::Tuple(_) => "a tuple",
            Value::Dynamic(..) => "a dynamically-typed value",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_compare_unordered_and_unknowns_ignore_refinements() {
        let set = |items: &[&str]| Value::Set(items.iter().map(|s| Value::string(*s)).collect());
        assert_eq!(set(&["a", "b"]), set(&["b", "a"]));
        assert_ne!(set(&["a", "a", "b"]), set(&["a", "b", "b"]));
        assert_ne!(set(&["a"]), Value::List(vec![Value::string("a")]));
        let refined = Value::Unknown(Refinements {
            not_null: true,
            ..Refinements::default()
        });
        assert_eq!(refined, Value::unknown());
        assert_ne!(Value::unknown(), Value::Null);
        assert_eq!(Value::number(1), Value::Number("1.0".parse().unwrap()));
    }

    #[test]
    fn dedups_only_known_elements() {
        let items = vec![
            Value::string("a"),
            Value::string("a"),
            Value::unknown(),
            Value::unknown(),
            Value::Null,
            Value::Null,
        ];
        let kept = dedup_set(items);
        assert_eq!(kept.len(), 4);
        assert_eq!(kept.iter().filter(|v| v.is_unknown()).count(), 2);
    }

    #[test]
    fn accessors_and_conformance() {
        let ty = Type::object([
            ("name", Type::String),
            ("ids", Type::list(Type::Number)),
            ("extra", Type::Dynamic),
        ]);
        let value = Value::object([
            ("name", Value::string("hub")),
            ("ids", Value::List(vec![Value::number(1), Value::unknown()])),
        ]);
        assert!(value.conforms(&ty));
        assert!(!value.is_wholly_known());
        assert_eq!(value.attr("name").and_then(Value::as_str), Some("hub"));
        assert_eq!(
            value
                .attr("ids")
                .and_then(Value::elements)
                .map(<[Value]>::len),
            Some(2)
        );
        assert_eq!(value.as_map().map(BTreeMap::len), Some(2));
        assert!(!Value::object([("other", Value::Null)]).conforms(&ty));
        assert!(!Value::string("x").conforms(&Type::Dynamic));
        assert!(Value::dynamic(Type::String, Value::string("x")).conforms(&Type::Dynamic));
        assert!(!Value::dynamic(Type::Number, Value::string("x")).conforms(&Type::Dynamic));
        assert!(!Value::Tuple(vec![]).conforms(&Type::Tuple(vec![Type::Bool])));
    }
}
