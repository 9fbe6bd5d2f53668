//! One bridge between cty values and the provider's Rust types, for configuration, state,
//! planned state and private data alike.
//!
//! [`typed_object!`](crate::typed_object) declares a struct whose fields *are* the attributes of
//! a schema object: the field name is the attribute name, so code reads `config.route_table_ids`
//! (a misspelt attribute does not compile) and a test checks every struct against its schema
//! ([`assert_matches_schema`]). Unknown values are kept where the type says they may be
//! ([`Maybe`]), absent where it says so ([`Option`]), and anything else that does not fit is a
//! [`Mismatch`] naming the attribute path.

use std::collections::{BTreeMap, BTreeSet};

use crate::protocol::cty::{Number, Path, Value};

pub(crate) use crate::protocol::object::Maybe;

/// Why a value does not fit its Rust type, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mismatch {
    pub path: Path,
    pub kind: MismatchKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MismatchKind {
    /// Unknown where the type needs a known value (`Maybe` absorbs this one).
    Unknown,
    /// Null where the type needs a value (`Option` absorbs this one).
    Null,
    /// Another kind of value than the type expects.
    Wrong { expected: &'static str },
}

impl Mismatch {
    fn new(kind: MismatchKind) -> Mismatch {
        Mismatch {
            path: Path::root(),
            kind,
        }
    }

    /// A value of another kind than `expected`.
    pub(crate) fn wrong(expected: &'static str) -> Mismatch {
        Mismatch::new(MismatchKind::Wrong { expected })
    }

    /// The same mismatch one level down, under `step`.
    fn within(mut self, step: impl FnOnce(Path) -> Path) -> Mismatch {
        self.path = prepend(step(Path::root()), &self.path);
        self
    }

    pub(crate) fn is_unknown(&self) -> bool {
        self.kind == MismatchKind::Unknown
    }
}

fn prepend(prefix: Path, path: &Path) -> Path {
    let mut steps = prefix.0;
    steps.extend(path.0.iter().cloned());
    Path(steps)
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match &self.kind {
            MismatchKind::Unknown => "is unknown".to_string(),
            MismatchKind::Null => "is null".to_string(),
            MismatchKind::Wrong { expected } => format!("is not {expected}"),
        };
        if self.path.is_root() {
            write!(f, "the value {what}")
        } else {
            write!(f, "{} {what}", self.path)
        }
    }
}

/// A Rust value read from a cty value.
pub(crate) trait FromValue: Sized {
    fn from_value(value: &Value) -> Result<Self, Mismatch>;
}

/// A Rust value written as a cty value.
pub(crate) trait ToValue {
    fn to_value(&self) -> Value;
}

/// A struct declared with [`typed_object!`](crate::typed_object): its attribute names.
#[cfg(test)]
pub(crate) trait Attributes {
    const ATTRIBUTES: &'static [&'static str];
}

fn refuse_unknown_or_null(value: &Value) -> Result<(), Mismatch> {
    match value {
        Value::Unknown(_) => Err(Mismatch::new(MismatchKind::Unknown)),
        Value::Null => Err(Mismatch::new(MismatchKind::Null)),
        _ => Ok(()),
    }
}

impl FromValue for Value {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        Ok(value.clone())
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        refuse_unknown_or_null(value)?;
        value
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Mismatch::wrong("a string"))
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
}

impl ToValue for &str {
    fn to_value(&self) -> Value {
        Value::string(*self)
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        refuse_unknown_or_null(value)?;
        value.as_bool().ok_or_else(|| Mismatch::wrong("a bool"))
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FromValue for Number {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        refuse_unknown_or_null(value)?;
        value
            .as_number()
            .cloned()
            .ok_or_else(|| Mismatch::wrong("a number"))
    }
}

impl ToValue for Number {
    fn to_value(&self) -> Value {
        Value::Number(self.clone())
    }
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        Number::from_value(value)?
            .as_i64()
            .ok_or_else(|| Mismatch::wrong("a whole number"))
    }
}

impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::number(*self)
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl<T: FromValue> FromValue for Maybe<T> {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        match T::from_value(value) {
            Ok(known) => Ok(Maybe::Known(known)),
            Err(mismatch) if mismatch.is_unknown() => Ok(Maybe::Unknown),
            Err(mismatch) => Err(mismatch),
        }
    }
}

impl<T: ToValue> ToValue for Maybe<T> {
    fn to_value(&self) -> Value {
        match self {
            Maybe::Known(value) => value.to_value(),
            Maybe::Unknown => Value::unknown(),
        }
    }
}

fn elements(value: &Value) -> Result<&[Value], Mismatch> {
    refuse_unknown_or_null(value)?;
    value
        .elements()
        .ok_or_else(|| Mismatch::wrong("a list or set"))
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        elements(value)?
            .iter()
            .enumerate()
            .map(|(i, v)| T::from_value(v).map_err(|m| m.within(|p| p.index(i as i64))))
            .collect()
    }
}

impl<T: ToValue> ToValue for Vec<T> {
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(ToValue::to_value).collect())
    }
}

impl<T: FromValue + Ord> FromValue for BTreeSet<T> {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        elements(value)?
            .iter()
            .map(|v| T::from_value(v).map_err(|m| m.within(|p| p.index(0))))
            .collect()
    }
}

impl<T: ToValue> ToValue for BTreeSet<T> {
    fn to_value(&self) -> Value {
        Value::Set(self.iter().map(ToValue::to_value).collect())
    }
}

impl<T: FromValue> FromValue for BTreeMap<String, T> {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        refuse_unknown_or_null(value)?;
        let entries = value.as_map().ok_or_else(|| Mismatch::wrong("a map"))?;
        entries
            .iter()
            .map(|(k, v)| {
                T::from_value(v)
                    .map(|t| (k.clone(), t))
                    .map_err(|m| m.within(|p| p.key(k.clone())))
            })
            .collect()
    }
}

impl<T: ToValue> ToValue for BTreeMap<String, T> {
    fn to_value(&self) -> Value {
        Value::Map(
            self.iter()
                .map(|(k, v)| (k.clone(), v.to_value()))
                .collect(),
        )
    }
}

/// A set (or list) of strings where null means empty: sorted, without duplicates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Strings(pub Vec<String>);

impl std::ops::Deref for Strings {
    type Target = Vec<String>;

    fn deref(&self) -> &Vec<String> {
        &self.0
    }
}

impl IntoIterator for Strings {
    type Item = String;
    type IntoIter = std::vec::IntoIter<String>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Strings {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromValue for Strings {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        if value.is_null() {
            return Ok(Strings::default());
        }
        let mut items = Vec::<String>::from_value(value)?;
        items.sort();
        items.dedup();
        Ok(Strings(items))
    }
}

impl ToValue for Strings {
    fn to_value(&self) -> Value {
        Value::Set(self.0.iter().map(|s| Value::string(s.clone())).collect())
    }
}

/// A collection where null means empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrEmpty<T>(pub T);

impl<T> std::ops::Deref for OrEmpty<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: IntoIterator> IntoIterator for OrEmpty<T> {
    type Item = T::Item;
    type IntoIter = T::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a OrEmpty<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        (&self.0).into_iter()
    }
}

impl<T: FromValue + Default> FromValue for OrEmpty<T> {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        if value.is_null() {
            return Ok(OrEmpty(T::default()));
        }
        T::from_value(value).map(OrEmpty)
    }
}

impl<T: ToValue> ToValue for OrEmpty<T> {
    fn to_value(&self) -> Value {
        self.0.to_value()
    }
}

/// Reads attribute `name` of an object's attributes (absent reads as null).
pub(crate) fn attribute<T: FromValue>(
    attributes: &BTreeMap<String, Value>,
    name: &str,
) -> Result<T, Mismatch> {
    T::from_value(attributes.get(name).unwrap_or(&Value::Null))
        .map_err(|m| m.within(|p| p.attr(name)))
}

/// The attributes of an object value, for [`typed_object!`](crate::typed_object).
pub(crate) fn object_attributes(value: &Value) -> Result<&BTreeMap<String, Value>, Mismatch> {
    refuse_unknown_or_null(value)?;
    match value {
        Value::Object(attributes) => Ok(attributes),
        _ => Err(Mismatch::wrong("an object")),
    }
}

/// Declares a struct whose fields are the attributes of a schema object (same names), with its
/// [`FromValue`], [`ToValue`] and [`Attributes`].
#[macro_export]
macro_rules! typed_object {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$field_meta:meta])* $field_vis:vis $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$field_meta])* $field_vis $field : $ty ),*
        }

        impl $crate::framework::typed::FromValue for $name {
            fn from_value(
                value: &$crate::protocol::cty::Value,
            ) -> Result<Self, $crate::framework::typed::Mismatch> {
                let attributes = $crate::framework::typed::object_attributes(value)?;
                Ok(Self {
                    $( $field: $crate::framework::typed::attribute(
                        attributes,
                        stringify!($field).trim_start_matches("r#"),
                    )? ),*
                })
            }
        }

        impl $crate::framework::typed::ToValue for $name {
            fn to_value(&self) -> $crate::protocol::cty::Value {
                $crate::protocol::cty::Value::Object(::std::collections::BTreeMap::from([
                    $( (
                        stringify!($field).trim_start_matches("r#").to_string(),
                        $crate::framework::typed::ToValue::to_value(&self.$field),
                    ) ),*
                ]))
            }
        }

        #[cfg(test)]
        impl $crate::framework::typed::Attributes for $name {
            const ATTRIBUTES: &'static [&'static str] = &[ $( stringify!($field) ),* ];
        }
    };
}

#[cfg(test)]
/// Which attributes of a schema object a typed struct holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Holds {
    /// Every attribute (a state).
    Everything,
    /// What a configuration sets: every attribute that is not computed only.
    Arguments,
}

#[cfg(test)]
/// Panics unless `T`'s fields are exactly the attributes `holds` picks of the object at `path`
/// in `block` (the schema's top level, then nested attribute names), so that a struct and its
/// schema cannot drift apart.
pub(crate) fn assert_matches_schema<T: Attributes>(
    block: &crate::protocol::schema::Block,
    path: &[&str],
    holds: Holds,
) {
    use crate::protocol::schema::AttributeType;
    let mut attributes = block.attributes.as_slice();
    for (depth, name) in path.iter().enumerate() {
        let within = path[..depth].join(".");
        let attribute = attributes
            .iter()
            .find(|a| a.name == *name)
            .unwrap_or_else(|| panic!("the schema has no attribute {name:?} in {within:?}"));
        attributes = match &attribute.ty {
            AttributeType::Nested(nested) => nested.attributes.as_slice(),
            AttributeType::Plain(_) => panic!("{name:?} in {within:?} is not a nested object"),
        };
    }
    let fields: BTreeSet<&str> = T::ATTRIBUTES
        .iter()
        .map(|f| f.trim_start_matches("r#"))
        .collect();
    let schema: BTreeSet<&str> = attributes
        .iter()
        .filter(|a| holds == Holds::Everything || a.is_settable())
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        fields,
        schema,
        "{}: the typed struct's fields and the schema's attributes differ",
        path.join(".")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::typed_object! {
        #[derive(Clone, Debug, PartialEq, Eq)]
        struct Inner {
            cidr: String,
            tags: Maybe<BTreeMap<String, String>>,
        }
    }

    crate::typed_object! {
        #[derive(Clone, Debug, PartialEq, Eq)]
        struct Outer {
            name: Maybe<String>,
            description: Option<String>,
            subnets: Maybe<BTreeSet<String>>,
            networks: Maybe<BTreeMap<String, Inner>>,
            r#type: Option<bool>,
        }
    }

    fn outer(name: Value, subnets: Value, networks: Value) -> Value {
        Value::object([
            ("name", name),
            ("description", Value::Null),
            ("subnets", subnets),
            ("networks", networks),
            ("type", Value::Bool(true)),
        ])
    }

    #[test]
    fn known_values_read_and_write_back() {
        let value = outer(
            Value::string("hub"),
            Value::Set(vec![Value::string("a"), Value::string("b")]),
            Value::Map(BTreeMap::from([(
                "x".to_string(),
                Value::object([
                    ("cidr", Value::string("10.0.0.0/8")),
                    ("tags", Value::Map(BTreeMap::new())),
                ]),
            )])),
        );
        let read = Outer::from_value(&value).unwrap();
        assert_eq!(read.name, Maybe::Known("hub".into()));
        assert_eq!(read.description, None);
        assert_eq!(read.r#type, Some(true));
        assert_eq!(read.to_value(), value);
    }

    #[test]
    fn unknowns_stay_where_the_type_allows_them() {
        // An unknown element makes the whole set unknown; an unknown inside an element stays
        // inside it.
        let value = outer(
            Value::unknown(),
            Value::Set(vec![Value::string("a"), Value::unknown()]),
            Value::Map(BTreeMap::from([(
                "x".to_string(),
                Value::object([
                    ("cidr", Value::string("10.0.0.0/8")),
                    ("tags", Value::unknown()),
                ]),
            )])),
        );
        let read = Outer::from_value(&value).unwrap();
        assert_eq!(read.name, Maybe::Unknown);
        assert_eq!(read.subnets, Maybe::Unknown);
        let networks = read.networks.known().unwrap();
        assert_eq!(networks["x"].tags, Maybe::Unknown);
    }

    #[test]
    fn a_mismatch_names_its_path() {
        let value = outer(
            Value::string("hub"),
            Value::Null,
            Value::Map(BTreeMap::from([(
                "x".to_string(),
                Value::object([("cidr", Value::Null), ("tags", Value::Null)]),
            )])),
        );
        let mismatch = Outer::from_value(&value).unwrap_err();
        assert_eq!(mismatch.kind, MismatchKind::Null);
        assert_eq!(mismatch.path.to_string(), "subnets");
        let value = outer(
            Value::string("hub"),
            Value::Set(Vec::new()),
            Value::Map(BTreeMap::from([(
                "x".to_string(),
                Value::object([("cidr", Value::Bool(true)), ("tags", Value::Null)]),
            )])),
        );
        let mismatch = Outer::from_value(&value).unwrap_err();
        assert_eq!(mismatch.to_string(), "networks[\"x\"].cidr is not a string");
    }
}
