//! The spoke's state: stored (typed), planned, and rendered from the record. Routes are a map
//! by route table id, then destination, so that one route changed out of band shows in a plan
//! as that route, not as a shifted list.

use std::collections::{BTreeMap, BTreeSet};

use super::SpokePrivate;
use super::checks::Facts;
use super::model::{Config, Tags, one_subnet_per_zone};
use super::observe::Spoke;
use crate::framework::resource::{Render, RenderInput};
use crate::framework::typed::{Maybe, ToValue};
use crate::protocol::cty::Value;

crate::typed_object! {
    /// The stored state; every attribute may be missing right after an import.
    #[derive(Clone, Debug, PartialEq)]
    pub(crate) struct Stored {
        pub id: Option<String>,
        pub transit_gateway_id: Option<String>,
        pub resource_share_arn: Option<String>,
        pub vpc_id: Option<String>,
        pub subnet_ids: Option<BTreeSet<String>>,
        pub route_table_ids: Option<BTreeSet<String>>,
        pub hub_cidr_blocks: Option<BTreeSet<String>>,
        pub share_visibility_timeout: Option<String>,
        pub acceptance_timeout: Option<String>,
        pub tags: Option<Tags>,
        pub tags_all: Option<Tags>,
        pub transit_gateway_owner_id: Option<String>,
        pub share_invitation_arn: Option<String>,
        pub attachment_state: Option<String>,
        pub vpc_cidr_blocks: Option<BTreeSet<String>>,
        pub availability_zone_ids: Option<BTreeSet<String>>,
        pub routes: Option<BTreeMap<String, BTreeMap<String, String>>>,
        pub take_over: Option<bool>,
        pub timeouts: Value,
    }
}

impl Stored {
    /// Route tables whose routes to the gateway the state holds or names.
    pub(crate) fn route_tables(&self) -> BTreeSet<String> {
        let mut tables = self.route_table_ids.clone().unwrap_or_default();
        tables.extend(self.routes.iter().flat_map(|r| r.keys().cloned()));
        tables
    }
}

fn attr(value: &Value, name: &str) -> Value {
    value.attr(name).cloned().unwrap_or(Value::Null)
}

fn known_or_unknown<T: ToValue>(value: Option<T>) -> Value {
    value.map_or_else(Value::unknown, |v| v.to_value())
}

/// The tags a user manages: every tag but the provider's own (`migration:…`).
fn user_tags(tags: &Tags) -> Tags {
    tags.iter()
        .filter(|(k, _)| !k.starts_with("migration:"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The planned state of a create or update.
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
    let spoke = facts.map(|f| &f.spoke).filter(|s| !s.tgw_id.is_empty());
    let same_vpc = |p: &&Stored| config.vpc_id.known() == p.vpc_id.as_ref();
    state.insert(
        "id".into(),
        known_or_unknown(prior.and_then(|p| p.id.clone())),
    );
    let owner = spoke
        .and_then(|s| s.tgw.as_ref().map(|t| t.owner_id.clone()))
        .or_else(|| prior.and_then(|p| p.transit_gateway_owner_id.clone()));
    state.insert("transit_gateway_owner_id".into(), known_or_unknown(owner));
    state.insert(
        "share_invitation_arn".into(),
        match prior {
            Some(p) => p.share_invitation_arn.to_value(),
            // A gateway already visible needs no invitation.
            None if spoke.is_some_and(|s| s.tgw.is_some()) => Value::Null,
            None => Value::unknown(),
        },
    );
    state.insert("attachment_state".into(), Value::string("available"));
    let vpc_cidrs = spoke
        .and_then(|s| s.vpc.as_ref().map(|v| v.cidr_blocks.clone()))
        .or_else(|| {
            prior
                .filter(same_vpc)
                .and_then(|p| p.vpc_cidr_blocks.clone())
        });
    state.insert("vpc_cidr_blocks".into(), known_or_unknown(vpc_cidrs));
    let subnets: Option<BTreeSet<String>> = match &config.subnet_ids {
        Maybe::Known(Some(given)) => Some(given.clone()),
        Maybe::Known(None) => spoke.map(|s| one_subnet_per_zone(s.subnets.values())),
        Maybe::Unknown => None,
    };
    let zones = match (spoke, &subnets) {
        (Some(s), Some(ids)) => {
            let zones: Option<BTreeSet<String>> = ids
                .iter()
                .map(|id| s.subnets.get(id).map(|s| s.zone_id().to_string()))
                .collect();
            zones
        }
        _ => None,
    };
    state.insert("subnet_ids".into(), known_or_unknown(subnets));
    state.insert("availability_zone_ids".into(), known_or_unknown(zones));
    let routes = match (
        config.transit_gateway_id.known(),
        config.route_tables().known(),
        config.hub_cidrs().known(),
    ) {
        (Some(tgw), Some(tables), Some(hub)) => Some(
            tables
                .iter()
                .filter(|_| !hub.is_empty())
                .map(|table| {
                    (
                        table.clone(),
                        hub.iter()
                            .map(|cidr| (cidr.to_string(), tgw.clone()))
                            .collect::<BTreeMap<_, _>>(),
                    )
                })
                .collect::<BTreeMap<_, _>>(),
        ),
        _ => None,
    };
    state.insert("routes".into(), known_or_unknown(routes));
    let tags_all = default_tags.and_then(|d| config.tags_all(d).known().cloned());
    state.insert("tags_all".into(), known_or_unknown(tags_all));
    Value::Object(state)
}

/// The state of what the record holds.
pub(crate) fn render(
    record: &Spoke,
    input: RenderInput<'_, super::HubSpoke>,
) -> (Value, SpokePrivate) {
    let echo = input.echo;
    let discover = input.why == Render::Read && input.private.discover;
    let mut state: BTreeMap<String, Value> = [
        "resource_share_arn",
        "route_table_ids",
        "hub_cidr_blocks",
        "share_visibility_timeout",
        "acceptance_timeout",
        "tags",
        "take_over",
        "timeouts",
    ]
    .into_iter()
    .map(|name| (name.to_string(), attr(echo, name)))
    .collect();
    let attachment = record.attachment.as_ref();
    state.insert("id".into(), attachment.map(|a| a.id.clone()).to_value());
    state.insert("transit_gateway_id".into(), Value::string(&record.tgw_id));
    state.insert("vpc_id".into(), Value::string(&record.vpc_id));
    state.insert(
        "subnet_ids".into(),
        attachment.map(|a| a.subnet_ids.clone()).to_value(),
    );
    state.insert(
        "attachment_state".into(),
        attachment.map(|a| a.state.clone()).to_value(),
    );
    let owner = record
        .tgw
        .as_ref()
        .map(|t| t.owner_id.clone())
        .or_else(|| input.prior.and_then(|p| p.transit_gateway_owner_id.clone()));
    state.insert("transit_gateway_owner_id".into(), owner.to_value());
    let invitation = record
        .invitation
        .clone()
        .or_else(|| input.prior.and_then(|p| p.share_invitation_arn.clone()));
    state.insert("share_invitation_arn".into(), invitation.to_value());
    state.insert(
        "vpc_cidr_blocks".into(),
        record
            .vpc
            .as_ref()
            .map(|v| v.cidr_blocks.clone())
            .to_value(),
    );
    state.insert("availability_zone_ids".into(), record.zone_ids().to_value());
    let routes = record.routes();
    let tags_all = attachment.map(|a| user_tags(&a.tags));
    if discover {
        // Right after an import: the arguments come from what exists.
        let tables: BTreeSet<String> = routes.keys().cloned().collect();
        let hub: BTreeSet<String> = routes.values().flat_map(|r| r.keys().cloned()).collect();
        state.insert(
            "route_table_ids".into(),
            (!tables.is_empty()).then_some(tables).to_value(),
        );
        state.insert("hub_cidr_blocks".into(), hub.to_value());
        state.insert(
            "tags".into(),
            tags_all.clone().filter(|t| !t.is_empty()).to_value(),
        );
    }
    state.insert("routes".into(), routes.to_value());
    state.insert("tags_all".into(), tags_all.to_value());
    // A state without a token (an import, or private data Terraform dropped when the provider
    // died during an apply) carries on as the owner its attachment's claim names.
    let owner_token = input.private.owner_token.clone().or_else(|| {
        attachment
            .and_then(super::ownership::claim)
            .map(|c| c.token)
    });
    (
        Value::Object(state),
        SpokePrivate {
            discover: false,
            owner_token,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::typed::{FromValue, Holds, assert_matches_schema};

    #[test]
    fn the_stored_struct_matches_the_schema_and_reads_an_imported_state() {
        assert_matches_schema::<Stored>(
            &super::super::schema::schema().block,
            &[],
            Holds::Everything,
        );
        let imported =
            Stored::from_value(&Value::object([("id", Value::string("tgw-attach-1"))])).unwrap();
        assert_eq!(imported.id.as_deref(), Some("tgw-attach-1"));
        assert!(imported.route_tables().is_empty());
    }

    #[test]
    fn routes_are_planned_per_table_and_destination() {
        let value = crate::resources::hub_spoke::model::tests::config_value(&[]);
        let config = Config::from_value(&value).unwrap();
        let planned = planned(&config, &value, None, None, Some(&Tags::new()));
        let routes = planned.attr("routes").unwrap();
        assert_eq!(
            routes,
            &Value::Map(BTreeMap::from([(
                "rtb-1".to_string(),
                Value::Map(BTreeMap::from([(
                    "10.1.0.0/16".to_string(),
                    Value::string("tgw-1")
                )]))
            )]))
        );
        // What only AWS can tell is unknown on a create planned without reads.
        for name in [
            "id",
            "transit_gateway_owner_id",
            "subnet_ids",
            "vpc_cidr_blocks",
        ] {
            assert!(planned.attr(name).unwrap().is_unknown(), "{name}");
        }
        assert_eq!(
            planned.attr("attachment_state"),
            Some(&Value::string("available"))
        );
    }
}
