//! Core's check of a provider's plan (`objchange.AssertPlanValid`), reported to the user as
//! "Provider produced invalid plan". A provider may only change what the configuration leaves
//! open: computed attributes the configuration does not set, or a configured value it keeps
//! at its prior (equivalent) value.

use terraform_provider_migration::protocol::cty::Value;
use terraform_provider_migration::protocol::schema::{
    Attribute, AttributeType, Block, NestedAttributes, Nesting,
};

use super::Violation;
use super::nesting::is_computed_only;
use super::render::{Step, go_quote, render_typed, with_attr, with_index};
use super::values::{Length, get_attr, items, length, physical_length, raw_equal};

/// Every way `planned` (the provider's `planned_state`) breaks core's plan rules for a change
/// from `prior` to `config`, in core's wording (`.name: planned value cty.StringVal("x")
/// does not match config value cty.StringVal("y")`). Empty when core would accept the plan.
pub fn assert_plan_valid(
    schema: &Block,
    prior: &Value,
    config: &Value,
    planned: &Value,
) -> Vec<String> {
    plan_violations(schema, prior, config, planned)
        .iter()
        .map(Violation::to_string)
        .collect()
}

/// [`assert_plan_valid`] with each problem's path kept apart, so a caller can prefix it with
/// the resource address the way core does.
pub fn plan_violations(
    schema: &Block,
    prior: &Value,
    config: &Value,
    planned: &Value,
) -> Vec<Violation> {
    let mut found = Vec::new();
    check_block(&mut found, schema, prior, config, planned, &[]);
    found
}

fn check_block(
    found: &mut Vec<Violation>,
    schema: &Block,
    prior: &Value,
    config: &Value,
    planned: &Value,
    path: &[Step],
) {
    if let Some(message) = presence_problem(config, planned) {
        found.push(Violation::at(path, message));
        return;
    }
    if planned.is_null() {
        return;
    }
    check_attributes(found, &schema.attributes, prior, config, planned, path);

    let mut blocks: Vec<_> = schema.blocks.iter().collect();
    blocks.sort_by(|a, b| a.type_name.cmp(&b.type_name));
    for nested in blocks {
        let name = &nested.type_name;
        let path = with_attr(path, name);
        let planned_value = get_attr(planned, name);
        let config_value = get_attr(config, name);
        let prior_value = get_attr(prior, name);

        if nested.nesting != Nesting::Single && planned_value.is_null() {
            let mode = match nested.nesting {
                Nesting::List => "list",
                Nesting::Map => "map",
                Nesting::Set => "set",
                _ => "group",
            };
            found.push(Violation::at(
                &path,
                format!(
                    "attribute representing a {mode} of nested blocks must be empty to \
                     indicate no blocks, not null"
                ),
            ));
            continue;
        }
        if raw_equal(&planned_value, &config_value, true) {
            continue;
        }
        if config_value.is_unknown() {
            let shown = render_typed(&planned_value, &nested.value_type());
            found.push(Violation::at(
                &path,
                format!("planned value {shown} for unknown dynamic block"),
            ));
            continue;
        }
        if planned_value.is_unknown() {
            found.push(Violation::at(
                &path,
                "planned unknown value for non-computed block",
            ));
            continue;
        }

        let block = &nested.block;
        match nested.nesting {
            Nesting::Single | Nesting::Group => {
                check_block(
                    found,
                    block,
                    &prior_value,
                    &config_value,
                    &planned_value,
                    &path,
                );
            }
            Nesting::List => {
                let planned_count = physical_length(&planned_value);
                let config_count = physical_length(&config_value);
                if planned_count != config_count {
                    found.push(Violation::at(
                        &path,
                        format!(
                            "block count in plan ({planned_count}) disagrees with count in \
                             config ({config_count})"
                        ),
                    ));
                    continue;
                }
                let configured = items(&config_value);
                for (i, planned_element) in items(&planned_value).iter().enumerate() {
                    let element_path = with_index(&path, Value::number(i as u64));
                    if planned_element.is_unknown() {
                        found.push(unknown_block_element(&element_path));
                        continue;
                    }
                    let Some(config_element) = configured.get(i) else {
                        continue;
                    };
                    let prior_element = items(&prior_value).get(i).cloned();
                    let prior_element = prior_element.unwrap_or(Value::Null);
                    check_block(
                        found,
                        block,
                        &prior_element,
                        config_element,
                        planned_element,
                        &element_path,
                    );
                }
            }
            Nesting::Map => {
                let planned_count = physical_length(&planned_value);
                let config_count = physical_length(&config_value);
                if planned_count != config_count {
                    found.push(Violation::at(
                        &path,
                        format!(
                            "block count in plan ({planned_count}) disagrees with count in \
                             config ({config_count})"
                        ),
                    ));
                    continue;
                }
                let no_entries = Default::default();
                let planned_entries = planned_value.as_map().unwrap_or(&no_entries);
                let config_entries = config_value.as_map().unwrap_or(&no_entries);
                let prior_entries = prior_value.as_map().unwrap_or(&no_entries);
                for (key, planned_element) in planned_entries {
                    let element_path = with_index(&path, Value::string(key));
                    if planned_element.is_unknown() {
                        found.push(unknown_block_element(&element_path));
                        continue;
                    }
                    let Some(config_element) = config_entries.get(key) else {
                        found.push(Violation::at(
                            &element_path,
                            format!(
                                "block key {} from plan is not present in config",
                                go_quote(key)
                            ),
                        ));
                        continue;
                    };
                    let prior_element = prior_entries.get(key).cloned().unwrap_or(Value::Null);
                    check_block(
                        found,
                        block,
                        &prior_element,
                        config_element,
                        planned_element,
                        &element_path,
                    );
                }
                for key in config_entries.keys() {
                    if !planned_entries.contains_key(key) {
                        found.push(Violation::at(
                            &path,
                            format!(
                                "block key {} from config is not present in plan",
                                go_quote(key)
                            ),
                        ));
                    }
                }
            }
            // Set elements have no identity to correlate them by, so core trusts the provider
            // with everything but unknown elements.
            Nesting::Set => {
                for planned_element in items(&planned_value) {
                    if planned_element.is_unknown() {
                        let element_path = with_index(&path, planned_element.clone());
                        found.push(unknown_block_element(&element_path));
                    }
                }
            }
        }
    }
}

fn unknown_block_element(path: &[Step]) -> Violation {
    Violation::at(
        path,
        "element representing nested block must not be unknown itself; set nested attribute \
         values to unknown instead",
    )
}

/// Planned null exactly when the configuration is null.
fn presence_problem(config: &Value, planned: &Value) -> Option<&'static str> {
    if planned.is_null() && !config.is_null() {
        Some("planned for absence but config wants existence")
    } else if config.is_null() && !planned.is_null() {
        Some("planned for existence but config wants absence")
    } else {
        None
    }
}

fn check_attributes(
    found: &mut Vec<Violation>,
    attributes: &[Attribute],
    prior: &Value,
    config: &Value,
    planned: &Value,
    path: &[Step],
) {
    let mut sorted: Vec<_> = attributes.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for attribute in sorted {
        let name = &attribute.name;
        check_value(
            found,
            attribute,
            &get_attr(prior, name),
            &get_attr(config, name),
            &get_attr(planned, name),
            &with_attr(path, name),
        );
    }
}

fn check_value(
    found: &mut Vec<Violation>,
    attribute: &Attribute,
    prior: &Value,
    config: &Value,
    planned: &Value,
    path: &[Step],
) {
    if raw_equal(planned, config, false) {
        return;
    }
    // Keeping the prior value signals that the configured value means the same thing.
    if raw_equal(planned, prior, false) && !prior.is_null() && !config.is_null() {
        return;
    }
    if attribute.write_only {
        if !planned.is_null() {
            found.push(Violation::at(
                path,
                "planned value for write-only attribute is not null",
            ));
        }
        return;
    }
    if is_computed_only(attribute) || (config.is_null() && attribute.is_computed()) {
        return;
    }
    let ty = attribute.value_type();
    let show = |value: &Value| render_typed(value, &ty);
    if config.is_null() && !planned.is_null() {
        let message = if attribute.sensitive {
            "sensitive planned value for a non-computed attribute".to_owned()
        } else {
            format!(
                "planned value {} for a non-computed attribute",
                show(planned)
            )
        };
        found.push(Violation::at(path, message));
        return;
    }
    if let AttributeType::Nested(nested) = &attribute.ty {
        check_nested_object(found, nested, prior, config, planned, path);
        return;
    }
    let message = match (prior.is_null(), attribute.sensitive) {
        (true, true) => "sensitive planned value does not match config value".to_owned(),
        (true, false) => format!(
            "planned value {} does not match config value {}",
            show(planned),
            show(config)
        ),
        (false, true) => {
            "sensitive planned value does not match config value nor prior value".to_owned()
        }
        (false, false) => format!(
            "planned value {} does not match config value {} nor prior value {}",
            show(planned),
            show(config),
            show(prior)
        ),
    };
    found.push(Violation::at(path, message));
}

fn count_mismatch(path: &[Step], planned: Length, config: Length) -> Violation {
    Violation::at(
        path,
        format!(
            "count in plan ({}) disagrees with count in config ({})",
            planned.render(),
            config.render()
        ),
    )
}

fn check_nested_object(
    found: &mut Vec<Violation>,
    nested: &NestedAttributes,
    prior: &Value,
    config: &Value,
    planned: &Value,
    path: &[Step],
) {
    if let Some(message) = presence_problem(config, planned) {
        found.push(Violation::at(path, message));
        return;
    }
    if !config.is_null() && planned.is_unknown() {
        found.push(Violation::at(path, "planned unknown for configured value"));
        return;
    }
    if planned.is_null() {
        return;
    }
    let attributes = &nested.attributes;
    let planned_length = length(planned);
    let config_length = length(config);
    match nested.nesting {
        Nesting::Single | Nesting::Group => {
            check_attributes(found, attributes, prior, config, planned, path);
        }
        Nesting::List => {
            if !matches!(planned_length, Length::Known(_))
                && !matches!(config_length, Length::Known(_))
            {
                return;
            }
            if !matches!(planned_length, Length::Known(_)) || planned_length != config_length {
                found.push(count_mismatch(path, planned_length, config_length));
                return;
            }
            let configured = items(config);
            for (i, planned_element) in items(planned).iter().enumerate() {
                let Some(config_element) = configured.get(i) else {
                    continue;
                };
                let prior_element = items(prior).get(i).cloned().unwrap_or(Value::Null);
                check_attributes(
                    found,
                    attributes,
                    &prior_element,
                    config_element,
                    planned_element,
                    &with_index(path, Value::number(i as u64)),
                );
            }
        }
        Nesting::Map => {
            if !matches!(planned_length, Length::Known(_))
                && !matches!(config_length, Length::Known(_))
            {
                return;
            }
            if !matches!(planned_length, Length::Known(_)) || planned_length != config_length {
                found.push(count_mismatch(path, planned_length, config_length));
                return;
            }
            let no_entries = Default::default();
            let planned_entries = planned.as_map().unwrap_or(&no_entries);
            let config_entries = config.as_map().unwrap_or(&no_entries);
            let prior_entries = prior.as_map().unwrap_or(&no_entries);
            for (key, planned_element) in planned_entries {
                let Some(config_element) = config_entries.get(key) else {
                    found.push(Violation::at(
                        path,
                        format!(
                            "map key {} from plan is not present in config",
                            go_quote(key)
                        ),
                    ));
                    continue;
                };
                // Core addresses nested map elements as attributes here: `.attachments.key`.
                let prior_element = prior_entries.get(key).cloned().unwrap_or(Value::Null);
                check_attributes(
                    found,
                    attributes,
                    &prior_element,
                    config_element,
                    planned_element,
                    &with_attr(path, key),
                );
            }
            for key in config_entries.keys() {
                if !planned_entries.contains_key(key) {
                    found.push(Violation::at(
                        path,
                        format!(
                            "map key {} from config is not present in plan",
                            go_quote(key)
                        ),
                    ));
                }
            }
        }
        // Only the size is checked: a set with unknowns may still shrink, so the plan's
        // possible sizes just have to include the configuration's.
        Nesting::Set => {
            let (planned_min, planned_max) = planned_length.bounds();
            let (config_min, config_max) = config_length.bounds();
            if config_max < planned_min || config_min > planned_max {
                found.push(count_mismatch(path, planned_length, config_length));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use terraform_provider_migration::protocol::cty::{Refinements, Type};
    use terraform_provider_migration::protocol::schema::Presence;

    fn check(prior: &Value, config: &Value, planned: &Value) -> Vec<String> {
        assert_plan_valid(&hub_schema(), prior, config, planned)
    }

    fn planned_create(attachments: &[(&str, &str)]) -> Value {
        let mut planned = hub_config(attachments);
        set_attr(&mut planned, "id", Value::unknown());
        set_attr(&mut planned, "amazon_side_asn", Value::unknown());
        for (key, _) in attachments {
            set_map_entry_attr(
                &mut planned,
                "vpc_attachments",
                key,
                "attachment_id",
                Value::unknown(),
            );
        }
        planned
    }

    #[test]
    fn a_faithful_create_plan_is_valid() {
        let config = hub_config(&[("staging", "vpc-1")]);
        let planned = planned_create(&[("staging", "vpc-1")]);
        assert_eq!(check(&Value::Null, &config, &planned), Vec::<String>::new());
    }

    #[test]
    fn changing_a_configured_attribute_is_reported_in_core_wording() {
        let config = hub_config(&[("staging", "vpc-1")]);
        let mut planned = planned_create(&[("staging", "vpc-1")]);
        set_attr(&mut planned, "name", Value::string("other"));
        assert_eq!(
            check(&Value::Null, &config, &planned),
            [
                ".name: planned value cty.StringVal(\"other\") does not match config value \
              cty.StringVal(\"hub\")"
            ]
        );
    }

    #[test]
    fn nested_map_elements_are_addressed_like_core() {
        let prior = hub_state(&[("staging", "vpc-1", "att-1")]);
        let config = hub_config(&[("staging", "vpc-2")]);
        let mut planned = config.clone();
        set_attr(&mut planned, "id", Value::string("hub-123"));
        set_map_entry_attr(
            &mut planned,
            "vpc_attachments",
            "staging",
            "vpc_id",
            Value::string("vpc-3"),
        );
        assert_eq!(
            check(&prior, &config, &planned),
            [
                ".vpc_attachments.staging.vpc_id: planned value cty.StringVal(\"vpc-3\") does \
              not match config value cty.StringVal(\"vpc-2\") nor prior value \
              cty.StringVal(\"vpc-1\")"
            ]
        );
    }

    #[test]
    fn keeping_the_prior_value_of_a_configured_attribute_is_allowed() {
        let prior = hub_state(&[("staging", "vpc-1", "att-1")]);
        let config = hub_config(&[("staging", "VPC-1")]);
        let mut planned = config.clone();
        set_attr(&mut planned, "id", Value::string("hub-123"));
        set_map_entry_attr(
            &mut planned,
            "vpc_attachments",
            "staging",
            "vpc_id",
            Value::string("vpc-1"),
        );
        set_map_entry_attr(
            &mut planned,
            "vpc_attachments",
            "staging",
            "attachment_id",
            Value::string("att-1"),
        );
        assert_eq!(check(&prior, &config, &planned), Vec::<String>::new());
    }

    #[test]
    fn map_keys_must_match_config() {
        let config = hub_config(&[("staging", "vpc-1")]);
        let planned = planned_create(&[("prod", "vpc-1")]);
        assert_eq!(
            check(&Value::Null, &config, &planned),
            [
                ".vpc_attachments: map key \"prod\" from plan is not present in config",
                ".vpc_attachments: map key \"staging\" from config is not present in plan",
            ]
        );
        let planned = planned_create(&[("staging", "vpc-1"), ("prod", "vpc-1")]);
        assert_eq!(
            check(&Value::Null, &config, &planned),
            [
                ".vpc_attachments: count in plan (cty.NumberIntVal(2)) disagrees with count in \
              config (cty.NumberIntVal(1))"
            ]
        );
    }

    #[test]
    fn non_computed_attributes_must_follow_config() {
        let config = hub_config(&[]);
        let mut planned = planned_create(&[]);
        set_attr(&mut planned, "description", Value::string("invented"));
        set_attr(&mut planned, "token", Value::string("secret"));
        assert_eq!(
            check(&Value::Null, &config, &planned),
            [
                ".description: planned value cty.StringVal(\"invented\") for a non-computed \
                 attribute",
                ".token: sensitive planned value for a non-computed attribute",
            ]
        );
    }

    #[test]
    fn unknown_is_only_for_computed_or_unknown_config() {
        let mut config = hub_config(&[]);
        set_attr(&mut config, "description", Value::string("d"));
        let mut planned = planned_create(&[]);
        set_attr(&mut planned, "description", Value::unknown());
        assert_eq!(
            check(&Value::Null, &config, &planned),
            [
                ".description: planned value cty.UnknownVal(cty.String) does not match config \
              value cty.StringVal(\"d\")"
            ]
        );
        set_attr(&mut config, "description", Value::unknown());
        assert_eq!(check(&Value::Null, &config, &planned), Vec::<String>::new());
        // A refined unknown in config may be planned as a plain unknown.
        let refined = Value::Unknown(Refinements {
            not_null: true,
            ..Refinements::default()
        });
        set_attr(&mut config, "description", refined);
        assert_eq!(check(&Value::Null, &config, &planned), Vec::<String>::new());
    }

    #[test]
    fn computed_nested_attribute_in_a_map_may_be_anything() {
        let prior = hub_state(&[("staging", "vpc-1", "att-1")]);
        let config = hub_config(&[("staging", "vpc-1")]);
        let mut planned = config.clone();
        set_attr(&mut planned, "id", Value::string("hub-123"));
        set_map_entry_attr(
            &mut planned,
            "vpc_attachments",
            "staging",
            "attachment_id",
            Value::string("att-2"),
        );
        assert_eq!(check(&prior, &config, &planned), Vec::<String>::new());
    }

    #[test]
    fn plan_and_config_presence_must_agree() {
        let config = hub_config(&[]);
        assert_eq!(
            check(&Value::Null, &config, &Value::Null),
            ["planned for absence but config wants existence"]
        );
        assert_eq!(
            check(&Value::Null, &Value::Null, &config),
            ["planned for existence but config wants absence"]
        );
        assert_eq!(
            check(&Value::Null, &Value::Null, &Value::Null),
            Vec::<String>::new()
        );
    }

    #[test]
    fn list_blocks_keep_their_count_and_are_never_null() {
        let mut config = hub_config(&[]);
        set_attr(
            &mut config,
            "rule",
            Value::List(vec![rule("10.0.0.0/8", Value::Null)]),
        );
        let mut planned = planned_create(&[]);
        set_attr(&mut planned, "rule", Value::List(vec![]));
        set_attr(&mut planned, "route", Value::Null);
        assert_eq!(
            check(&Value::Null, &config, &planned),
            [
                ".route: attribute representing a set of nested blocks must be empty to \
                 indicate no blocks, not null",
                ".rule: block count in plan (0) disagrees with count in config (1)",
            ]
        );
        set_attr(&mut planned, "route", Value::Set(vec![]));
        set_attr(
            &mut planned,
            "rule",
            Value::List(vec![rule("10.9.0.0/16", Value::unknown())]),
        );
        assert_eq!(
            check(&Value::Null, &config, &planned),
            [
                ".rule[0].cidr: planned value cty.StringVal(\"10.9.0.0/16\") does not match \
              config value cty.StringVal(\"10.0.0.0/8\")"
            ]
        );
        set_attr(&mut planned, "rule", Value::List(vec![Value::unknown()]));
        assert_eq!(
            check(&Value::Null, &config, &planned),
            [
                ".rule[0]: element representing nested block must not be unknown itself; set \
              nested attribute values to unknown instead"
            ]
        );
    }

    #[test]
    fn single_and_group_blocks_are_checked_inside() {
        let mut config = hub_config(&[]);
        set_attr(
            &mut config,
            "timeouts",
            Value::object([("create", Value::string("10m"))]),
        );
        let mut planned = planned_create(&[]);
        assert_eq!(
            check(&Value::Null, &config, &planned),
            [".timeouts: planned for absence but config wants existence"]
        );
        set_attr(
            &mut planned,
            "timeouts",
            Value::object([("create", Value::string("20m"))]),
        );
        set_attr(&mut planned, "options", Value::Null);
        assert_eq!(
            check(&Value::Null, &config, &planned),
            [
                ".options: attribute representing a group of nested blocks must be empty to \
                 indicate no blocks, not null",
                ".timeouts.create: planned value cty.StringVal(\"20m\") does not match config \
                 value cty.StringVal(\"10m\")",
            ]
        );
        set_attr(
            &mut planned,
            "options",
            Value::object([("dns_support", Value::Bool(false))]),
        );
        set_attr(
            &mut planned,
            "timeouts",
            config.attr("timeouts").unwrap().clone(),
        );
        assert_eq!(check(&Value::Null, &config, &planned), Vec::<String>::new());
    }

    #[test]
    fn set_blocks_only_forbid_unknown_elements() {
        let mut config = hub_config(&[]);
        set_attr(
            &mut config,
            "route",
            Value::Set(vec![route("10.0.0.0/8", Value::Null)]),
        );
        let mut planned = planned_create(&[]);
        set_attr(
            &mut planned,
            "route",
            Value::Set(vec![
                route("10.0.0.0/8", Value::unknown()),
                route("10.1.0.0/16", Value::unknown()),
            ]),
        );
        assert_eq!(check(&Value::Null, &config, &planned), Vec::<String>::new());
        set_attr(&mut planned, "route", Value::Set(vec![Value::unknown()]));
        assert_eq!(
            check(&Value::Null, &config, &planned),
            [
                ".route[(not yet known)]: element representing nested block must not be unknown \
              itself; set nested attribute values to unknown instead"
            ]
        );
    }

    #[test]
    fn unknown_dynamic_blocks_cannot_be_planned() {
        let mut config = hub_config(&[]);
        set_attr(&mut config, "rule", Value::unknown());
        let mut planned = planned_create(&[]);
        set_attr(&mut planned, "rule", Value::List(vec![]));
        assert_eq!(
            check(&Value::Null, &config, &planned),
            [
                ".rule: planned value cty.ListValEmpty(cty.Object(map[string]cty.Type{\
              \"cidr\":cty.String, \"rule_id\":cty.String})) for unknown dynamic block"
            ]
        );
        set_attr(&mut planned, "rule", Value::unknown());
        assert_eq!(check(&Value::Null, &config, &planned), Vec::<String>::new());
    }

    fn set_schema() -> Block {
        Block {
            attributes: vec![Attribute::nested(
                "peers",
                Nesting::Set,
                Presence::Optional,
                vec![
                    Attribute::required("cidr", Type::String),
                    Attribute::computed("state", Type::String),
                ],
            )],
            ..Block::default()
        }
    }

    fn peer(cidr: &str, state: Value) -> Value {
        Value::object([("cidr", Value::string(cidr)), ("state", state)])
    }

    #[test]
    fn nested_sets_need_a_compatible_length() {
        let config = Value::object([(
            "peers",
            Value::Set(vec![peer("a", Value::Null), peer("b", Value::Null)]),
        )]);
        let two_unknown = Value::object([(
            "peers",
            Value::Set(vec![
                peer("a", Value::unknown()),
                peer("b", Value::unknown()),
            ]),
        )]);
        let schema = set_schema();
        assert!(assert_plan_valid(&schema, &Value::Null, &config, &two_unknown).is_empty());
        let one = Value::object([("peers", Value::Set(vec![peer("a", Value::unknown())]))]);
        assert_eq!(
            assert_plan_valid(&schema, &Value::Null, &config, &one),
            [
                ".peers: count in plan (cty.NumberIntVal(1)) disagrees with count in config \
              (cty.NumberIntVal(2))"
            ]
        );
        let single_config = Value::object([("peers", Value::Set(vec![peer("a", Value::Null)]))]);
        let three_unknown = Value::object([(
            "peers",
            Value::Set(vec![Value::unknown(), Value::unknown(), Value::unknown()]),
        )]);
        // Three unknowns may collapse into one, so a one-element config is compatible.
        assert!(
            assert_plan_valid(&schema, &Value::Null, &single_config, &three_unknown).is_empty()
        );
        let empty_config = Value::object([("peers", Value::Set(vec![]))]);
        assert_eq!(
            assert_plan_valid(&schema, &Value::Null, &empty_config, &three_unknown),
            [
                ".peers: count in plan (cty.UnknownVal(cty.Number).Refine().NotNull()\
              .NumberLowerBound(cty.NumberIntVal(1), true).NumberUpperBound(\
              cty.NumberIntVal(3), true).NewValue()) disagrees with count in config \
              (cty.NumberIntVal(0))"
            ]
        );
    }

    #[test]
    fn write_only_attributes_must_plan_null() {
        let mut schema = hub_schema();
        schema.attributes[3].write_only = true; // description
        let mut config = hub_config(&[]);
        set_attr(&mut config, "description", Value::string("pw"));
        let mut planned = planned_create(&[]);
        set_attr(&mut planned, "description", Value::string("other"));
        assert_eq!(
            assert_plan_valid(&schema, &Value::Null, &config, &planned),
            [".description: planned value for write-only attribute is not null"]
        );
    }

    #[test]
    fn sensitive_values_are_not_shown() {
        let mut config = hub_config(&[]);
        set_attr(&mut config, "token", Value::string("a"));
        let mut planned = planned_create(&[]);
        set_attr(&mut planned, "token", Value::string("b"));
        assert_eq!(
            check(&Value::Null, &config, &planned),
            [".token: sensitive planned value does not match config value"]
        );
        let mut prior = hub_state(&[]);
        set_attr(&mut prior, "token", Value::string("c"));
        set_attr(&mut planned, "id", Value::string("hub-123"));
        assert_eq!(
            check(&prior, &config, &planned),
            [".token: sensitive planned value does not match config value nor prior value"]
        );
    }

    #[test]
    fn violations_can_be_prefixed_with_the_resource_address() {
        let config = hub_config(&[]);
        let mut planned = planned_create(&[]);
        set_attr(&mut planned, "name", Value::string("x"));
        let found = plan_violations(&hub_schema(), &Value::Null, &config, &planned);
        assert_eq!(
            found[0].prefixed("migration_hub_network.main"),
            "migration_hub_network.main.name: planned value cty.StringVal(\"x\") does not \
             match config value cty.StringVal(\"hub\")"
        );
        let root = plan_violations(&hub_schema(), &Value::Null, &config, &Value::Null);
        assert_eq!(
            root[0].prefixed("migration_hub_network.main"),
            "migration_hub_network.main: planned for absence but config wants existence"
        );
    }
}
