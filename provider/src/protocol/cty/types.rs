//! cty types and their JSON form, which Terraform uses in schemas and inside dynamic values.

use std::collections::BTreeMap;
use std::fmt;

use super::json_syntax::{self, Json};
use super::{CodecError, Path};

/// The type a value is encoded against. `Dynamic` marks a position whose concrete type travels
/// with the value (cty's `DynamicPseudoType`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// `bool`.
    Bool,
    /// `number`: an arbitrary-precision decimal.
    Number,
    /// `string`.
    String,
    /// `any`: the concrete type travels with the value.
    Dynamic,
    /// `list(T)`.
    List(Box<Type>),
    /// `set(T)`.
    Set(Box<Type>),
    /// `map(T)`.
    Map(Box<Type>),
    /// `object({...})`, by attribute name.
    Object(BTreeMap<String, Type>),
    /// `tuple([...])`, by position.
    Tuple(Vec<Type>),
}

impl Type {
    /// An object type from `(name, type)` pairs.
    pub fn object<'a, I: IntoIterator<Item = (&'a str, Type)>>(attributes: I) -> Type {
        Type::Object(
            attributes
                .into_iter()
                .map(|(name, ty)| (name.to_owned(), ty))
                .collect(),
        )
    }

    /// A list of `element`.
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    /// A set of `element`.
    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    /// A map of `element`.
    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// Lists, sets and maps: the types that length refinements apply to.
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }

    /// Reads cty's type JSON (`"string"`, `["list","string"]`, `["object",{"a":"number"}]`).
    /// The three-element object form's optional-attribute list is accepted and ignored: it
    /// only matters to type conversion, not to encoding.
    pub fn from_json(bytes: &[u8]) -> Result<Type, CodecError> {
        let json = json_syntax::parse(bytes).map_err(|e| CodecError::new(Path::root(), e))?;
        Type::from_json_value(&json)
            .map_err(|e| CodecError::new(Path::root(), format!("invalid type description: {e}")))
    }

    pub(super) fn from_json_value(json: &Json) -> Result<Type, String> {
        let items = match json {
            Json::String(name) => {
                return match name.as_str() {
                    "bool" => Ok(Type::Bool),
                    "number" => Ok(Type::Number),
                    "string" => Ok(Type::String),
                    "dynamic" => Ok(Type::Dynamic),
                    other => Err(format!("unknown primitive type {other:?}")),
                };
            }
            Json::Array(items) => items,
            other => {
                return Err(format!(
                    "expected a string or an array, found {}",
                    other.kind()
                ));
            }
        };
        match items.as_slice() {
            [Json::String(kind), element] if ["list", "set", "map"].contains(&kind.as_str()) => {
                let element = Box::new(Type::from_json_value(element)?);
                Ok(match kind.as_str() {
                    "list" => Type::List(element),
                    "set" => Type::Set(element),
                    _ => Type::Map(element),
                })
            }
            [Json::String(kind), Json::Object(attributes), optional @ ..]
                if kind == "object" && optional.len() <= 1 =>
            {
                let is_name = |n: &Json| matches!(n, Json::String(_));
                let is_name_list =
                    |j: &Json| matches!(j, Json::Array(ns) if ns.iter().all(is_name));
                if !optional.iter().all(is_name_list) {
                    return Err("optional attributes must be an array of names".into());
                }
                attributes
                    .iter()
                    .map(|(name, ty)| Ok((name.clone(), Type::from_json_value(ty)?)))
                    .collect::<Result<_, String>>()
                    .map(Type::Object)
            }
            [Json::String(kind), Json::Array(elements)] if kind == "tuple" => elements
                .iter()
                .map(Type::from_json_value)
                .collect::<Result<_, _>>()
                .map(Type::Tuple),
            _ => Err(
                "expected [\"list\"|\"set\"|\"map\", T], [\"object\", {..}] or [\"tuple\", [..]]"
                    .into(),
            ),
        }
    }

    /// cty's canonical type JSON: attribute names sorted, no whitespace.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = String::new();
        self.write_json(&mut out);
        out.into_bytes()
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Type::Bool => out.push_str("\"bool\""),
            Type::Number => out.push_str("\"number\""),
            Type::String => out.push_str("\"string\""),
            Type::Dynamic => out.push_str("\"dynamic\""),
            Type::List(element) | Type::Set(element) | Type::Map(element) => {
                let kind = match self {
                    Type::List(_) => "list",
                    Type::Set(_) => "set",
                    _ => "map",
                };
                out.push_str(&format!("[\"{kind}\","));
                element.write_json(out);
                out.push(']');
            }
            Type::Object(attributes) => {
                out.push_str("[\"object\",{");
                for (i, (name, ty)) in attributes.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_syntax::write_string(out, name);
                    out.push(':');
                    ty.write_json(out);
                }
                out.push_str("}]");
            }
            Type::Tuple(elements) => {
                out.push_str("[\"tuple\",[");
                for (i, ty) in elements.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    ty.write_json(out);
                }
                out.push_str("]]");
            }
        }
    }
}

impl fmt::Display for Type {
    /// Short names for error messages, in cty's wording ("list of string").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(element) => write!(f, "list of {element}"),
            Type::Set(element) => write!(f, "set of {element}"),
            Type::Map(element) => write!(f, "map of {element}"),
            Type::Object(_) => f.write_str("object"),
            Type::Tuple(_) => f.write_str("tuple"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_canonical_json() {
        // Forms from go-cty cty/json.go (MarshalJSON / UnmarshalJSON).
        let ty = Type::object([
            ("b", Type::list(Type::String)),
            ("a", Type::Number),
            ("c", Type::Tuple(vec![Type::Bool, Type::Dynamic])),
            ("d", Type::map(Type::set(Type::Number))),
        ]);
        let json = r#"["object",{"a":"number","b":["list","string"],"c":["tuple",["bool","dynamic"]],"d":["map",["set","number"]]}]"#;
        assert_eq!(String::from_utf8(ty.to_json()).unwrap(), json);
        assert_eq!(Type::from_json(json.as_bytes()).unwrap(), ty);
        assert_eq!(
            Type::from_json(b" [ \"list\" , \"string\" ] ").unwrap(),
            Type::list(Type::String)
        );
    }

    #[test]
    fn ignores_optional_attribute_list() {
        let ty = Type::from_json(br#"["object",{"a":"string","b":"number"},["b"]]"#).unwrap();
        assert_eq!(ty, Type::object([("a", Type::String), ("b", Type::Number)]));
    }

    #[test]
    fn rejects_malformed_types() {
        for bad in [
            r#""text""#,
            r#"["list"]"#,
            r#"["list","string","extra"]"#,
            r#"["object",{"a":"string"},[1]]"#,
            r#"["object",{"a":"string"},[],[]]"#,
            r#"["tuple",{}]"#,
            r#"["bag","string"]"#,
            "42",
            r#""string" x"#,
        ] {
            let err = Type::from_json(bad.as_bytes()).unwrap_err();
            assert!(err.path.is_root() && !err.message.is_empty(), "{bad}");
        }
    }
}
