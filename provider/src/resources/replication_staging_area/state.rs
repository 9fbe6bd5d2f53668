//! The staging area's state: stored (typed), planned, and rendered from the record. The
//! template's settings and the security group's sources are read back from AWS, so a change
//! made outside Terraform shows in the next plan.

use std::collections::{BTreeMap, BTreeSet};

use super::StagingPrivate;
use super::checks::Facts;
use super::model::{Config, REPLICATION_PORT, Tags};
use super::observe::Area;
use crate::framework::resource::{Render, RenderInput};
use crate::framework::typed::{Maybe, ToValue};
use crate::protocol::cty::Value;

crate::typed_object! {
    /// The stored state; every attribute may be missing right after an import.
    #[derive(Clone, Debug, PartialEq)]
    pub(crate) struct Stored {
        pub id: Option<String>,
        pub arn: Option<String>,
        pub vpc_id: Option<String>,
        pub staging_subnet_id: Option<String>,
        pub additional_staging_subnet_ids: Option<BTreeSet<String>>,
        pub network_mode: Option<String>,
        pub nat_subnet_id: Option<String>,
        pub nat_subnet_ids: Option<BTreeSet<String>>,
        pub source_cidr_blocks: Option<BTreeSet<String>>,
        pub replication_server_instance_type: Option<String>,
        pub use_dedicated_replication_server: Option<bool>,
        pub default_large_staging_disk_type: Option<String>,
        pub ebs_encryption_key_arn: Option<String>,
        pub bandwidth_throttling: Option<i64>,
        pub data_plane_routing: Option<String>,
        pub create_public_ip: Option<bool>,
        pub concurrent_source_servers: Option<i64>,
        pub staging_area_tags: Option<Tags>,
        pub tags: Option<Tags>,
        pub tags_all: Option<Tags>,
        pub security_group_id: Option<String>,
        pub nat_gateway_id: Option<String>,
        pub elastic_ip_allocation_id: Option<String>,
        pub nat_public_ip: Option<String>,
        pub nat_gateway_ids: Option<BTreeMap<String, String>>,
        pub elastic_ip_allocation_ids: Option<BTreeMap<String, String>>,
        pub nat_public_ips: Option<BTreeMap<String, String>>,
        pub vpc_endpoint_ids: Option<BTreeMap<String, String>>,
        pub route_table_id: Option<String>,
        pub route_table_ids: Option<BTreeMap<String, String>>,
        pub timeouts: Value,
    }
}

fn attr(value: &Value, name: &str) -> Value {
    value.attr(name).cloned().unwrap_or(Value::Null)
}

fn known_or_unknown<T: ToValue>(value: Maybe<T>) -> Value {
    match value {
        Maybe::Known(v) => v.to_value(),
        Maybe::Unknown => Value::unknown(),
    }
}

fn kept_or_unknown(value: Option<&String>) -> Value {
    value.map_or_else(Value::unknown, Value::string)
}

/// The tags a user manages: every tag but the provider's own (`migration:…`).
fn user_tags(tags: &Tags) -> Tags {
    tags.iter()
        .filter(|(k, _)| !k.starts_with("migration:"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The planned state of a create or update: the configuration with its defaults; what AWS
/// assigns is kept from the prior state, or unknown until the apply.
pub(crate) fn planned(
    config: &Config,
    config_value: &Value,
    prior: Option<&Stored>,
    facts: Option<&Facts>,
    default_tags: Option<&Tags>,
) -> Value {
    let mut state: BTreeMap<String, Value> = match config_value {
        Value::Object(attributes) => attributes.clone(),
        _ => BTreeMap::new(),
    };
    let defaults = [
        ("network_mode", known_or_unknown(config.mode())),
        (
            "replication_server_instance_type",
            known_or_unknown(config.instance_type()),
        ),
        (
            "use_dedicated_replication_server",
            known_or_unknown(config.dedicated()),
        ),
        (
            "default_large_staging_disk_type",
            known_or_unknown(config.disk_type()),
        ),
        ("bandwidth_throttling", known_or_unknown(config.bandwidth())),
        ("data_plane_routing", known_or_unknown(config.routing())),
        ("create_public_ip", known_or_unknown(config.public_ip())),
    ];
    for (name, value) in defaults {
        state.insert(name.into(), value);
    }
    for (name, kept) in [
        ("id", prior.and_then(|p| p.id.as_ref())),
        ("arn", prior.and_then(|p| p.arn.as_ref())),
        (
            "security_group_id",
            prior.and_then(|p| p.security_group_id.as_ref()),
        ),
    ] {
        state.insert(name.into(), kept_or_unknown(kept));
    }
    // What each mode does not make is null; what it makes is kept, or known after the apply.
    let private = config.mode().known().map(|m| m == "PRIVATE");
    for (name, kept) in [
        (
            "nat_gateway_id",
            prior.and_then(|p| p.nat_gateway_id.as_ref()),
        ),
        (
            "elastic_ip_allocation_id",
            prior.and_then(|p| p.elastic_ip_allocation_id.as_ref()),
        ),
        (
            "nat_public_ip",
            prior.and_then(|p| p.nat_public_ip.as_ref()),
        ),
    ] {
        let value = match private {
            Some(true) => Value::Null,
            _ => kept_or_unknown(kept),
        };
        state.insert(name.into(), value);
    }
    // The maps by NAT subnet are kept while they name every NAT subnet (a NAT gateway
    // deleted out of band is missing from the refreshed one, and made again by the apply).
    let nat_subnets = config.nat_subnets().known().cloned();
    for (name, kept) in [
        (
            "nat_gateway_ids",
            prior.and_then(|p| p.nat_gateway_ids.as_ref()),
        ),
        (
            "elastic_ip_allocation_ids",
            prior.and_then(|p| p.elastic_ip_allocation_ids.as_ref()),
        ),
        (
            "nat_public_ips",
            prior.and_then(|p| p.nat_public_ips.as_ref()),
        ),
    ] {
        let value = match (private, kept) {
            (Some(true), _) => Value::Null,
            (_, Some(map))
                if nat_subnets
                    .as_ref()
                    .is_some_and(|n| map.keys().eq(n.iter())) =>
            {
                map.to_value()
            }
            _ => Value::unknown(),
        };
        state.insert(name.into(), value);
    }
    // Every staging subnet's table: in NAT mode, a table whose default route went missing is
    // missing from the refreshed map, and the apply puts the route back.
    let staging = config.staging_subnets().known().cloned();
    let tables = match (private, staging, facts) {
        (Some(true), Some(staging), Some(f)) if f.read => {
            let found: BTreeMap<String, String> = staging
                .iter()
                .filter_map(|s| Some((s.clone(), f.staging_tables.get(s)?.id.clone())))
                .collect();
            (found.len() == staging.len()).then_some(found)
        }
        (_, Some(staging), _) => prior
            .and_then(|p| p.route_table_ids.clone())
            .filter(|map| map.keys().eq(staging.iter())),
        _ => None,
    };
    state.insert(
        "route_table_ids".into(),
        tables.map_or_else(Value::unknown, |t| t.to_value()),
    );
    let endpoints = match private {
        Some(false) => Value::Null,
        _ => prior
            .and_then(|p| p.vpc_endpoint_ids.clone())
            .map_or_else(Value::unknown, |ids| ids.to_value()),
    };
    state.insert("vpc_endpoint_ids".into(), endpoints);
    let table = facts
        .zip(config.staging_subnet_id.known())
        .and_then(|(f, s)| f.staging_tables.get(s).map(|t| t.id.clone()))
        .or_else(|| prior.and_then(|p| p.route_table_id.clone()));
    state.insert("route_table_id".into(), kept_or_unknown(table.as_ref()));
    // Not configured: the hubs' data center networks, once read and found.
    state.insert(
        "source_cidr_blocks".into(),
        known_or_unknown(config.sources(facts.and_then(Facts::hub_sources).as_ref())),
    );
    let tags_all = default_tags.and_then(|d| config.tags_all(d).known().cloned());
    state.insert(
        "tags_all".into(),
        tags_all.map_or_else(Value::unknown, |t| t.to_value()),
    );
    Value::Object(state)
}

/// The state of what the record holds.
pub(crate) fn render(
    record: &Area,
    input: RenderInput<'_, super::ReplicationStagingArea>,
) -> (Value, StagingPrivate) {
    let echo = input.echo;
    let discover = input.why == Render::Read && input.private.discover;
    let mut state: BTreeMap<String, Value> = [
        "network_mode",
        "concurrent_source_servers",
        "tags",
        "timeouts",
        "source_cidr_blocks",
        "replication_server_instance_type",
        "use_dedicated_replication_server",
        "default_large_staging_disk_type",
        "ebs_encryption_key_arn",
        "bandwidth_throttling",
        "data_plane_routing",
        "create_public_ip",
        "staging_area_tags",
    ]
    .into_iter()
    .map(|name| (name.to_string(), attr(echo, name)))
    .collect();
    state.insert("vpc_id".into(), Value::string(&record.vpc_id));
    state.insert(
        "staging_subnet_id".into(),
        Value::string(&record.staging_subnet_id),
    );
    if record.per_zone {
        state.insert("nat_subnet_id".into(), Value::Null);
        state.insert("nat_subnet_ids".into(), record.nat_subnet_ids.to_value());
    } else {
        state.insert(
            "nat_subnet_id".into(),
            record.nat_subnet_ids.iter().next().cloned().to_value(),
        );
        state.insert("nat_subnet_ids".into(), Value::Null);
    }
    // As configured (the record also holds staging subnets being removed).
    let additional = attr(echo, "additional_staging_subnet_ids");
    let mut staging: BTreeSet<String> = match &additional {
        Value::Set(ids) => ids
            .iter()
            .filter_map(|v| match v {
                Value::String(id) => Some(id.clone()),
                _ => None,
            })
            .collect(),
        _ => BTreeSet::new(),
    };
    staging.insert(record.staging_subnet_id.clone());
    state.insert("additional_staging_subnet_ids".into(), additional);
    let endpoints: BTreeMap<String, String> = record
        .endpoints
        .iter()
        .map(|e| (super::plan::endpoint_key(e), e.id.clone()))
        .collect();
    if discover {
        let mode = if endpoints.is_empty() {
            "NAT"
        } else {
            "PRIVATE"
        };
        state.insert("network_mode".into(), Value::string(mode));
    }
    state.insert(
        "vpc_endpoint_ids".into(),
        (!endpoints.is_empty()).then_some(endpoints).to_value(),
    );
    let template = record.template.as_ref();
    state.insert("id".into(), template.map(|t| t.id.clone()).to_value());
    state.insert("arn".into(), template.map(|t| t.arn.clone()).to_value());
    if let Some(t) = template {
        let s = &t.settings;
        for (name, value) in [
            (
                "replication_server_instance_type",
                Value::string(&s.instance_type),
            ),
            (
                "use_dedicated_replication_server",
                Value::Bool(s.dedicated_servers),
            ),
            (
                "default_large_staging_disk_type",
                Value::string(&s.large_disk_type),
            ),
            ("ebs_encryption_key_arn", s.ebs_kms_key_arn.to_value()),
            ("bandwidth_throttling", s.bandwidth_throttling.to_value()),
            ("data_plane_routing", Value::string(&s.data_plane_routing)),
            ("create_public_ip", Value::Bool(s.create_public_ip)),
        ] {
            state.insert(name.into(), value);
        }
        let staging_tags = (!s.staging_area_tags.is_empty()
            || !attr(echo, "staging_area_tags").is_null())
        .then(|| s.staging_area_tags.clone());
        state.insert("staging_area_tags".into(), staging_tags.to_value());
    }
    let group = record.security_group.as_ref();
    if let Some(g) = group {
        let sources: BTreeSet<String> = g
            .ingress
            .iter()
            .filter(|r| {
                r.protocol == "tcp"
                    && r.from_port <= REPLICATION_PORT
                    && r.to_port >= REPLICATION_PORT
            })
            .map(|r| r.cidr.clone())
            .collect();
        state.insert("source_cidr_blocks".into(), sources.to_value());
    }
    state.insert(
        "security_group_id".into(),
        group.map(|g| g.id.clone()).to_value(),
    );
    // NAT mode: the NAT gateway the template's staging subnet leaves through, and every one
    // by its NAT subnet.
    let nat_mode = !record.nat_subnet_ids.is_empty();
    let routed = record.routed_nat(&record.staging_subnet_id);
    let address = routed.and_then(|n| record.address_of(n));
    state.insert(
        "nat_gateway_id".into(),
        routed.map(|n| n.id.clone()).to_value(),
    );
    state.insert(
        "elastic_ip_allocation_id".into(),
        address.map(|a| a.allocation_id.clone()).to_value(),
    );
    state.insert(
        "nat_public_ip".into(),
        address.map(|a| a.public_ip.clone()).to_value(),
    );
    let mut nats = BTreeMap::new();
    let mut allocations = BTreeMap::new();
    let mut public_ips = BTreeMap::new();
    for subnet in &record.nat_subnet_ids {
        let Some(nat) = record.nat_in(subnet) else {
            continue;
        };
        nats.insert(subnet.clone(), nat.id.clone());
        if let Some(a) = record.address_of(nat) {
            allocations.insert(subnet.clone(), a.allocation_id.clone());
            public_ips.insert(subnet.clone(), a.public_ip.clone());
        }
    }
    for (name, map) in [
        ("nat_gateway_ids", nats),
        ("elastic_ip_allocation_ids", allocations),
        ("nat_public_ips", public_ips),
    ] {
        state.insert(name.into(), nat_mode.then_some(map).to_value());
    }
    state.insert(
        "route_table_id".into(),
        record
            .route_tables
            .get(&record.staging_subnet_id)
            .map(|t| t.id.clone())
            .to_value(),
    );
    let tables: BTreeMap<String, String> = record
        .route_tables
        .iter()
        .filter(|(subnet, _)| staging.contains(*subnet))
        .filter(|(subnet, _)| !nat_mode || record.routed_right(subnet))
        .map(|(staging, t)| (staging.clone(), t.id.clone()))
        .collect();
    state.insert("route_table_ids".into(), tables.to_value());
    let tags_all = group
        .map(|g| &g.tags)
        .or(template.map(|t| &t.tags))
        .map(user_tags);
    if discover {
        // Right after an import: the tags come from what exists.
        state.insert(
            "tags".into(),
            tags_all.clone().filter(|t| !t.is_empty()).to_value(),
        );
    }
    state.insert("tags_all".into(), tags_all.to_value());
    (Value::Object(state), StagingPrivate { discover: false })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::typed::{FromValue, Holds, assert_matches_schema};
    use crate::resources::replication_staging_area::model::tests::config_value;

    #[test]
    fn the_stored_struct_matches_the_schema_and_reads_an_imported_state() {
        assert_matches_schema::<Stored>(
            &super::super::schema::schema().block,
            &[],
            Holds::Everything,
        );
        let imported =
            Stored::from_value(&Value::object([("id", Value::string("rct-1"))])).unwrap();
        assert_eq!(imported.id.as_deref(), Some("rct-1"));
    }

    #[test]
    fn a_create_plans_the_defaults_and_leaves_what_aws_assigns_unknown() {
        let value = config_value(&[]);
        let config = Config::from_value(&value).unwrap();
        let planned = planned(&config, &value, None, None, Some(&Tags::new()));
        assert_eq!(
            planned.attr("replication_server_instance_type"),
            Some(&Value::string("t3.small"))
        );
        assert_eq!(
            planned.attr("data_plane_routing"),
            Some(&Value::string("PRIVATE_IP"))
        );
        assert_eq!(planned.attr("create_public_ip"), Some(&Value::Bool(false)));
        for name in [
            "id",
            "security_group_id",
            "nat_gateway_id",
            "nat_public_ip",
            "nat_gateway_ids",
            "nat_public_ips",
            "route_table_id",
            "route_table_ids",
        ] {
            assert!(planned.attr(name).unwrap().is_unknown(), "{name}");
        }
        assert_eq!(planned.attr("tags_all"), Some(&Value::Map(BTreeMap::new())));
    }

    #[test]
    fn the_maps_are_kept_while_they_name_every_nat_and_staging_subnet() {
        use crate::resources::replication_staging_area::model::tests::per_zone_changes;
        let value = config_value(&per_zone_changes());
        let config = Config::from_value(&value).unwrap();
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let mut prior = Stored::from_value(&value).unwrap();
        prior.nat_gateway_ids = Some(map(&[("subnet-p", "nat-1"), ("subnet-q", "nat-2")]));
        prior.route_table_ids = Some(map(&[("subnet-s", "rtb-s"), ("subnet-t", "rtb-t")]));
        let plan = planned(&config, &value, Some(&prior), None, Some(&Tags::new()));
        assert_eq!(
            plan.attr("nat_gateway_ids"),
            Some(&prior.nat_gateway_ids.clone().unwrap().to_value())
        );
        assert_eq!(
            plan.attr("route_table_ids"),
            Some(&prior.route_table_ids.clone().unwrap().to_value())
        );
        // A NAT gateway deleted out of band, a default route gone: known after the apply.
        prior.nat_gateway_ids = Some(map(&[("subnet-p", "nat-1")]));
        prior.route_table_ids = Some(map(&[("subnet-s", "rtb-s")]));
        let plan = planned(&config, &value, Some(&prior), None, Some(&Tags::new()));
        assert!(plan.attr("nat_gateway_ids").unwrap().is_unknown());
        assert!(plan.attr("route_table_ids").unwrap().is_unknown());
    }
}
