//! The JSON form of a value, as go-cty's `cty/json` reads and writes it: Terraform's state
//! JSON (`UpgradeResourceState`) and the JSON a provider may return. JSON has no way to say
//! "unknown", so only wholly known values can be encoded.

use std::collections::BTreeMap;

use super::json_syntax::{self, Json};
use super::value::dedup_set;
use super::{CodecError, Number, Path, PathStep, Type, Value};

/// Encodes a wholly known value; an unknown anywhere is an error naming its path.
pub fn to_json(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut encoder = Encoder {
        out: String::new(),
        path: Vec::new(),
    };
    encoder.value(value, ty)?;
    Ok(encoder.out.into_bytes())
}

/// Decodes JSON of type `ty`, applying the same lenient conversions as go-cty (`"true"` for a
/// bool, a number for a string, a numeric string for a number).
pub fn from_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    decode(bytes, ty, false)
}

/// Like [`from_json`], but drops object attributes the type does not have, at any depth:
/// state written by an older schema may hold attributes that have since been removed
/// (terraform-plugin-go's `IgnoreUndefinedAttributes`).
pub fn from_json_ignoring_unknown_attributes(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    decode(bytes, ty, true)
}

fn decode(bytes: &[u8], ty: &Type, ignore_unknown_attributes: bool) -> Result<Value, CodecError> {
    let json = json_syntax::parse(bytes).map_err(|e| CodecError::new(Path::root(), e))?;
    let mut decoder = Decoder {
        path: Vec::new(),
        ignore_unknown_attributes,
    };
    decoder.value(&json, ty)
}

struct Encoder {
    out: String,
    path: Vec<PathStep>,
}

impl Encoder {
    fn error(&self, message: impl Into<String>) -> CodecError {
        CodecError::new(Path(self.path.clone()), message)
    }

    fn nested(&mut self, step: PathStep, value: &Value, ty: &Type) -> Result<(), CodecError> {
        self.path.push(step);
        self.value(value, ty)?;
        self.path.pop();
        Ok(())
    }

    fn separator(&mut self, i: usize) {
        if i > 0 {
            self.out.push(',');
        }
    }

    fn value(&mut self, value: &Value, ty: &Type) -> Result<(), CodecError> {
        match (value, ty) {
            (Value::Unknown(_), _) => {
                return Err(self
                    .error("value is unknown, and JSON cannot carry unknown values; use msgpack"));
            }
            (Value::Null, _) => self.out.push_str("null"),
            (Value::Dynamic(inner_ty, inner), Type::Dynamic) => {
                if **inner_ty == Type::Dynamic {
                    return Err(
                        self.error("a dynamic value needs a concrete type, not \"dynamic\"")
                    );
                }
                // marshal.go marshalDynamic: value first, then type.
                self.out.push_str("{\"value\":");
                self.value(inner, inner_ty)?;
                self.out.push_str(",\"type\":");
                self.out
                    .push_str(&String::from_utf8_lossy(&inner_ty.to_json()));
                self.out.push('}');
            }
            (_, Type::Dynamic) => {
                return Err(self.error(format!(
                    "{} at a dynamic position must be wrapped in Value::Dynamic with its type",
                    value.kind()
                )));
            }
            (Value::Bool(b), Type::Bool) => self.out.push_str(if *b { "true" } else { "false" }),
            (Value::Number(n), Type::Number) => self.out.push_str(&n.to_string()),
            (Value::String(s), Type::String) => json_syntax::write_string(&mut self.out, s),
            (Value::List(items), Type::List(et)) | (Value::Set(items), Type::Set(et)) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    self.separator(i);
                    self.nested(PathStep::Index(i as i64), item, et)?;
                }
                self.out.push(']');
            }
            (Value::Tuple(items), Type::Tuple(types)) if items.len() == types.len() => {
                self.out.push('[');
                for (i, (item, ty)) in items.iter().zip(types).enumerate() {
                    self.separator(i);
                    self.nested(PathStep::Index(i as i64), item, ty)?;
                }
                self.out.push(']');
            }
            (Value::Map(entries), Type::Map(et)) => {
                self.out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    self.separator(i);
                    json_syntax::write_string(&mut self.out, k);
                    self.out.push(':');
                    self.nested(PathStep::Key(k.clone()), v, et)?;
                }
                self.out.push('}');
            }
            (Value::Object(attributes), Type::Object(types)) => {
                if let Some(extra) = attributes.keys().find(|k| !types.contains_key(*k)) {
                    self.path.push(PathStep::Attr(extra.clone()));
                    return Err(self.error("attribute is not part of the schema type"));
                }
                self.out.push('{');
                for (i, (name, aty)) in types.iter().enumerate() {
                    self.separator(i);
                    json_syntax::write_string(&mut self.out, name);
                    self.out.push(':');
                    let v = attributes.get(name).unwrap_or(&Value::Null);
                    self.nested(PathStep::Attr(name.clone()), v, aty)?;
                }
                self.out.push('}');
            }
            _ => {
                return Err(self.error(format!("expected {ty}, but the value is {}", value.kind())));
            }
        }
        Ok(())
    }
}

struct Decoder {
    path: Vec<PathStep>,
    ignore_unknown_attributes: bool,
}

impl Decoder {
    fn error(&self, message: impl Into<String>) -> CodecError {
        CodecError::new(Path(self.path.clone()), message)
    }

    fn mismatch(&self, ty: &Type, found: &Json) -> CodecError {
        self.error(format!("expected {ty}, found {}", found.kind()))
    }

    fn nested(&mut self, step: PathStep, json: &Json, ty: &Type) -> Result<Value, CodecError> {
        self.path.push(step);
        let value = self.value(json, ty)?;
        self.path.pop();
        Ok(value)
    }

    fn number(&self, text: &str) -> Result<Number, CodecError> {
        text.parse().map_err(|e| self.error(format!("{e}")))
    }

    /// Recursion is bounded by the parser's depth limit on `json`.
    fn value(&mut self, json: &Json, ty: &Type) -> Result<Value, CodecError> {
        Ok(match (json, ty) {
            (Json::Null, _) => Value::Null,
            (_, Type::Dynamic) => return self.dynamic(json),
            (Json::Bool(b), Type::Bool) => Value::Bool(*b),
            // go-cty converts strings to bools with cty's string conversion rules.
            (Json::String(s), Type::Bool) => match s.as_str() {
                "true" | "1" => Value::Bool(true),
                "false" | "0" => Value::Bool(false),
                _ => return Err(self.error(format!("expected bool, found the string {s:?}"))),
            },
            (Json::Number(text) | Json::String(text), Type::Number) => {
                Value::Number(self.number(text)?)
            }
            (Json::String(s) | Json::Number(s), Type::String) => Value::String(s.clone()),
            (Json::Bool(b), Type::String) => Value::String(b.to_string()),
            (Json::Array(items), Type::List(et) | Type::Set(et)) => {
                let items = items.iter().enumerate();
                let items = items.map(|(i, j)| self.nested(PathStep::Index(i as i64), j, et));
                let items = items.collect::<Result<Vec<_>, _>>()?;
                match ty {
                    Type::Set(_) => Value::Set(dedup_set(items)),
                    _ => Value::List(items),
                }
            }
            (Json::Array(items), Type::Tuple(types)) => {
                if items.len() != types.len() {
                    return Err(self.error(format!(
                        "expected a tuple of {} elements, found {}",
                        types.len(),
                        items.len()
                    )));
                }
                let pairs = items.iter().zip(types).enumerate();
                let items = pairs.map(|(i, (j, t))| self.nested(PathStep::Index(i as i64), j, t));
                Value::Tuple(items.collect::<Result<_, _>>()?)
            }
            (Json::Object(members), Type::Map(et)) => {
                let mut entries = BTreeMap::new();
                for (k, j) in members {
                    let v = self.nested(PathStep::Key(k.clone()), j, et)?;
                    entries.insert(k.clone(), v);
                }
                Value::Map(entries)
            }
            (Json::Object(members), Type::Object(types)) => {
                let mut attributes = BTreeMap::new();
                for (name, j) in members {
                    let step = PathStep::Attr(name.clone());
                    let Some(aty) = types.get(name) else {
                        if self.ignore_unknown_attributes {
                            continue;
                        }
                        self.path.push(step);
                        return Err(self.error(
                            "unsupported attribute: the schema type has no attribute of this name",
                        ));
                    };
                    let v = self.nested(step, j, aty)?;
                    attributes.insert(name.clone(), v);
                }
                for name in types.keys() {
                    attributes.entry(name.clone()).or_insert(Value::Null);
                }
                Value::Object(attributes)
            }
            (json, ty) => return Err(self.mismatch(ty, json)),
        })
    }

    /// unmarshal.go unmarshalDynamic: `{"value": ..., "type": ...}` in either order.
    fn dynamic(&mut self, json: &Json) -> Result<Value, CodecError> {
        let Json::Object(members) = json else {
            return Err(self.error(format!(
                "expected a {{\"value\": ..., \"type\": ...}} object for a dynamic value, found {}",
                json.kind()
            )));
        };
        let (mut ty, mut value) = (None, None);
        for (key, j) in members {
            match key.as_str() {
                "type" => ty = Some(j),
                "value" => value = Some(j),
                other => {
                    return Err(self.error(format!(
                        "invalid key {other:?} in a dynamic value; only \"value\" and \"type\" are allowed"
                    )));
                }
            }
        }
        let (Some(ty), Some(value)) = (ty, value) else {
            return Err(self.error("a dynamic value needs both \"value\" and \"type\""));
        };
        let ty = Type::from_json_value(ty)
            .map_err(|e| self.error(format!("invalid type in a dynamic value: {e}")))?;
        let value = self.value(value, &ty)?;
        Ok(match ty {
            Type::Dynamic => value,
            ty => Value::dynamic(ty, value),
        })
    }
}

#[cfg(test)]
mod tests {
    //! Vectors from go-cty's cty/json/value_test.go, plus precision and error cases.
    use super::*;

    fn golden(value: Value, ty: &Type, json: &str) {
        assert_eq!(
            String::from_utf8(to_json(&value, ty).unwrap()).unwrap(),
            json
        );
        assert_eq!(
            from_json(json.as_bytes(), ty).unwrap(),
            value,
            "decoding {json}"
        );
    }

    fn decode(json: &str, ty: &Type) -> Result<Value, CodecError> {
        from_json(json.as_bytes(), ty)
    }

    #[test]
    fn go_cty_vectors() {
        golden(Value::string("hello"), &Type::String, r#""hello""#);
        golden(Value::number(2), &Type::Number, "2");
        golden(Value::Number("2.5".parse().unwrap()), &Type::Number, "2.5");
        golden(Value::Null, &Type::map(Type::Bool), "null");
        let yes_no = [("yes", true), ("no", false)].map(|(k, b)| (k.to_owned(), Value::bool(b)));
        golden(
            Value::Map(yes_no.into()),
            &Type::map(Type::Bool),
            r#"{"no":false,"yes":true}"#,
        );
        let object_ty = Type::object([("bool", Type::Bool), ("number", Type::Number)]);
        let object = Value::object([("bool", Value::bool(true)), ("number", Value::number(0))]);
        golden(object, &object_ty, r#"{"bool":true,"number":0}"#);
        golden(
            Value::Tuple(vec![Value::bool(true), Value::number(5)]),
            &Type::Tuple(vec![Type::Bool, Type::Number]),
            "[true,5]",
        );
        golden(
            Value::dynamic(Type::Bool, Value::bool(true)),
            &Type::Dynamic,
            r#"{"value":true,"type":"bool"}"#,
        );
        let bools = [true, false].map(|b| Value::dynamic(Type::Bool, Value::bool(b)));
        golden(
            Value::List(bools.to_vec()),
            &Type::list(Type::Dynamic),
            r#"[{"value":true,"type":"bool"},{"value":false,"type":"bool"}]"#,
        );
        let mixed_ty = Type::object([("static", Type::Bool), ("dynamic", Type::Dynamic)]);
        let mixed = Value::object([
            ("static", Value::bool(true)),
            ("dynamic", Value::dynamic(Type::Bool, Value::bool(true))),
        ]);
        golden(
            mixed,
            &mixed_ty,
            r#"{"dynamic":{"value":true,"type":"bool"},"static":true}"#,
        );
        let inner_ty = Type::object([("dynamic", Type::Bool), ("static", Type::Bool)]);
        let inner = Value::object([
            ("dynamic", Value::bool(true)),
            ("static", Value::bool(true)),
        ]);
        golden(
            Value::dynamic(inner_ty, inner),
            &Type::Dynamic,
            r#"{"value":{"dynamic":true,"static":true},"type":["object",{"dynamic":"bool","static":"bool"}]}"#,
        );
    }

    #[test]
    fn lenient_conversions_like_go_cty() {
        assert_eq!(decode(r#""1""#, &Type::Bool).unwrap(), Value::bool(true));
        assert_eq!(
            decode(r#""false""#, &Type::Bool).unwrap(),
            Value::bool(false)
        );
        assert_eq!(decode("5", &Type::String).unwrap(), Value::string("5"));
        assert_eq!(
            decode("true", &Type::String).unwrap(),
            Value::string("true")
        );
        assert_eq!(decode(r#""15""#, &Type::Number).unwrap(), Value::number(15));
        assert_eq!(
            decode(r#"[true,true]"#, &Type::set(Type::Bool)).unwrap(),
            Value::Set(vec![Value::bool(true)])
        );
        let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
        assert_eq!(
            decode(r#"{"a":"x"}"#, &ty).unwrap().attr("b"),
            Some(&Value::Null)
        );
        let reordered = r#"{"type":"string","value":"x"}"#;
        assert_eq!(
            decode(reordered, &Type::Dynamic).unwrap(),
            Value::dynamic(Type::String, Value::string("x"))
        );
    }

    #[test]
    fn numbers_keep_full_precision() {
        for text in [
            "1180591620717411303424",
            "0.10000000000000000000001",
            "-123456789012345678901234567890.5",
        ] {
            golden(Value::Number(text.parse().unwrap()), &Type::Number, text);
        }
        let big = decode("1e400", &Type::Number).unwrap();
        assert_eq!(big.as_number().map(|n| n.to_string().len()), Some(401));
        assert_eq!(decode("2.50E+1", &Type::Number).unwrap(), Value::number(25));
    }

    #[test]
    fn errors_name_the_path() {
        let ty = Type::object([
            ("ids", Type::list(Type::Number)),
            ("tags", Type::map(Type::String)),
        ]);
        let err = decode(r#"{"ids":[1,true]}"#, &ty).unwrap_err();
        assert_eq!(
            (err.path.to_string(), err.message.as_str()),
            ("ids[1]".into(), "expected number, found a JSON boolean")
        );
        let err = decode(r#"{"tags":{"env":[]}}"#, &ty).unwrap_err();
        assert_eq!(err.path.to_string(), r#"tags["env"]"#);
        let err = decode(r#"{"ids":[],"zz":1}"#, &ty).unwrap_err();
        assert_eq!(err.path, Path::root().attr("zz"));
        assert!(err.message.contains("unsupported attribute"));
        let nested_ty = Type::object([("inner", ty.clone())]);
        let old_state = br#"{"inner":{"ids":[2],"zz":1},"gone":true}"#;
        let value = from_json_ignoring_unknown_attributes(old_state, &nested_ty).unwrap();
        let ids = Value::List(vec![Value::number(2)]);
        let inner = Value::object([("ids", ids), ("tags", Value::Null)]);
        assert_eq!(value, Value::object([("inner", inner)]));
        assert!(
            decode("1 2", &Type::Number)
                .unwrap_err()
                .message
                .contains("after the JSON value")
        );
        assert!(decode(r#""maybe""#, &Type::Bool).is_err());
        assert!(
            decode("[1]", &Type::Tuple(vec![]))
                .unwrap_err()
                .message
                .contains("0 elements")
        );
        assert!(
            decode(r#"{"value":1}"#, &Type::Dynamic)
                .unwrap_err()
                .message
                .contains("both")
        );
        assert!(decode(r#"{"value":1,"type":"number","x":1}"#, &Type::Dynamic).is_err());

        let with_unknown =
            Value::object([("ids", Value::List(vec![Value::number(1), Value::unknown()]))]);
        let err = to_json(&with_unknown, &ty).unwrap_err();
        assert_eq!(err.path.to_string(), "ids[1]");
        assert!(err.message.contains("unknown"));
        let err = to_json(&Value::bool(true), &ty).unwrap_err();
        assert_eq!(err.message, "expected object, but the value is a bool");
    }
}
