//! Core's check that a later value keeps every promise of a plan
//! (`objchange.AssertObjectCompatible`). Core runs it on the apply result ("Provider produced
//! inconsistent result after apply") and on the re-plan made at apply time against the plan
//! the user approved ("Provider produced inconsistent final plan").

use terraform_provider_migration::protocol::cty::{Refinements, Type, Value};
use terraform_provider_migration::protocol::schema::{Block, Nesting};

use super::Violation;
use super::render::{Step, go_quote, render_typed, with_attr, with_index};
use super::values::{
    MAX_LENGTH, actual_type, get_attr, items, length, physical_length, type_conforms,
};

/// Every way `actual` fails to complete `planned`, in core's wording (`.name: was
/// cty.StringVal("a"), but now cty.StringVal("b")`): each known planned value must come back
/// identical, an unknown may become any value its refinements allow. Empty when compatible.
pub fn assert_object_compatible(schema: &Block, planned: &Value, actual: &Value) -> Vec<String> {
    compatibility_violations(schema, planned, actual)
        .iter()
        .map(Violation::to_string)
        .collect()
}

/// [`assert_object_compatible`] with each problem's path kept apart.
pub fn compatibility_violations(schema: &Block, planned: &Value, actual: &Value) -> Vec<Violation> {
    object_problems(schema, planned, actual, &[])
}

fn object_problems(
    schema: &Block,
    planned: &Value,
    actual: &Value,
    path: &[Step],
) -> Vec<Violation> {
    let subject = if path.is_empty() { "Root object " } else { "" };
    if planned.is_null() && !actual.is_null() {
        return vec![Violation::at(
            path,
            format!("{subject}was absent, but now present"),
        )];
    }
    if actual.is_null() && !planned.is_null() {
        return vec![Violation::at(
            path,
            format!("{subject}was present, but now absent"),
        )];
    }
    if planned.is_null() {
        return Vec::new();
    }

    let mut found = Vec::new();
    let mut attributes: Vec<_> = schema.attributes.iter().collect();
    attributes.sort_by(|a, b| a.name.cmp(&b.name));
    for attribute in attributes {
        let name = &attribute.name;
        let attribute_path = with_attr(path, name);
        let problems = value_problems(
            &get_attr(planned, name),
            &get_attr(actual, name),
            &attribute.value_type(),
            &attribute_path,
        );
        if attribute.sensitive {
            // One vague message instead, so the values are not disclosed.
            if !problems.is_empty() {
                found.push(Violation::at(
                    &attribute_path,
                    "inconsistent values for sensitive attribute",
                ));
            }
        } else {
            found.extend(problems);
        }
    }

    let mut blocks: Vec<_> = schema.blocks.iter().collect();
    blocks.sort_by(|a, b| a.type_name.cmp(&b.type_name));
    for nested in blocks {
        let name = &nested.type_name;
        let planned_value = get_attr(planned, name);
        let actual_value = get_attr(actual, name);
        let block_path = with_attr(path, name);
        let block = &nested.block;
        let unusable = |v: &Value| v.is_unknown() || v.is_null();
        match nested.nesting {
            Nesting::Single | Nesting::Group => {
                // An unknown placeholder may have expanded into no block at all.
                if planned_value.is_unknown() && actual_value.is_null() {
                    continue;
                }
                found.extend(object_problems(
                    block,
                    &planned_value,
                    &actual_value,
                    &block_path,
                ));
            }
            Nesting::List => {
                if unusable(&planned_value) || unusable(&actual_value) {
                    continue;
                }
                let planned_count = physical_length(&planned_value);
                let actual_count = physical_length(&actual_value);
                if planned_count != actual_count {
                    found.push(Violation::at(
                        &block_path,
                        format!("block count changed from {planned_count} to {actual_count}"),
                    ));
                    continue;
                }
                let actual_elements = items(&actual_value);
                for (i, planned_element) in items(&planned_value).iter().enumerate() {
                    if let Some(actual_element) = actual_elements.get(i) {
                        found.extend(object_problems(
                            block,
                            planned_element,
                            actual_element,
                            &with_index(&block_path, Value::number(i as u64)),
                        ));
                    }
                }
            }
            Nesting::Map => {
                if unusable(&planned_value) || unusable(&actual_value) {
                    continue;
                }
                let planned_count = physical_length(&planned_value);
                let actual_count = physical_length(&actual_value);
                if planned_count != actual_count {
                    found.push(Violation::at(
                        &block_path,
                        format!("block count changed from {planned_count} to {actual_count}"),
                    ));
                    continue;
                }
                // Like core, with equal counts a key present on one side only goes unreported.
                let no_entries = Default::default();
                let actual_entries = actual_value.as_map().unwrap_or(&no_entries);
                for (key, planned_element) in planned_value.as_map().unwrap_or(&no_entries) {
                    if let Some(actual_element) = actual_entries.get(key) {
                        found.extend(object_problems(
                            block,
                            planned_element,
                            actual_element,
                            &with_index(&block_path, Value::string(key)),
                        ));
                    }
                }
            }
            Nesting::Set => {
                if unusable(&planned_value) || unusable(&actual_value) {
                    continue;
                }
                let element_type = block.implied_type();
                found.extend(set_problems(
                    &planned_value,
                    &actual_value,
                    &element_type,
                    &block_path,
                    &|p, a| object_problems(block, p, a, &with_index(&block_path, a.clone())),
                ));
                let planned_count = physical_length(&planned_value);
                let actual_count = physical_length(&actual_value);
                if planned_count < actual_count {
                    found.push(Violation::at(
                        &block_path,
                        format!("block set length changed from {planned_count} to {actual_count}"),
                    ));
                }
            }
        }
    }
    found
}

/// `assertValueCompatible`: a plain value (attribute values, nested attributes included)
/// against what was planned for it.
fn value_problems(planned: &Value, actual: &Value, ty: &Type, path: &[Step]) -> Vec<Violation> {
    let planned_type = actual_type(planned, ty);
    if planned_type == Type::Dynamic {
        return Vec::new();
    }
    let actual_value_type = actual_type(actual, ty);
    if !type_conforms(&actual_value_type, &planned_type) {
        return vec![Violation::at(
            path,
            format!("wrong final value type: {planned_type} required"),
        )];
    }
    let ty = &planned_type;
    let planned = unwrap_dynamic(planned);
    let actual = unwrap_dynamic(actual);
    let show = |value: &Value| render_typed(value, ty);

    if let Value::Unknown(refinements) = planned {
        if !could_become(refinements, actual, ty) {
            return vec![Violation::at(
                path,
                format!(
                    "final value {} does not conform to planning placeholder {}",
                    show(actual),
                    show(planned)
                ),
            )];
        }
        return Vec::new();
    }
    match (planned.is_null(), actual.is_null()) {
        (true, true) => return Vec::new(),
        (false, true) => {
            return vec![Violation::at(
                path,
                format!("was {}, but now null", show(planned)),
            )];
        }
        (true, false) => {
            return vec![Violation::at(
                path,
                format!("was null, but now {}", show(actual)),
            )];
        }
        (false, false) => {}
    }
    if actual.is_unknown() {
        return vec![Violation::at(path, "was known, but now unknown")];
    }

    let mut found = Vec::new();
    match (ty, planned, actual) {
        (Type::List(et), Value::List(ps), Value::List(xs)) => {
            sequence_problems(&mut found, ps, xs, |_| et, path);
        }
        (Type::Tuple(ts), Value::Tuple(ps), Value::Tuple(xs)) => {
            sequence_problems(&mut found, ps, xs, |i| &ts[i], path);
        }
        (Type::Map(et), Value::Map(ps), Value::Map(xs)) => {
            for (key, p) in ps {
                match xs.get(key) {
                    Some(x) => found.extend(value_problems(
                        p,
                        x,
                        et,
                        &with_index(path, Value::string(key)),
                    )),
                    None => found.push(Violation::at(
                        path,
                        format!("element {} has vanished", go_quote(key)),
                    )),
                }
            }
            for key in xs.keys().filter(|k| !ps.contains_key(*k)) {
                found.push(Violation::at(
                    path,
                    format!("new element {} has appeared", go_quote(key)),
                ));
            }
        }
        (Type::Object(types), _, _) => {
            for (name, aty) in types {
                found.extend(value_problems(
                    &get_attr(planned, name),
                    &get_attr(actual, name),
                    aty,
                    &with_attr(path, name),
                ));
            }
        }
        (Type::Set(et), Value::Set(_), Value::Set(_)) => {
            found.extend(set_problems(planned, actual, et, path, &|p, x| {
                value_problems(p, x, et, &with_index(path, x.clone()))
            }));
            let planned_count = physical_length(planned);
            let actual_count = physical_length(actual);
            if planned_count < actual_count {
                found.push(Violation::at(
                    path,
                    format!("length changed from {planned_count} to {actual_count}"),
                ));
            }
        }
        // Primitives, and anything whose shape does not match its type.
        _ => {
            if planned != actual {
                found.push(Violation::at(
                    path,
                    format!("was {}, but now {}", show(planned), show(actual)),
                ));
            }
        }
    }
    found
}

fn sequence_problems<'t>(
    found: &mut Vec<Violation>,
    planned: &[Value],
    actual: &[Value],
    element_type: impl Fn(usize) -> &'t Type,
    path: &[Step],
) {
    for (i, p) in planned.iter().enumerate() {
        match actual.get(i) {
            Some(x) => found.extend(value_problems(
                p,
                x,
                element_type(i),
                &with_index(path, Value::number(i as u64)),
            )),
            None => found.push(Violation::at(path, format!("element {i} has vanished"))),
        }
    }
    for i in planned.len()..actual.len() {
        found.push(Violation::at(path, format!("new element {i} has appeared")));
    }
}

fn unwrap_dynamic(value: &Value) -> &Value {
    match value {
        Value::Dynamic(_, inner) => inner,
        other => other,
    }
}

/// `assertSetValuesCompatible`: set elements have no identity, so every planned element must
/// correlate with some actual element and vice versa (counts may differ).
fn set_problems(
    planned: &Value,
    actual: &Value,
    element_type: &Type,
    path: &[Step],
    problems: &dyn Fn(&Value, &Value) -> Vec<Violation>,
) -> Vec<Violation> {
    let planned_elements = items(planned);
    let actual_elements = items(actual);
    let mut planned_matched = vec![false; planned_elements.len()];
    let mut actual_matched = vec![false; actual_elements.len()];
    for (pi, p) in planned_elements.iter().enumerate() {
        for (ai, a) in actual_elements.iter().enumerate() {
            if planned_matched[pi] && actual_matched[ai] {
                continue;
            }
            if problems(p, a).is_empty() {
                planned_matched[pi] = true;
                actual_matched[ai] = true;
            }
        }
    }
    let unmatched = |elements: &[Value], matched: &[bool], side: &str, other: &str| {
        elements
            .iter()
            .zip(matched)
            .filter(|(_, m)| !**m)
            .map(|(e, _)| {
                Violation::at(
                    path,
                    format!(
                        "{side} set element {} does not correlate with any element in {other}",
                        render_typed(e, element_type)
                    ),
                )
            })
            .collect::<Vec<_>>()
    };
    let found = unmatched(planned_elements, &planned_matched, "planned", "actual");
    if !found.is_empty() {
        return found;
    }
    unmatched(actual_elements, &actual_matched, "actual", "plan")
}

/// `ValueRange.Includes`: false only when the refinements rule `actual` out.
fn could_become(refinements: &Refinements, actual: &Value, ty: &Type) -> bool {
    if actual.is_null() {
        return !refinements.not_null;
    }
    match ty {
        Type::String => match (actual, refinements.string_prefix.as_deref()) {
            (Value::String(s), Some(prefix)) => s.starts_with(prefix),
            _ => true,
        },
        Type::Number => match actual {
            Value::Number(n) => {
                let above_lower =
                    refinements
                        .number_lower
                        .as_ref()
                        .is_none_or(
                            |(bound, inclusive)| if *inclusive { n >= bound } else { n > bound },
                        );
                let below_upper =
                    refinements
                        .number_upper
                        .as_ref()
                        .is_none_or(
                            |(bound, inclusive)| if *inclusive { n <= bound } else { n < bound },
                        );
                above_lower && below_upper
            }
            // An unknown number can only be ruled out by bounds that leave no overlap.
            Value::Unknown(own) => {
                let disjoint_below = matches!(
                    (&refinements.number_lower, &own.number_upper),
                    (Some((bound, _)), Some((high, _))) if high < bound
                );
                let disjoint_above = matches!(
                    (&refinements.number_upper, &own.number_lower),
                    (Some((bound, _)), Some((low, _))) if low > bound
                );
                !disjoint_below && !disjoint_above
            }
            _ => true,
        },
        Type::List(_) | Type::Set(_) | Type::Map(_) => {
            let (shortest, longest) = length(actual).bounds();
            let minimum = refinements.length_lower.unwrap_or(0);
            let maximum = refinements.length_upper.unwrap_or(MAX_LENGTH);
            longest >= minimum && shortest <= maximum
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use terraform_provider_migration::protocol::cty::Number;
    use terraform_provider_migration::protocol::schema::{Attribute, Presence};

    fn check(planned: &Value, actual: &Value) -> Vec<String> {
        assert_object_compatible(&hub_schema(), planned, actual)
    }

    fn planned_hub() -> Value {
        let mut planned = hub_config(&[("staging", "vpc-1")]);
        set_attr(&mut planned, "id", Value::unknown());
        set_map_entry_attr(
            &mut planned,
            "vpc_attachments",
            "staging",
            "attachment_id",
            Value::unknown(),
        );
        planned
    }

    #[test]
    fn unknowns_may_become_anything_and_known_values_must_stay() {
        let planned = planned_hub();
        let applied = hub_state(&[("staging", "vpc-1", "att-1")]);
        // The fixture's state says dns_support = true where the plan said null.
        assert_eq!(
            check(&planned, &applied),
            [".options.dns_support: was null, but now cty.True"]
        );
        let mut applied = applied;
        set_attr(
            &mut applied,
            "options",
            Value::object([("dns_support", Value::Null)]),
        );
        assert_eq!(check(&planned, &applied), Vec::<String>::new());
        set_map_entry_attr(
            &mut applied,
            "vpc_attachments",
            "staging",
            "vpc_id",
            Value::string("vpc-9"),
        );
        assert_eq!(
            check(&planned, &applied),
            [
                ".vpc_attachments[\"staging\"].vpc_id: was cty.StringVal(\"vpc-1\"), but now \
              cty.StringVal(\"vpc-9\")"
            ]
        );
    }

    #[test]
    fn known_values_must_not_become_unknown_or_null() {
        let planned = planned_hub();
        let mut actual = planned.clone();
        set_attr(&mut actual, "name", Value::unknown());
        set_attr(&mut actual, "route", Value::Set(vec![]));
        assert_eq!(
            check(&planned, &actual),
            [".name: was known, but now unknown"]
        );
        set_attr(&mut actual, "name", Value::Null);
        assert_eq!(
            check(&planned, &actual),
            [".name: was cty.StringVal(\"hub\"), but now null"]
        );
    }

    #[test]
    fn map_elements_may_not_vanish_or_appear() {
        let planned = planned_hub();
        let mut actual = planned.clone();
        set_attr(
            &mut actual,
            "vpc_attachments",
            Value::Map(
                [(
                    "prod".to_string(),
                    map_entry(&planned, "vpc_attachments", "staging"),
                )]
                .into_iter()
                .collect(),
            ),
        );
        assert_eq!(
            check(&planned, &actual),
            [
                ".vpc_attachments: element \"staging\" has vanished",
                ".vpc_attachments: new element \"prod\" has appeared",
            ]
        );
    }

    #[test]
    fn root_presence_is_named() {
        let planned = planned_hub();
        assert_eq!(
            check(&planned, &Value::Null),
            ["Root object was present, but now absent"]
        );
        assert_eq!(
            check(&Value::Null, &planned),
            ["Root object was absent, but now present"]
        );
        assert_eq!(check(&Value::Null, &Value::Null), Vec::<String>::new());
    }

    #[test]
    fn list_and_single_blocks_are_compared_inside() {
        let mut planned = planned_hub();
        set_attr(
            &mut planned,
            "rule",
            Value::List(vec![rule("10.0.0.0/8", Value::unknown())]),
        );
        set_attr(
            &mut planned,
            "timeouts",
            Value::object([("create", Value::string("5m"))]),
        );
        let mut actual = planned.clone();
        set_attr(
            &mut actual,
            "rule",
            Value::List(vec![rule("10.0.0.0/8", Value::string("r-1"))]),
        );
        assert_eq!(check(&planned, &actual), Vec::<String>::new());
        set_attr(
            &mut actual,
            "rule",
            Value::List(vec![
                rule("10.0.0.0/8", Value::string("r-1")),
                rule("10.1.0.0/16", Value::string("r-2")),
            ]),
        );
        set_attr(&mut actual, "timeouts", Value::Null);
        assert_eq!(
            check(&planned, &actual),
            [
                ".rule: block count changed from 1 to 2",
                ".timeouts: was present, but now absent",
            ]
        );
    }

    #[test]
    fn set_blocks_correlate_elements() {
        let mut planned = planned_hub();
        set_attr(
            &mut planned,
            "route",
            Value::Set(vec![
                route("10.0.0.0/8", Value::unknown()),
                route("10.1.0.0/16", Value::unknown()),
            ]),
        );
        let mut actual = planned.clone();
        set_attr(
            &mut actual,
            "route",
            Value::Set(vec![
                route("10.1.0.0/16", Value::string("b")),
                route("10.0.0.0/8", Value::string("a")),
            ]),
        );
        assert_eq!(check(&planned, &actual), Vec::<String>::new());
        set_attr(
            &mut actual,
            "route",
            Value::Set(vec![
                route("10.0.0.0/8", Value::string("a")),
                route("10.2.0.0/16", Value::string("c")),
            ]),
        );
        assert_eq!(
            check(&planned, &actual),
            [
                ".route: planned set element cty.ObjectVal(map[string]cty.Value{\
              \"cidr\":cty.StringVal(\"10.1.0.0/16\"), \"route_id\":cty.UnknownVal(cty.String)}) \
              does not correlate with any element in actual"
            ]
        );
        set_attr(
            &mut actual,
            "route",
            Value::Set(vec![
                route("10.0.0.0/8", Value::string("a")),
                route("10.1.0.0/16", Value::string("b")),
                route("10.1.0.0/16", Value::string("c")),
            ]),
        );
        assert_eq!(
            check(&planned, &actual),
            [".route: block set length changed from 2 to 3"]
        );
    }

    #[test]
    fn plain_sets_and_lists() {
        let schema = Block {
            attributes: vec![
                Attribute::optional_computed("ids", Type::set(Type::String)),
                Attribute::optional_computed("order", Type::list(Type::Number)),
            ],
            ..Block::default()
        };
        let planned = Value::object([
            (
                "ids",
                Value::Set(vec![Value::string("a"), Value::unknown()]),
            ),
            (
                "order",
                Value::List(vec![Value::number(1), Value::number(2)]),
            ),
        ]);
        let actual = Value::object([
            (
                "ids",
                Value::Set(vec![Value::string("a"), Value::string("b")]),
            ),
            ("order", Value::List(vec![Value::number(1)])),
        ]);
        assert_eq!(
            assert_object_compatible(&schema, &planned, &actual),
            [".order: element 1 has vanished"]
        );
        let grown = Value::object([
            (
                "ids",
                Value::Set(vec![
                    Value::string("a"),
                    Value::string("b"),
                    Value::string("c"),
                ]),
            ),
            (
                "order",
                Value::List(vec![Value::number(1), Value::number(3)]),
            ),
        ]);
        assert_eq!(
            assert_object_compatible(&schema, &planned, &grown),
            [
                ".ids: length changed from 2 to 3",
                ".order[1]: was cty.NumberIntVal(2), but now cty.NumberIntVal(3)",
            ]
        );
    }

    #[test]
    fn refinements_limit_what_an_unknown_may_become() {
        let schema = Block {
            attributes: vec![
                Attribute::computed("arn", Type::String),
                Attribute::computed("port", Type::Number),
                Attribute::computed("zones", Type::list(Type::String)),
            ],
            ..Block::default()
        };
        let planned = Value::object([
            (
                "arn",
                Value::Unknown(Refinements {
                    not_null: true,
                    string_prefix: Some("arn:".into()),
                    ..Refinements::default()
                }),
            ),
            (
                "port",
                Value::Unknown(Refinements {
                    number_lower: Some((Number::from(1), true)),
                    number_upper: Some((Number::from(100), false)),
                    ..Refinements::default()
                }),
            ),
            (
                "zones",
                Value::Unknown(Refinements {
                    length_lower: Some(1),
                    ..Refinements::default()
                }),
            ),
        ]);
        let good = Value::object([
            ("arn", Value::string("arn:aws:x")),
            ("port", Value::number(1)),
            ("zones", Value::List(vec![Value::string("a")])),
        ]);
        assert!(assert_object_compatible(&schema, &planned, &good).is_empty());
        let bad = Value::object([
            ("arn", Value::string("tgw-1")),
            ("port", Value::number(100)),
            ("zones", Value::List(vec![])),
        ]);
        assert_eq!(
            assert_object_compatible(&schema, &planned, &bad),
            [
                ".arn: final value cty.StringVal(\"tgw-1\") does not conform to planning \
                 placeholder cty.UnknownVal(cty.String).Refine().NotNull()\
                 .StringPrefixFull(\"arn:\").NewValue()",
                ".port: final value cty.NumberIntVal(100) does not conform to planning \
                 placeholder cty.UnknownVal(cty.Number).Refine().NumberLowerBound(\
                 cty.NumberIntVal(1), true).NumberUpperBound(cty.NumberIntVal(100), false)\
                 .NewValue()",
                ".zones: final value cty.ListValEmpty(cty.String) does not conform to planning \
                 placeholder cty.UnknownVal(cty.List(cty.String)).Refine()\
                 .CollectionLengthLowerBound(1).NewValue()",
            ]
        );
        let null_arn = Value::object([("arn", Value::Null)]);
        assert_eq!(
            assert_object_compatible(&schema, &planned, &null_arn)[0],
            ".arn: final value cty.NullVal(cty.String) does not conform to planning \
             placeholder cty.UnknownVal(cty.String).Refine().NotNull()\
             .StringPrefixFull(\"arn:\").NewValue()"
        );
    }

    #[test]
    fn sensitive_attributes_hide_their_values() {
        let planned = planned_hub();
        let mut actual = planned.clone();
        set_attr(&mut actual, "token", Value::string("leaked"));
        assert_eq!(
            check(&planned, &actual),
            [".token: inconsistent values for sensitive attribute"]
        );
    }

    #[test]
    fn nested_attribute_values_compare_as_plain_values() {
        let schema = Block {
            attributes: vec![Attribute::nested(
                "peers",
                Nesting::List,
                Presence::Optional,
                vec![Attribute::computed("state", Type::String)],
            )],
            ..Block::default()
        };
        let planned = Value::object([(
            "peers",
            Value::List(vec![Value::object([("state", Value::string("up"))])]),
        )]);
        let actual = Value::object([(
            "peers",
            Value::List(vec![Value::object([("state", Value::string("down"))])]),
        )]);
        assert_eq!(
            assert_object_compatible(&schema, &planned, &actual),
            [".peers[0].state: was cty.StringVal(\"up\"), but now cty.StringVal(\"down\")"]
        );
    }

    #[test]
    fn dynamic_values_keep_their_type() {
        let schema = Block {
            attributes: vec![Attribute::optional("extra", Type::Dynamic)],
            ..Block::default()
        };
        let planned = Value::object([("extra", Value::dynamic(Type::String, Value::string("a")))]);
        let changed_type =
            Value::object([("extra", Value::dynamic(Type::Number, Value::number(1)))]);
        assert_eq!(
            assert_object_compatible(&schema, &planned, &changed_type),
            [".extra: wrong final value type: string required"]
        );
        let unknown_planned = Value::object([("extra", Value::unknown())]);
        assert!(assert_object_compatible(&schema, &unknown_planned, &changed_type).is_empty());
    }
}
