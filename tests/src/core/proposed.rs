//! Terraform core's proposed new state (`objchange.ProposedNew`): what core sends the provider
//! as `proposed_new_state` in `PlanResourceChange`, merging the configuration with the prior
//! state so the provider only has to fill in what the configuration leaves open.

use std::collections::BTreeMap;

use terraform_provider_migration::protocol::cty::{Type, Value};
use terraform_provider_migration::protocol::schema::{
    Attribute, AttributeType, Block, NestedAttributes, NestedBlock, Nesting,
};

use super::nesting::{Nested, empty_value, is_optional};
use super::values::{Visit, apply_path, get_attr, items, raw_equal, set_of, walk};

/// The proposed new state for `config` given `prior` (null prior when creating).
///
/// Attributes the provider cannot set take the configuration's value; computed attributes
/// the configuration leaves null keep the prior value (null when creating: core does not mark
/// them unknown, the provider must). Nested attributes and blocks are merged element by
/// element: lists by index, maps by key, sets by finding the prior element that could have
/// come from each configured one.
///
/// A null configuration (destroy) has a null proposed state; core never merges one.
pub fn proposed_new(schema: &Block, prior: &Value, config: &Value) -> Value {
    if config.is_null() {
        return Value::Null;
    }
    block_value(schema, prior, config)
}

/// Core's `ProposedNew` proper: a null prior stands for "no attribute set yet".
fn block_value(schema: &Block, prior: &Value, config: &Value) -> Value {
    if config.is_null() && prior.is_null() {
        return Value::Null;
    }
    let prior = if prior.is_null() {
        empty_value(schema)
    } else {
        prior.clone()
    };
    merge_block(schema, &prior, config)
}

fn merge_block(schema: &Block, prior: &Value, config: &Value) -> Value {
    if config.is_null() || config.is_unknown() {
        return prior.clone();
    }
    let mut merged = merge_attributes(&schema.attributes, prior, config);
    for nested in &schema.blocks {
        let name = &nested.type_name;
        let value = merge_nested_block(nested, &get_attr(prior, name), &get_attr(config, name));
        merged.insert(name.clone(), value);
    }
    Value::Object(merged)
}

fn merge_nested_block(nested: &NestedBlock, prior: &Value, config: &Value) -> Value {
    // A whole unknown block comes from a `dynamic` block whose for_each is not known yet.
    if config.is_unknown() {
        return config.clone();
    }
    let schema = Nested::Block(&nested.block);
    match nested.nesting {
        Nesting::Single if config.is_null() => config.clone(),
        Nesting::Single | Nesting::Group => block_value(&nested.block, prior, config),
        Nesting::List => merge_list(schema, prior, config),
        Nesting::Map => merge_map(schema, prior, config),
        Nesting::Set => merge_set(schema, prior, config),
    }
}

fn merge_attributes(
    attributes: &[Attribute],
    prior: &Value,
    config: &Value,
) -> BTreeMap<String, Value> {
    attributes
        .iter()
        .map(|attribute| {
            let prior_value = get_attr(prior, &attribute.name);
            let config_value = get_attr(config, &attribute.name);
            let merged = match &attribute.ty {
                // Computed and unset: the provider decides, starting from what it said last
                // time, unless the prior value shows the user had set it (then the user has
                // removed it, and null is the proposal).
                _ if attribute.is_computed() && config_value.is_null() => {
                    if set_by_user_before(attribute, &prior_value) {
                        config_value
                    } else {
                        prior_value
                    }
                }
                AttributeType::Nested(nested) => {
                    merge_nested_attribute(nested, &prior_value, &config_value)
                }
                AttributeType::Plain(_) => config_value,
            };
            (attribute.name.clone(), merged)
        })
        .collect()
}

/// `optionalValueNotComputable`: an optional nested attribute whose prior value holds a
/// non-null attribute the provider cannot set must have come from configuration.
fn set_by_user_before(attribute: &Attribute, prior: &Value) -> bool {
    let AttributeType::Nested(nested) = &attribute.ty else {
        return false;
    };
    if !is_optional(attribute) {
        return false;
    }
    let schema = Nested::Object(&nested.attributes);
    let mut found = false;
    walk(prior, &attribute.value_type(), &mut |path, value, _| {
        if value.is_null() {
            return Visit::Descend;
        }
        match schema.attribute_by_path(path) {
            Some(inner) if !inner.is_computed() => {
                found = true;
                Visit::Stop
            }
            _ => Visit::Descend,
        }
    });
    found
}

fn merge_nested_attribute(nested: &NestedAttributes, prior: &Value, config: &Value) -> Value {
    if config.is_unknown() {
        return config.clone();
    }
    let schema = Nested::Object(&nested.attributes);
    match nested.nesting {
        Nesting::Single | Nesting::Group => merge_element(schema, prior, config),
        Nesting::List => merge_list(schema, prior, config),
        Nesting::Map => merge_map(schema, prior, config),
        Nesting::Set => merge_set(schema, prior, config),
    }
}

/// One nested object: a block body through `ProposedNew`, a nested attribute's object
/// attribute by attribute.
fn merge_element(schema: Nested, prior: &Value, config: &Value) -> Value {
    match schema {
        Nested::Block(block) => block_value(block, prior, config),
        Nested::Object(_) if config.is_null() => config.clone(),
        Nested::Object(attributes) => Value::Object(merge_attributes(attributes, prior, config)),
    }
}

fn merge_list(schema: Nested, prior: &Value, config: &Value) -> Value {
    let configured = items(config);
    if configured.is_empty() {
        return config.clone();
    }
    let merged = configured
        .iter()
        .enumerate()
        .map(|(i, element)| match prior {
            Value::Unknown(_) => merge_element(schema, &Value::unknown(), element),
            _ => match items(prior).get(i) {
                Some(prior_element) => merge_element(schema, prior_element, element),
                None => element.clone(),
            },
        })
        .collect();
    match config {
        Value::Tuple(_) => Value::Tuple(merged),
        _ => Value::List(merged),
    }
}

fn merge_map(schema: Nested, prior: &Value, config: &Value) -> Value {
    let configured = match config.as_map() {
        Some(entries) if !entries.is_empty() => entries,
        _ => return config.clone(),
    };
    let empty = BTreeMap::new();
    let prior_entries = prior.as_map().unwrap_or(&empty);
    let merged = configured
        .iter()
        .map(|(key, element)| {
            let prior_element = match (prior_entries.get(key), prior) {
                (Some(found), _) => found.clone(),
                (None, Value::Unknown(_)) => Value::unknown(),
                (None, _) => Value::Null,
            };
            (key.clone(), merge_element(schema, &prior_element, element))
        })
        .collect();
    match config {
        Value::Object(_) => Value::Object(merged),
        _ => Value::Map(merged),
    }
}

/// Each configured element is paired with the first unused prior element that could have
/// been planned from it, so computed values survive in sets too.
fn merge_set(schema: Nested, prior: &Value, config: &Value) -> Value {
    let configured = items(config);
    if config.is_unknown() || configured.is_empty() {
        return config.clone();
    }
    let candidates = items(prior);
    let mut used = vec![false; candidates.len()];
    let merged = configured
        .iter()
        .map(|element| {
            let matched = (0..candidates.len())
                .find(|&i| !used[i] && could_come_from(schema, &candidates[i], element));
            let prior_element = match matched {
                Some(i) => {
                    used[i] = true;
                    candidates[i].clone()
                }
                None => Value::Null,
            };
            merge_element(schema, &prior_element, element)
        })
        .collect();
    set_of(merged)
}

/// `validPriorFromConfig`: `prior` equals `config` except at computed leaf attributes that
/// the configuration leaves null (nested sets must match exactly).
fn could_come_from(schema: Nested, prior: &Value, config: &Value) -> bool {
    if raw_equal(config, prior, false) {
        return true;
    }
    let mut valid = true;
    walk(
        prior,
        &schema.object_type(),
        &mut |path, prior_value, ty| {
            let Some(config_value) = apply_path(config, path) else {
                valid = false;
                return Visit::Stop;
            };
            if raw_equal(&config_value, prior_value, false) {
                return Visit::Skip;
            }
            // Nested sets cannot be correlated further: they must match exactly.
            if matches!(ty, Type::Set(_)) {
                valid = false;
                return Visit::Stop;
            }
            let Some(attribute) = schema.attribute_by_path(path) else {
                return Visit::Descend;
            };
            if matches!(attribute.ty, AttributeType::Nested(_)) {
                return Visit::Descend;
            }
            if !attribute.is_computed() || !config_value.is_null() {
                valid = false;
                return Visit::Stop;
            }
            Visit::Skip
        },
    );
    valid
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use terraform_provider_migration::protocol::schema::Presence;

    #[test]
    fn create_keeps_computed_null_and_takes_config() {
        let schema = hub_schema();
        let config = hub_config(&[("staging", "vpc-1")]);
        let proposed = proposed_new(&schema, &Value::Null, &config);
        assert_eq!(proposed.attr("name"), Some(&Value::string("hub")));
        assert_eq!(
            proposed.attr("id"),
            Some(&Value::Null),
            "core leaves it null"
        );
        assert_eq!(proposed.attr("amazon_side_asn"), Some(&Value::Null));
        let attachment = map_entry(&proposed, "vpc_attachments", "staging");
        assert_eq!(attachment.attr("vpc_id"), Some(&Value::string("vpc-1")));
        assert_eq!(attachment.attr("attachment_id"), Some(&Value::Null));
        assert_eq!(proposed.attr("rule"), Some(&Value::List(vec![])));
    }

    #[test]
    fn update_keeps_prior_computed_values_per_map_key() {
        let schema = hub_schema();
        let prior = hub_state(&[("staging", "vpc-1", "tgw-attach-1")]);
        let config = hub_config(&[("staging", "vpc-2"), ("prod", "vpc-3")]);
        let proposed = proposed_new(&schema, &prior, &config);
        assert_eq!(proposed.attr("id"), Some(&Value::string("hub-123")));
        let staging = map_entry(&proposed, "vpc_attachments", "staging");
        assert_eq!(staging.attr("vpc_id"), Some(&Value::string("vpc-2")));
        assert_eq!(
            staging.attr("attachment_id"),
            Some(&Value::string("tgw-attach-1"))
        );
        let prod = map_entry(&proposed, "vpc_attachments", "prod");
        assert_eq!(prod.attr("attachment_id"), Some(&Value::Null));
    }

    #[test]
    fn optional_computed_takes_config_when_set_and_prior_when_not() {
        let schema = hub_schema();
        let mut prior = hub_state(&[]);
        set_attr(&mut prior, "amazon_side_asn", Value::number(64512));
        let mut config = hub_config(&[]);
        assert_eq!(
            proposed_new(&schema, &prior, &config).attr("amazon_side_asn"),
            Some(&Value::number(64512))
        );
        set_attr(&mut config, "amazon_side_asn", Value::number(64600));
        assert_eq!(
            proposed_new(&schema, &prior, &config).attr("amazon_side_asn"),
            Some(&Value::number(64600))
        );
    }

    #[test]
    fn unknown_config_values_pass_through() {
        let schema = hub_schema();
        let prior = hub_state(&[("staging", "vpc-1", "tgw-attach-1")]);
        let mut config = hub_config(&[]);
        set_attr(&mut config, "name", Value::unknown());
        set_attr(&mut config, "vpc_attachments", Value::unknown());
        let proposed = proposed_new(&schema, &prior, &config);
        assert!(proposed.attr("name").unwrap().is_unknown());
        assert!(proposed.attr("vpc_attachments").unwrap().is_unknown());
        assert_eq!(proposed.attr("id"), Some(&Value::string("hub-123")));
    }

    #[test]
    fn removed_optional_computed_nested_attribute_is_proposed_null() {
        let schema = Block {
            attributes: vec![Attribute::nested(
                "settings",
                Nesting::Single,
                Presence::OptionalComputed,
                vec![
                    Attribute::optional("mode", Type::String),
                    Attribute::computed("arn", Type::String),
                ],
            )],
            ..Block::default()
        };
        let config = Value::object([("settings", Value::Null)]);
        let user_set = Value::object([(
            "settings",
            Value::object([("mode", Value::string("a")), ("arn", Value::string("x"))]),
        )]);
        assert_eq!(
            proposed_new(&schema, &user_set, &config).attr("settings"),
            Some(&Value::Null)
        );
        let provider_set = Value::object([(
            "settings",
            Value::object([("mode", Value::Null), ("arn", Value::string("x"))]),
        )]);
        assert_eq!(
            proposed_new(&schema, &provider_set, &config).attr("settings"),
            provider_set.attr("settings")
        );
    }

    #[test]
    fn list_blocks_merge_by_index() {
        let schema = hub_schema();
        let mut prior = hub_state(&[]);
        set_attr(
            &mut prior,
            "rule",
            Value::List(vec![rule("10.0.0.0/8", Value::string("r-1"))]),
        );
        let mut config = hub_config(&[]);
        set_attr(
            &mut config,
            "rule",
            Value::List(vec![
                rule("10.1.0.0/16", Value::Null),
                rule("10.2.0.0/16", Value::Null),
            ]),
        );
        let proposed = proposed_new(&schema, &prior, &config);
        let rules = proposed.attr("rule").and_then(Value::elements).unwrap();
        assert_eq!(rules[0].attr("cidr"), Some(&Value::string("10.1.0.0/16")));
        assert_eq!(rules[0].attr("rule_id"), Some(&Value::string("r-1")));
        assert_eq!(rules[1], rule("10.2.0.0/16", Value::Null));
    }

    #[test]
    fn set_elements_find_their_prior_element() {
        let schema = hub_schema();
        let mut prior = hub_state(&[]);
        set_attr(
            &mut prior,
            "route",
            Value::Set(vec![
                route("10.0.0.0/8", Value::string("route-a")),
                route("172.16.0.0/12", Value::string("route-b")),
            ]),
        );
        let mut config = hub_config(&[]);
        set_attr(
            &mut config,
            "route",
            Value::Set(vec![
                route("172.16.0.0/12", Value::Null),
                route("192.168.0.0/16", Value::Null),
            ]),
        );
        let proposed = proposed_new(&schema, &prior, &config);
        let routes = proposed.attr("route").and_then(Value::elements).unwrap();
        assert_eq!(routes.len(), 2);
        assert!(routes.contains(&route("172.16.0.0/12", Value::string("route-b"))));
        assert!(routes.contains(&route("192.168.0.0/16", Value::Null)));
    }

    /// A quirk of core kept on purpose: an element that leaves an optional+computed
    /// attribute unset inherits the prior value and can become identical to another
    /// configured element, so the proposed set is smaller than the configured one and core's
    /// own plan check would reject it.
    #[test]
    fn merging_can_collapse_set_elements_like_core() {
        let schema = Block {
            attributes: vec![Attribute::nested(
                "peers",
                Nesting::Set,
                Presence::Optional,
                vec![
                    Attribute::optional_computed("mode", Type::String),
                    Attribute::optional("cidr", Type::String),
                ],
            )],
            ..Block::default()
        };
        let peer = |mode: Value| Value::object([("mode", mode), ("cidr", Value::string("a"))]);
        let other = Value::object([("mode", Value::string("y")), ("cidr", Value::string("b"))]);
        let prior = Value::object([("peers", Value::Set(vec![peer(Value::string("x")), other]))]);
        let config = Value::object([(
            "peers",
            Value::Set(vec![peer(Value::Null), peer(Value::string("x"))]),
        )]);
        let proposed = proposed_new(&schema, &prior, &config);
        assert_eq!(
            proposed.attr("peers"),
            Some(&Value::Set(vec![peer(Value::string("x"))]))
        );
        assert_eq!(
            super::super::assert_plan_valid(&schema, &prior, &config, &proposed),
            [
                ".peers: count in plan (cty.NumberIntVal(1)) disagrees with count in config \
              (cty.NumberIntVal(2))"
            ]
        );
    }

    #[test]
    fn group_and_single_blocks() {
        let schema = hub_schema();
        let mut prior = hub_state(&[]);
        set_attr(
            &mut prior,
            "timeouts",
            Value::object([("create", Value::string("10m"))]),
        );
        let config = hub_config(&[]);
        let proposed = proposed_new(&schema, &prior, &config);
        // Timeouts are optional and not computed: config's null wins over the prior value.
        assert_eq!(proposed.attr("timeouts"), Some(&Value::Null));
        // A group block is never null, and its computed attribute keeps the prior value.
        assert_eq!(
            proposed.attr("options"),
            Some(&Value::object([("dns_support", Value::Bool(true))]))
        );
    }

    #[test]
    fn destroy_proposes_null() {
        let prior = hub_state(&[]);
        assert_eq!(
            proposed_new(&hub_schema(), &prior, &Value::Null),
            Value::Null
        );
    }
}
