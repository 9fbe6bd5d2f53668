//! Properties of the core rules over generated schemas and values.
//!
//! Generated schemas use every presence and nesting mode; configurations follow what
//! Terraform's decoder can produce (computed-only attributes null, group blocks present,
//! list/set/map blocks never null, unknowns anywhere a user expression could put them);
//! states are wholly known.

use std::collections::BTreeMap;

use proptest::collection::vec;
use proptest::prelude::*;
use terraform_provider_migration::protocol::cty::{Type, Value};
use terraform_provider_migration::protocol::schema::{
    Attribute, AttributeType, Block, NestedAttributes, NestedBlock, Nesting, Presence,
};

use super::values::set_of;
use super::{assert_object_compatible, assert_plan_valid, proposed_new};

fn arb_presence(optional_computed: bool) -> BoxedStrategy<Presence> {
    let mut choices = vec![
        Just(Presence::Required),
        Just(Presence::Optional),
        Just(Presence::Computed),
    ];
    if optional_computed {
        choices.push(Just(Presence::OptionalComputed));
    }
    proptest::strategy::Union::new(choices).boxed()
}

fn arb_plain_type() -> impl Strategy<Value = Type> {
    prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::list(Type::String)),
        Just(Type::set(Type::String)),
        Just(Type::map(Type::Number)),
    ]
}

fn arb_nesting(group: bool) -> BoxedStrategy<Nesting> {
    let mut choices = vec![
        Just(Nesting::Single),
        Just(Nesting::List),
        Just(Nesting::Set),
        Just(Nesting::Map),
    ];
    if group {
        choices.push(Just(Nesting::Group));
    }
    proptest::strategy::Union::new(choices).boxed()
}

/// Attributes named `a0`, `a1`, …; nested ones only while `depth` allows.
///
/// Optional+computed attributes are left out of nested sets: there two configured elements
/// that differ only in whether they set such an attribute can merge into one proposed element,
/// and core itself would then reject its own proposal (the set shrinks below the configured
/// count). That is a property of core, not something the provider could fix.
fn arb_attributes(depth: u32, optional_computed: bool) -> BoxedStrategy<Vec<Attribute>> {
    let attribute = move || {
        let plain = (arb_presence(optional_computed), arb_plain_type())
            .prop_map(|(presence, ty)| (presence, AttributeType::Plain(ty)))
            .boxed();
        if depth == 0 {
            return plain;
        }
        let nested = (arb_presence(optional_computed), arb_nesting(false))
            .prop_flat_map(move |(presence, nesting)| {
                let inner_optional_computed = optional_computed && nesting != Nesting::Set;
                arb_attributes(depth - 1, inner_optional_computed).prop_map(move |attributes| {
                    let nested = NestedAttributes {
                        nesting,
                        attributes,
                    };
                    (presence, AttributeType::Nested(nested))
                })
            })
            .boxed();
        prop_oneof![3 => plain, 1 => nested].boxed()
    };
    vec(attribute(), 1..4)
        .prop_map(|specs| {
            specs
                .into_iter()
                .enumerate()
                .map(|(i, (presence, ty))| {
                    let mut attribute = Attribute::optional(&format!("a{i}"), Type::Bool);
                    attribute.presence = presence;
                    attribute.ty = ty;
                    attribute
                })
                .collect()
        })
        .boxed()
}

/// A block with attributes `a…` and nested blocks `b…`.
fn arb_block(depth: u32) -> BoxedStrategy<Block> {
    let blocks = if depth == 0 {
        Just(Vec::new()).boxed()
    } else {
        vec((arb_nesting(true), arb_block(depth - 1)), 0..3).boxed()
    };
    (arb_attributes(depth, true), blocks)
        .prop_map(|(attributes, nested)| Block {
            attributes,
            blocks: nested
                .into_iter()
                .enumerate()
                .map(|(i, (nesting, block))| NestedBlock {
                    type_name: format!("b{i}"),
                    nesting,
                    block,
                    min_items: 0,
                    max_items: 0,
                })
                .collect(),
            ..Block::default()
        })
        .boxed()
}

/// Which kind of value to generate for a schema.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    /// What Terraform's decoder sends as `config`.
    Config,
    /// A stored state: wholly known.
    State,
}

fn arb_plain(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    let known = match ty {
        Type::String => "[a-c]{0,2}".prop_map(Value::String).boxed(),
        Type::Number => (0i64..4).prop_map(Value::number).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::List(et) => vec(arb_plain(et, unknowns), 0..3)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(et) => vec(arb_plain(et, unknowns), 0..3).prop_map(set_of).boxed(),
        Type::Map(et) => proptest::collection::btree_map("[xy]", arb_plain(et, unknowns), 0..3)
            .prop_map(Value::Map)
            .boxed(),
        Type::Object(types) => {
            let names: Vec<String> = types.keys().cloned().collect();
            let values: Vec<_> = types.values().map(|t| arb_plain(t, unknowns)).collect();
            values
                .prop_map(move |vs| Value::Object(names.iter().cloned().zip(vs).collect()))
                .boxed()
        }
        Type::Tuple(_) | Type::Dynamic => Just(Value::Null).boxed(),
    };
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::unknown()), 4 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 4 => known].boxed()
    }
}

/// A collection of `element`s in the given nesting, not null.
fn arb_collection(nesting: Nesting, element: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    match nesting {
        Nesting::Single | Nesting::Group => element,
        Nesting::List => vec(element, 0..3).prop_map(Value::List).boxed(),
        Nesting::Set => vec(element, 0..3).prop_map(set_of).boxed(),
        Nesting::Map => proptest::collection::btree_map("[xy]", element, 0..3)
            .prop_map(Value::Map)
            .boxed(),
    }
}

fn arb_object(
    attributes: &[Attribute],
    blocks: &[NestedBlock],
    side: Side,
) -> BoxedStrategy<Value> {
    let mut fields: Vec<(String, BoxedStrategy<Value>)> = attributes
        .iter()
        .map(|a| (a.name.clone(), arb_attribute_value(a, side)))
        .collect();
    for nested in blocks {
        let element = arb_object(&nested.block.attributes, &nested.block.blocks, side);
        let value = match nested.nesting {
            Nesting::Single => prop_oneof![Just(Value::Null), element].boxed(),
            Nesting::Group => element,
            nesting => {
                let collection = arb_collection(nesting, element);
                if side == Side::Config {
                    // A `dynamic` block whose for_each is not known yet.
                    prop_oneof![1 => Just(Value::unknown()), 5 => collection].boxed()
                } else {
                    collection
                }
            }
        };
        fields.push((nested.type_name.clone(), value));
    }
    let names: Vec<String> = fields.iter().map(|(n, _)| n.clone()).collect();
    let values: Vec<_> = fields.into_iter().map(|(_, s)| s).collect();
    values
        .prop_map(move |vs| {
            Value::Object(names.iter().cloned().zip(vs).collect::<BTreeMap<_, _>>())
        })
        .boxed()
}

fn arb_attribute_value(attribute: &Attribute, side: Side) -> BoxedStrategy<Value> {
    if side == Side::Config && attribute.presence == Presence::Computed {
        return Just(Value::Null).boxed();
    }
    let unknowns = side == Side::Config;
    match &attribute.ty {
        AttributeType::Plain(ty) => arb_plain(ty, unknowns),
        AttributeType::Nested(nested) => {
            let element = arb_object(&nested.attributes, &[], side);
            let element = if unknowns {
                prop_oneof![1 => Just(Value::unknown()), 5 => element].boxed()
            } else {
                element
            };
            let collection = arb_collection(nested.nesting, element);
            if unknowns {
                prop_oneof![1 => Just(Value::Null), 1 => Just(Value::unknown()), 4 => collection]
                    .boxed()
            } else {
                prop_oneof![1 => Just(Value::Null), 4 => collection].boxed()
            }
        }
    }
}

/// A schema with a prior state (or none) and a configuration for it.
fn arb_change() -> impl Strategy<Value = (Block, Value, Value)> {
    arb_block(2).prop_flat_map(|block| {
        let state = arb_object(&block.attributes, &block.blocks, Side::State);
        let config = arb_object(&block.attributes, &block.blocks, Side::Config);
        let prior = prop_oneof![1 => Just(Value::Null), 3 => state];
        (Just(block), prior, config)
    })
}

/// A schema and any value of its type, unknowns included (what a provider might plan).
fn arb_planned() -> impl Strategy<Value = (Block, Value)> {
    arb_block(2).prop_flat_map(|block| {
        let value = arb_plain(&block.implied_type(), true);
        (Just(block), value)
    })
}

/// Some known value of `ty`, to stand in for what an unknown turned out to be.
fn sample(ty: &Type) -> Value {
    match ty {
        Type::String => Value::string("filled"),
        Type::Number => Value::number(7),
        Type::Bool => Value::Bool(true),
        Type::List(et) => Value::List(vec![sample(et)]),
        Type::Set(et) => Value::Set(vec![sample(et)]),
        Type::Map(et) => Value::Map([("k".to_owned(), sample(et))].into_iter().collect()),
        Type::Object(types) => Value::Object(
            types
                .iter()
                .map(|(name, t)| (name.clone(), sample(t)))
                .collect(),
        ),
        Type::Tuple(types) => Value::Tuple(types.iter().map(sample).collect()),
        Type::Dynamic => Value::dynamic(Type::String, Value::string("filled")),
    }
}

/// `value` with every unknown replaced by a known value of its type.
fn fill_unknowns(value: &Value, ty: &Type) -> Value {
    match (value, ty) {
        (Value::Unknown(_), _) => sample(ty),
        (Value::List(items), Type::List(et)) => {
            Value::List(items.iter().map(|v| fill_unknowns(v, et)).collect())
        }
        (Value::Set(items), Type::Set(et)) => {
            set_of(items.iter().map(|v| fill_unknowns(v, et)).collect())
        }
        (Value::Map(entries), Type::Map(et)) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), fill_unknowns(v, et)))
                .collect(),
        ),
        (Value::Object(attributes), Type::Object(types)) => Value::Object(
            attributes
                .iter()
                .map(|(name, v)| {
                    let aty = types.get(name).unwrap_or(&Type::Dynamic);
                    (name.clone(), fill_unknowns(v, aty))
                })
                .collect(),
        ),
        _ => value.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_proposed_new_state_is_always_a_valid_plan((schema, prior, config) in arb_change()) {
        let proposed = proposed_new(&schema, &prior, &config);
        let problems = assert_plan_valid(&schema, &prior, &config, &proposed);
        prop_assert!(problems.is_empty(), "{problems:#?}\nproposed: {proposed:?}");
    }

    #[test]
    fn the_proposed_new_state_keeps_the_configured_values((schema, prior, config) in arb_change()) {
        let proposed = proposed_new(&schema, &prior, &config);
        for attribute in schema.attributes.iter().filter(|a| !a.is_computed()) {
            if let AttributeType::Plain(_) = attribute.ty {
                prop_assert_eq!(proposed.attr(&attribute.name), config.attr(&attribute.name));
            }
        }
    }

    #[test]
    fn a_value_is_compatible_with_itself((schema, value) in arb_planned()) {
        let problems = assert_object_compatible(&schema, &value, &value);
        prop_assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn resolving_unknowns_keeps_a_value_compatible((schema, planned) in arb_planned()) {
        let actual = fill_unknowns(&planned, &schema.implied_type());
        let problems = assert_object_compatible(&schema, &planned, &actual);
        prop_assert!(problems.is_empty(), "{problems:#?}\nactual: {actual:?}");
    }

    #[test]
    fn changing_a_known_attribute_is_always_reported(
        (schema, planned) in arb_planned(),
        pick in any::<prop::sample::Index>(),
    ) {
        // Change one known, non-null plain attribute at the top level, if there is one.
        let candidates: Vec<&Attribute> = schema
            .attributes
            .iter()
            .filter(|a| matches!(a.ty, AttributeType::Plain(_)))
            .filter(|a| planned.attr(&a.name).is_some_and(|v| !v.is_null() && v.is_wholly_known()))
            .collect();
        prop_assume!(!candidates.is_empty());
        let attribute = candidates[pick.index(candidates.len())];
        let mut actual = planned.clone();
        if let Value::Object(attributes) = &mut actual {
            attributes.insert(attribute.name.clone(), Value::Null);
        }
        let problems = assert_object_compatible(&schema, &planned, &actual);
        let expected_prefix = format!(".{}: was ", attribute.name);
        prop_assert!(
            problems.iter().any(|p| p.starts_with(&expected_prefix) && p.ends_with(", but now null")),
            "{problems:#?}"
        );
    }
}
