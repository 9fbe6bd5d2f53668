//! Terraform's value model (go-cty) and the two wire forms of a `DynamicValue`.
//!
//! Terraform sends every config, plan and state value as msgpack encoded against the schema's
//! implied type, and accepts msgpack or JSON back; old state arrives as JSON in
//! `UpgradeResourceState`. The rules here follow `zclconf/go-cty` (`cty/msgpack`, `cty/json`,
//! `cty/json.go`), because Terraform decodes our replies with exactly that code.
//!
//! The module depends only on `rmp`, `serde_json` and std so it can be tested on its own.

mod json;
mod json_syntax;
mod msgpack;
mod number;
mod path;
mod types;
mod value;

pub use json::{from_json, from_json_ignoring_unknown_attributes, to_json};
pub use msgpack::{from_msgpack, to_msgpack};
pub use number::{Number, ParseNumberError};
pub use path::{CodecError, Path, PathStep};
pub use types::Type;
pub use value::{Refinements, Value};

/// Deepest nesting the decoders accept; deeper input is refused instead of exhausting the stack.
const MAX_DEPTH: usize = 200;

#[cfg(test)]
mod tests {
    //! Round-trip properties over generated (type, value) pairs, for both codecs.
    use super::*;
    use proptest::collection::{btree_map, vec};
    use proptest::prelude::*;

    fn arb_type(allow_dynamic: bool) -> BoxedStrategy<Type> {
        let mut leaves = vec![Just(Type::Bool), Just(Type::Number), Just(Type::String)];
        if allow_dynamic {
            leaves.push(Just(Type::Dynamic));
        }
        proptest::strategy::Union::new(leaves)
            .prop_recursive(3, 16, 4, |inner| {
                prop_oneof![
                    inner.clone().prop_map(|t| Type::List(Box::new(t))),
                    inner.clone().prop_map(|t| Type::Set(Box::new(t))),
                    inner.clone().prop_map(|t| Type::Map(Box::new(t))),
                    btree_map("[a-z_]{1,6}", inner.clone(), 0..4).prop_map(Type::Object),
                    vec(inner, 0..4).prop_map(Type::Tuple),
                ]
            })
            .boxed()
    }

    fn arb_number() -> BoxedStrategy<Number> {
        prop_oneof![
            any::<i64>().prop_map(Number::from),
            any::<u64>().prop_map(Number::from),
            any::<f64>().prop_filter_map("finite", Number::from_f64),
            "-?[0-9]{1,30}(\\.[0-9]{1,30})?(e-?[0-9]{1,3})?"
                .prop_filter_map("decimal", |s| s.parse().ok()),
        ]
        .boxed()
    }

    /// A value of type `ty`; unknowns only when `unknowns` (JSON cannot carry them).
    fn arb_value(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
        let known: BoxedStrategy<Value> = match ty {
            Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            Type::Number => arb_number().prop_map(Value::Number).boxed(),
            Type::String => ".{0,8}".prop_map(Value::String).boxed(),
            Type::List(et) => vec(arb_value(et, unknowns), 0..4)
                .prop_map(Value::List)
                .boxed(),
            Type::Set(et) => vec(arb_value(et, unknowns), 0..4)
                .prop_map(|items| Value::Set(value::dedup_set(items)))
                .boxed(),
            Type::Map(et) => btree_map(".{0,5}", arb_value(et, unknowns), 0..4)
                .prop_map(Value::Map)
                .boxed(),
            Type::Object(atys) => {
                let names: Vec<String> = atys.keys().cloned().collect();
                let values: Vec<_> = atys.values().map(|t| arb_value(t, unknowns)).collect();
                values
                    .prop_map(move |vs| Value::Object(names.iter().cloned().zip(vs).collect()))
                    .boxed()
            }
            Type::Tuple(ts) => {
                let values: Vec<_> = ts.iter().map(|t| arb_value(t, unknowns)).collect();
                values.prop_map(Value::Tuple).boxed()
            }
            Type::Dynamic => arb_type(false)
                .prop_flat_map(move |t| {
                    arb_value(&t, unknowns)
                        .prop_map(move |v| Value::Dynamic(Box::new(t.clone()), Box::new(v)))
                })
                .boxed(),
        };
        if unknowns {
            prop_oneof![1 => Just(Value::Null), 1 => Just(Value::unknown()), 6 => known].boxed()
        } else {
            prop_oneof![1 => Just(Value::Null), 6 => known].boxed()
        }
    }

    fn arb_pair(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
        arb_type(true).prop_flat_map(move |t| (Just(t.clone()), arb_value(&t, unknowns)))
    }

    /// Refinements that apply to the type they are paired with (others are not written).
    fn arb_refinements() -> impl Strategy<Value = (Type, Refinements)> {
        use proptest::option::of;
        let bound = || of((arb_number(), any::<bool>()));
        prop_oneof![
            (any::<bool>(), of(".{1,20}")).prop_map(|(not_null, string_prefix)| {
                let r = Refinements {
                    not_null,
                    string_prefix,
                    ..Refinements::default()
                };
                (Type::String, r)
            }),
            (any::<bool>(), bound(), bound()).prop_map(|(not_null, number_lower, number_upper)| {
                let r = Refinements {
                    not_null,
                    number_lower,
                    number_upper,
                    ..Refinements::default()
                };
                (Type::Number, r)
            }),
            (any::<bool>(), of(1u64..1000), of(0u64..1000)).prop_map(
                |(not_null, length_lower, length_upper)| {
                    let r = Refinements {
                        not_null,
                        length_lower,
                        length_upper,
                        ..Refinements::default()
                    };
                    (Type::set(Type::String), r)
                }
            ),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn refinements_round_trip((ty, refinements) in arb_refinements()) {
            let bytes = to_msgpack(&Value::Unknown(refinements.clone()), &ty).unwrap();
            match from_msgpack(&bytes, &ty).unwrap() {
                // Payloads over the readers' limit are sent as plain unknowns instead.
                Value::Unknown(decoded)
                    if msgpack::refinements_payload(&refinements, &ty)
                        .is_some_and(|p| p.len() > msgpack::MAX_REFINEMENTS_LEN) =>
                {
                    prop_assert_eq!(&bytes[..], &[0xd4, 0x00, 0x00][..]);
                    prop_assert_eq!(decoded, Refinements::default());
                }
                Value::Unknown(decoded) => prop_assert_eq!(decoded, refinements),
                other => prop_assert!(false, "decoded {:?}", other),
            }
        }

        #[test]
        fn msgpack_round_trips((ty, value) in arb_pair(true)) {
            prop_assert!(value.conforms(&ty));
            let bytes = to_msgpack(&value, &ty).unwrap();
            prop_assert_eq!(from_msgpack(&bytes, &ty).unwrap(), value);
        }

        #[test]
        fn json_round_trips((ty, value) in arb_pair(false)) {
            let bytes = to_json(&value, &ty).unwrap();
            prop_assert_eq!(from_json(&bytes, &ty).unwrap(), value);
        }

        #[test]
        fn type_json_round_trips(ty in arb_type(true)) {
            prop_assert_eq!(Type::from_json(&ty.to_json()).unwrap(), ty);
        }

        #[test]
        fn unknown_values_in_a_set_are_all_kept(n in 2usize..5) {
            // go-cty never merges set elements whose equality is unknown.
            let set = Value::Set(vec![Value::unknown(); n]);
            let ty = Type::Set(Box::new(Type::String));
            let decoded = from_msgpack(&to_msgpack(&set, &ty).unwrap(), &ty).unwrap();
            prop_assert_eq!(decoded.elements().map(<[Value]>::len), Some(n));
        }
    }
}
