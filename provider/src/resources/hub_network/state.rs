//! The resource's state value, in both directions of time:
//!
//! * [`planned`]: what the state will be after apply, from the configuration, the prior state
//!   and what plan-time reads learned. Known wherever the outcome is certain (so a no-op plan
//!   is empty and the diff shown is exactly the delta), unknown where AWS decides.
//! * [`render`]: what the state is, from an observed [`Topology`] (read, import, and the
//!   partial state of a failed apply). Attributes AWS cannot tell (which route tables were
//!   listed, the user's tags, timeouts) are echoed from `echo`, the prior state or the plan.
//! * [`fill_unknowns`]: a successful apply's result: the plan with each unknown replaced by
//!   what AWS reported.

use std::collections::{BTreeMap, BTreeSet};

use super::HubPrivate;
use super::mesh::{self, HubNetwork};
use super::model::SpokeDesired;
use super::model::{self, DATA_CENTER, NETWORK_TAG, decode_data_center_cidrs, is_user_tag};
use super::spokes;
use super::stored::Stored;
use super::topology::{DataCenterLink, Tags, Topology, VpcAttachment};
use super::validate::LiveFacts;
use crate::framework::resource::{Render, RenderInput};
use crate::framework::typed::FromValue;
use crate::protocol::cty::Value;

fn attr(object: &Value, name: &str) -> Value {
    object.attr(name).cloned().unwrap_or(Value::Null)
}

fn known_bool(value: &Value) -> Option<bool> {
    value.as_bool()
}

fn string_set(items: impl IntoIterator<Item = String>) -> Value {
    let mut items: Vec<String> = items.into_iter().collect();
    items.sort();
    items.dedup();
    Value::Set(items.into_iter().map(Value::String).collect())
}

fn string_map(map: &Tags) -> Value {
    Value::Map(
        map.iter()
            .map(|(k, v)| (k.clone(), Value::string(v.clone())))
            .collect(),
    )
}

fn optional(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |s| Value::string(s.to_string()))
}

/// The known strings of a set, or `None` when it or an element is unknown.
fn known_strings(value: &Value) -> Option<BTreeSet<String>> {
    match value {
        Value::Unknown(_) => None,
        Value::Null => Some(BTreeSet::new()),
        other => {
            let items = other.elements()?;
            items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<BTreeSet<String>>>()
        }
    }
}

/// A set attribute as AWS reports it, keeping the configuration's `null` when AWS has none.
fn set_like_echo(items: BTreeSet<String>, echo: &Value) -> Value {
    if items.is_empty() && echo.is_null() {
        Value::Null
    } else {
        string_set(items)
    }
}

/// A string attribute that is known: `Some(None)` when null, `None` when unknown.
fn known_optional_string(value: &Value) -> Option<Option<String>> {
    if value.is_null() {
        Some(None)
    } else {
        value.as_str().map(|s| Some(s.to_string()))
    }
}

/// The spokes of a `spokes` value whose account, endpoint and CIDRs are known.
pub(crate) fn declared_spokes(value: &Value) -> BTreeMap<String, SpokeDesired> {
    value
        .as_map()
        .map(|entries| {
            entries
                .iter()
                .filter_map(|(name, spoke)| {
                    Some((
                        name.clone(),
                        SpokeDesired {
                            account_id: known_optional_string(&attr(spoke, "account_id"))?,
                            cidr_blocks: known_strings(&attr(spoke, "cidr_blocks"))?,
                            client_vpn_endpoint_id: known_optional_string(&attr(
                                spoke,
                                "client_vpn_endpoint_id",
                            ))?,
                        },
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The state AWS reports for a route that delivers traffic.
const ACTIVE: &str = "active";

/// The `routes` attribute being built: route table id → (VPC key, destination → network).
struct RouteTables(BTreeMap<String, (Option<String>, BTreeMap<String, Value>)>);

impl RouteTables {
    fn new() -> Self {
        RouteTables(BTreeMap::new())
    }

    fn add(&mut self, table: &str, vpc: Option<&str>, destination: &str, network: Option<&str>) {
        let entry = self
            .0
            .entry(table.to_string())
            .or_insert_with(|| (vpc.map(str::to_string), BTreeMap::new()));
        entry.1.insert(destination.to_string(), optional(network));
    }

    fn value(self) -> Value {
        Value::Map(
            self.0
                .into_iter()
                .map(|(table, (vpc, destinations))| {
                    (
                        table,
                        Value::object([
                            ("vpc", optional(vpc.as_deref())),
                            ("destinations", Value::Map(destinations)),
                        ]),
                    )
                })
                .collect(),
        )
    }
}

/// VPC id → its key in a `vpc_attachments` map.
fn vpc_keys_of(attachments: &BTreeMap<String, Value>) -> BTreeMap<String, String> {
    attachments
        .iter()
        .filter_map(|(key, a)| Some((attr(a, "vpc_id").as_str()?.to_string(), key.clone())))
        .collect()
}

/// The state of what `record` holds, and the private data to keep with it: the intent the
/// apply set (or the prior one), or after an import's first read, what the hub was found to be.
pub(crate) fn render_with_intent(
    record: &Topology,
    input: RenderInput<'_, super::HubNetwork>,
    default_tags: &BTreeMap<String, String>,
) -> (Value, HubPrivate) {
    let applied = match input.desired {
        Some(desired) => Applied {
            route_propagation: Some(desired.route_propagation),
            tags_all: Some(desired.tags_all.clone()),
        },
        None => input.private.applied.clone(),
    };
    let mut rendered = render(record, input.echo, Some(default_tags), &applied);
    if input.why == Render::Apply {
        keep_planned_spoke_status(&mut rendered, input.echo);
    }
    let applied = if input.why == Render::Read && input.private.discover {
        // An imported hub's intent is what it was found to be.
        let found = Stored::from_value(&rendered);
        Applied {
            route_propagation: found.as_ref().ok().and_then(|f| f.route_propagation),
            tags_all: Some(found.map(|f| f.tags_all.0).unwrap_or_default()),
        }
    } else {
        applied
    };
    let private = HubPrivate {
        applied,
        discover: false,
        learned: record
            .foreign_attachments
            .iter()
            .filter(|a| !a.propagated_cidrs.is_empty())
            .map(|a| (a.id.clone(), a.propagated_cidrs.clone()))
            .collect(),
    };
    (rendered, private)
}

/// After an apply, a spoke's `attachment_ids` and `status` the plan knew (it carried them over:
/// the apply was not to act on that spoke) stay as planned. They are observations of another
/// account's doing, which can move while the hub applies something else (the spoke attaching
/// meanwhile, and the apply accepting it); Terraform holds an apply to its known planned
/// values, and the next refresh shows what AWS holds without a diff.
fn keep_planned_spoke_status(rendered: &mut Value, planned: &Value) {
    let planned = attr(planned, "spokes");
    let (Value::Object(state), Some(planned)) = (rendered, planned.as_map()) else {
        return;
    };
    let Some(Value::Map(spokes)) = state.get_mut("spokes") else {
        return;
    };
    for (name, spoke) in spokes.iter_mut() {
        let (Value::Object(spoke), Some(before)) = (spoke, planned.get(name)) else {
            continue;
        };
        for computed in ["attachment_ids", "status"] {
            let value = attr(before, computed);
            if value.is_wholly_known() && !value.is_null() {
                spoke.insert(computed.into(), value);
            }
        }
    }
}

/// What the last apply set, kept in the resource's private data. A refresh overwrites the
/// attributes themselves with what AWS reports, so they cannot remember the intent that tells
/// drift apart (a second refresh would otherwise take the drifted value as the intent).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Applied {
    pub route_propagation: Option<bool>,
    pub tags_all: Option<Tags>,
}

/// The state of the hub as observed; `echo` supplies what AWS cannot tell, `applied` what
/// the last apply set.
pub(crate) fn render(
    topology: &Topology,
    echo: &Value,
    default_tags: Option<&Tags>,
    applied: &Applied,
) -> Value {
    let Some(tgw) = &topology.tgw else {
        return Value::Null;
    };
    let mut state: BTreeMap<String, Value> = BTreeMap::new();
    let mut put = |name: &str, value: Value| {
        state.insert(name.to_string(), value);
    };
    let echo_name = attr(echo, "name");
    let name = tgw
        .tags
        .get("Name")
        .cloned()
        .or_else(|| echo_name.as_str().map(str::to_string))
        .unwrap_or_default();
    put("id", Value::string(tgw.id.clone()));
    put("arn", Value::string(tgw.arn.clone()));
    put("owner_id", Value::string(tgw.owner_id.clone()));
    put("name", Value::string(name.clone()));
    put(
        "description",
        match (&tgw.description, attr(echo, "description")) {
            (None, Value::String(s)) if s.is_empty() => Value::string(""),
            (description, _) => optional(description.as_deref()),
        },
    );
    put("amazon_side_asn", Value::number(tgw.amazon_side_asn));
    put(
        "auto_accept_shared_attachments",
        Value::Bool(tgw.auto_accept_shared_attachments),
    );
    put("dns_support", Value::Bool(tgw.dns_support));
    put("vpn_ecmp_support", Value::Bool(tgw.vpn_ecmp_support));
    put(
        "transit_gateway_cidr_blocks",
        set_like_echo(
            tgw.cidr_blocks.clone(),
            &attr(echo, "transit_gateway_cidr_blocks"),
        ),
    );
    put(
        "route_table_id",
        optional(tgw.association_default_route_table_id.as_deref()),
    );

    // The share.
    let echo_allow = known_bool(&attr(echo, "allow_external_principals"));
    // The declared spokes, as the configuration (or prior state) has them.
    let declared = declared_spokes(&attr(echo, "spokes"));
    match &topology.share {
        Some(share) => {
            // Spoke accounts are principals because of `spokes`; `share_with` shows the rest
            // (and those it names itself).
            let echo_share_with = known_strings(&attr(echo, "share_with")).unwrap_or_default();
            let principals: BTreeSet<String> = share
                .principals
                .iter()
                .filter(|p| {
                    echo_share_with.contains(*p)
                        || !declared.values().any(|s| s.account_id.as_ref() == Some(*p))
                })
                .cloned()
                .collect();
            put(
                "share_with",
                set_like_echo(principals, &attr(echo, "share_with")),
            );
            put(
                "allow_external_principals",
                Value::Bool(share.allow_external_principals),
            );
            put("resource_share_arn", Value::string(share.arn.clone()));
        }
        None => {
            put(
                "share_with",
                set_like_echo(BTreeSet::new(), &attr(echo, "share_with")),
            );
            put(
                "allow_external_principals",
                Value::Bool(echo_allow.unwrap_or(model::DEFAULT_ALLOW_EXTERNAL)),
            );
            put("resource_share_arn", Value::Null);
        }
    }

    // VPC attachments, keyed as configured where the VPC is the same.
    let echo_attachments = attr(echo, "vpc_attachments");
    let echo_by_vpc: BTreeMap<String, (String, Value)> = echo_attachments
        .as_map()
        .map(|m| {
            m.iter()
                .filter_map(|(key, v)| {
                    Some((
                        attr(v, "vpc_id").as_str()?.to_string(),
                        (key.clone(), v.clone()),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut keys_taken: BTreeSet<String> = BTreeSet::new();
    let mut attachments: BTreeMap<String, Value> = BTreeMap::new();
    let mut networks_for_labels: Vec<(String, BTreeSet<String>)> = Vec::new();
    for (vpc_id, attachment) in &topology.attachments {
        let echoed = echo_by_vpc.get(vpc_id);
        let key = attachment_key(
            echoed.map(|(k, _)| k.as_str()),
            attachment,
            &name,
            &mut keys_taken,
        );
        let cidrs = topology
            .vpcs
            .get(vpc_id)
            .map(|v| v.cidr_blocks.clone())
            .unwrap_or_default();
        networks_for_labels.push((key.clone(), cidrs.clone()));
        let route_tables = match echoed.map(|(_, v)| attr(v, "route_table_ids")) {
            Some(tables) if !tables.is_unknown() => tables,
            _ => {
                let found: BTreeSet<String> = topology
                    .route_tables
                    .values()
                    .filter(|t| &t.vpc_id == vpc_id && topology.routes_to_hub(t).next().is_some())
                    .map(|t| t.id.clone())
                    .collect();
                if found.is_empty() {
                    Value::Null
                } else {
                    string_set(found)
                }
            }
        };
        attachments.insert(
            key,
            Value::object([
                ("vpc_id", Value::string(vpc_id.clone())),
                (
                    "subnet_ids",
                    string_set(attachment.subnet_ids.iter().cloned()),
                ),
                ("route_table_ids", route_tables),
                (
                    "appliance_mode_support",
                    Value::Bool(attachment.appliance_mode_support),
                ),
                ("dns_support", Value::Bool(attachment.dns_support)),
                ("attachment_id", Value::string(attachment.id.clone())),
                ("cidr_blocks", string_set(cidrs)),
                ("owner_id", Value::string(attachment.vpc_owner_id.clone())),
                ("state", Value::string(attachment.state.clone())),
            ]),
        );
    }
    let vpc_keys = vpc_keys_of(&attachments);
    put(
        "vpc_attachments",
        if attachments.is_empty() && echo_attachments.is_null() {
            Value::Null
        } else {
            Value::Map(attachments)
        },
    );

    // The data center.
    let echo_dc = attr(echo, "data_center");
    let mut data_center_cidrs: Option<BTreeSet<String>> = None;
    match &topology.data_center {
        None => put("data_center", Value::Null),
        Some(dc) => {
            let tagged = dc
                .attachment
                .as_ref()
                .and_then(|a| decode_data_center_cidrs(&a.tags));
            let from_routes: BTreeSet<String> = topology
                .hub_routes
                .values()
                .filter(|r| {
                    r.attachment_id.is_some()
                        && r.attachment_id.as_deref() == topology.data_center_attachment_id()
                })
                .map(|r| r.destination.clone())
                .collect();
            let cidrs = known_strings(&attr(&echo_dc, "cidr_blocks"))
                .filter(|c| !c.is_empty())
                .or(tagged)
                .unwrap_or(from_routes);
            data_center_cidrs = Some(cidrs.clone());
            let attachment_id = optional(dc.attachment.as_ref().map(|a| a.id.as_str()));
            let value = match &dc.link {
                DataCenterLink::DirectConnect {
                    association_id,
                    gateway_id,
                    allowed_prefixes,
                    ..
                } => Value::object([
                    ("cidr_blocks", string_set(cidrs)),
                    (
                        "direct_connect_gateway_id",
                        Value::string(gateway_id.clone()),
                    ),
                    ("vpn", Value::Null),
                    (
                        "allowed_prefixes",
                        string_set(allowed_prefixes.iter().cloned()),
                    ),
                    ("attachment_id", attachment_id),
                    ("association_id", Value::string(association_id.clone())),
                    ("vpn_connection_id", Value::Null),
                ]),
                DataCenterLink::Vpn {
                    connection_id,
                    customer_gateway_id,
                    static_routes_only,
                    ..
                } => {
                    let echoed_static =
                        known_bool(&attr(&attr(&echo_dc, "vpn"), "static_routes_only"));
                    let static_only = static_routes_only
                        .or(echoed_static)
                        .unwrap_or(model::DEFAULT_STATIC_ROUTES_ONLY);
                    Value::object([
                        ("cidr_blocks", string_set(cidrs)),
                        ("direct_connect_gateway_id", Value::Null),
                        (
                            "vpn",
                            Value::object([
                                (
                                    "customer_gateway_id",
                                    Value::string(customer_gateway_id.clone()),
                                ),
                                ("static_routes_only", Value::Bool(static_only)),
                            ]),
                        ),
                        ("allowed_prefixes", Value::Null),
                        ("attachment_id", attachment_id),
                        ("association_id", Value::Null),
                        ("vpn_connection_id", Value::string(connection_id.clone())),
                    ])
                }
            };
            put("data_center", value);
        }
    }

    // Declared spokes, with what AWS shows of them.
    let echo_spokes = attr(echo, "spokes");
    let statuses = spokes::statuses(
        &declared,
        &topology.foreign_attachments,
        &topology.propagations,
    );
    put(
        "spokes",
        match echo_spokes.as_map() {
            Some(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(name, spoke)| {
                        let (ids, status) = statuses
                            .get(name)
                            .cloned()
                            .unwrap_or_else(|| (BTreeSet::new(), spokes::NOT_ATTACHED.to_string()));
                        (
                            name.clone(),
                            Value::object([
                                ("account_id", attr(spoke, "account_id")),
                                ("cidr_blocks", attr(spoke, "cidr_blocks")),
                                (
                                    "client_vpn_endpoint_id",
                                    attr(spoke, "client_vpn_endpoint_id"),
                                ),
                                ("attachment_ids", string_set(ids)),
                                ("status", Value::string(status)),
                            ]),
                        )
                    })
                    .collect(),
            ),
            None => Value::Null,
        },
    );

    // Propagation: the applied value while every attachment matches it, its opposite as soon
    // as one does not, so drift shows in the plan (without an intent, as on import: whether
    // every attachment propagates).
    let ours: Vec<&str> = topology
        .attachments
        .values()
        .map(|a| a.id.as_str())
        .chain(topology.data_center_attachment_id())
        .collect();
    let propagating = ours
        .iter()
        .filter(|id| topology.propagations.contains(**id))
        .count();
    let route_propagation = if ours.is_empty() {
        applied
            .route_propagation
            .unwrap_or(model::DEFAULT_ROUTE_PROPAGATION)
    } else {
        match applied.route_propagation {
            Some(false) => propagating > 0,
            _ => propagating == ours.len(),
        }
    };
    put("route_propagation", Value::Bool(route_propagation));
    put(
        "mesh_routes",
        Value::Bool(known_bool(&attr(echo, "mesh_routes")).unwrap_or(model::DEFAULT_MESH_ROUTES)),
    );

    // Tags.
    let user_tags: Tags = tgw
        .tags
        .iter()
        .filter(|(k, _)| is_user_tag(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let echo_tags = attr(echo, "tags");
    let tags = if echo.is_null() || echo_tags.is_unknown() || attr(echo, "name").is_null() {
        // Import: the tags that are not the provider's default_tags.
        let own: Tags = user_tags
            .iter()
            .filter(|(k, v)| default_tags.and_then(|d| d.get(*k)) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if own.is_empty() {
            Value::Null
        } else {
            string_map(&own)
        }
    } else {
        echo_tags
    };
    put("tags", tags);
    // Every object carries the same user tags. The first one (gateway first) whose tags
    // differ from the applied `tags_all` shows its own, so a tag changed out of band on any
    // object makes the plan differ and the apply retag it.
    let user_tags_of = |tags: &Tags| -> Tags {
        tags.iter()
            .filter(|(k, _)| is_user_tag(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let children = topology
        .share
        .iter()
        .map(|s| &s.tags)
        .chain(topology.attachments.values().map(|a| &a.tags))
        .chain(
            topology
                .data_center
                .iter()
                .flat_map(|dc| dc.attachment.iter().map(|a| &a.tags)),
        )
        .chain(topology.data_center.iter().filter_map(|dc| match &dc.link {
            DataCenterLink::Vpn { tags, .. } => Some(tags),
            DataCenterLink::DirectConnect { .. } => None,
        }));
    let tags_all = match &applied.tags_all {
        Some(known) => std::iter::once(user_tags.clone())
            .chain(children.map(user_tags_of))
            .find(|tags| tags != known)
            .unwrap_or(user_tags),
        None => user_tags,
    };
    put("tags_all", string_map(&tags_all));
    put(
        "take_over",
        match attr(echo, "take_over") {
            Value::Bool(b) => Value::Bool(b),
            _ => Value::Null,
        },
    );
    put(
        "timeouts",
        match attr(echo, "timeouts") {
            v if v.is_wholly_known() => v,
            _ => Value::Null,
        },
    );

    // Routes.
    let blocks = tgw.cidr_blocks.clone();
    let empty = BTreeSet::new();
    let networks: Vec<HubNetwork> = mesh::networks(
        networks_for_labels
            .iter()
            .map(|(k, c)| (k.as_str(), c, &empty)),
        data_center_cidrs.as_ref(),
        &blocks,
        declared
            .iter()
            .map(|(name, spoke)| (name.as_str(), &spoke.cidr_blocks)),
    );
    let mut tables = RouteTables::new();
    for table in topology.route_tables.values() {
        for route in topology.routes_to_hub(table).filter(|r| r.state == ACTIVE) {
            let label = route
                .destination
                .parse()
                .ok()
                .and_then(|d| mesh::label_of(&networks, &d));
            tables.add(
                &table.id,
                vpc_keys.get(&table.vpc_id).map(String::as_str),
                &route.destination,
                label.as_deref(),
            );
        }
    }
    if let Some(table) = &tgw.association_default_route_table_id {
        for route in topology.hub_routes.values().filter(|r| r.state == ACTIVE) {
            tables.add(table, None, &route.destination, Some(DATA_CENTER));
        }
    }
    put("routes", tables.value());
    Value::Object(state)
}

/// The planned state. `live` holds what plan-time reads found (VPC CIDRs); without it, values
/// that depend on AWS are unknown. `default_tags` is `None` when the provider configuration
/// is not known yet.
pub(crate) fn planned(
    config: &Value,
    prior: &Value,
    live: Option<&LiveFacts>,
    default_tags: Option<&Tags>,
) -> Value {
    let mut state: BTreeMap<String, Value> = match config {
        Value::Object(attributes) => attributes.clone(),
        _ => BTreeMap::new(),
    };
    // Identity of the gateway: carried over once known.
    for name in ["id", "arn", "owner_id", "route_table_id"] {
        let value = match attr(prior, name) {
            Value::Null => Value::unknown(),
            known => known,
        };
        state.insert(name.into(), value);
    }
    // Defaults of the optional arguments the configuration leaves null.
    for (name, value) in [
        ("amazon_side_asn", Value::number(model::DEFAULT_ASN)),
        (
            "auto_accept_shared_attachments",
            Value::Bool(model::DEFAULT_AUTO_ACCEPT),
        ),
        ("dns_support", Value::Bool(model::DEFAULT_DNS_SUPPORT)),
        ("vpn_ecmp_support", Value::Bool(model::DEFAULT_VPN_ECMP)),
        (
            "allow_external_principals",
            Value::Bool(model::DEFAULT_ALLOW_EXTERNAL),
        ),
        (
            "route_propagation",
            Value::Bool(model::DEFAULT_ROUTE_PROPAGATION),
        ),
        ("mesh_routes", Value::Bool(model::DEFAULT_MESH_ROUTES)),
    ] {
        if state.get(name).is_none_or(Value::is_null) {
            state.insert(name.into(), value);
        }
    }

    // The share exists iff there are principals (`share_with` and the spokes' accounts).
    let config_spokes = attr(config, "spokes");
    let spokes_known = config_spokes.is_wholly_known();
    let declared = declared_spokes(&config_spokes);
    let share_with = known_strings(&attr(config, "share_with"))
        .filter(|_| spokes_known)
        .map(|mut p| {
            p.extend(declared.values().filter_map(|s| s.account_id.clone()));
            p
        });
    let share_arn = match share_with {
        None => Value::unknown(),
        Some(p) if p.is_empty() => Value::Null,
        Some(_) => match attr(prior, "resource_share_arn") {
            Value::String(arn) => Value::String(arn),
            _ => Value::unknown(),
        },
    };
    state.insert("resource_share_arn".into(), share_arn);

    state.insert(
        "tags_all".into(),
        match (default_tags, &attr(config, "tags")) {
            (Some(defaults), tags) if tags.is_wholly_known() => {
                let own: Tags = tags
                    .as_map()
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                            .collect()
                    })
                    .unwrap_or_default();
                string_map(&crate::framework::tags::merge(defaults, &own))
            }
            _ => Value::unknown(),
        },
    );

    // Attachments: computed attributes carried over from the prior attachment of the same VPC.
    let prior_by_vpc: BTreeMap<String, Value> = attr(prior, "vpc_attachments")
        .as_map()
        .map(|m| {
            m.values()
                .filter_map(|v| Some((attr(v, "vpc_id").as_str()?.to_string(), v.clone())))
                .collect()
        })
        .unwrap_or_default();
    let mut all_cidrs_known = true;
    let mut all_vpc_cidrs: BTreeSet<String> = BTreeSet::new();
    let mut planned_networks: Vec<(String, BTreeSet<String>, BTreeSet<String>)> = Vec::new();
    let mut mesh_known = true;
    let attachments = match attr(config, "vpc_attachments") {
        Value::Map(entries) => {
            let mut planned = BTreeMap::new();
            for (key, element) in entries {
                let mut element = match element {
                    Value::Object(o) => o,
                    other => {
                        planned.insert(key, other);
                        mesh_known = false;
                        continue;
                    }
                };
                if element
                    .get("appliance_mode_support")
                    .is_none_or(Value::is_null)
                {
                    element.insert(
                        "appliance_mode_support".into(),
                        Value::Bool(model::DEFAULT_APPLIANCE_MODE),
                    );
                }
                if element.get("dns_support").is_none_or(Value::is_null) {
                    element.insert(
                        "dns_support".into(),
                        Value::Bool(model::DEFAULT_ATTACHMENT_DNS),
                    );
                }
                let vpc_id = element
                    .get("vpc_id")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let prior_element = vpc_id.as_ref().and_then(|v| prior_by_vpc.get(v));
                let carried =
                    |name: &str| prior_element.map_or(Value::unknown(), |p| attr(p, name));
                element.insert("attachment_id".into(), carried("attachment_id"));
                element.insert("owner_id".into(), carried("owner_id"));
                let live_cidrs = vpc_id
                    .as_ref()
                    .and_then(|v| live.and_then(|l| l.networks.vpcs.get(v)))
                    .map(|v| v.cidr_blocks.clone());
                let cidrs = match (live_cidrs, prior_element) {
                    (Some(cidrs), _) => string_set(cidrs),
                    (None, Some(p)) if live.is_none() => attr(p, "cidr_blocks"),
                    _ => Value::unknown(),
                };
                let unchanged = prior_element.is_some_and(|p| {
                    ["subnet_ids", "appliance_mode_support", "dns_support"]
                        .iter()
                        .all(|n| attr(p, n) == element.get(*n).cloned().unwrap_or(Value::Null))
                });
                // An apply leaves every attachment `available`; an unchanged one that is
                // already is known to stay so, any other (a resumed apply's `pending` one) is
                // known after apply.
                element.insert(
                    "state".into(),
                    match carried("state") {
                        Value::String(state) if unchanged && state == "available" => {
                            Value::String(state)
                        }
                        _ => Value::unknown(),
                    },
                );
                match known_strings(&cidrs) {
                    Some(known) => all_vpc_cidrs.extend(known.iter().cloned()),
                    None => all_cidrs_known = false,
                }
                let tables = element
                    .get("route_table_ids")
                    .map(known_strings)
                    .unwrap_or(Some(BTreeSet::new()));
                match (known_strings(&cidrs), tables) {
                    (Some(c), Some(t)) => planned_networks.push((key.clone(), c, t)),
                    _ => mesh_known = false,
                }
                element.insert("cidr_blocks".into(), cidrs);
                planned.insert(key, Value::Object(element));
            }
            Value::Map(planned)
        }
        other => {
            if !other.is_null() {
                mesh_known = false;
                all_cidrs_known = false;
            }
            other
        }
    };
    state.insert("vpc_attachments".into(), attachments);

    // Spokes: what AWS shows of them is carried over while the declaration stays the same and
    // the apply will not act on their attachments (as the plan-time reads tell); otherwise
    // known after apply. So a no-op plan stays empty, and a changed spoke is that one entry.
    let prior_spokes = attr(prior, "spokes");
    let route_propagation = state.get("route_propagation").and_then(Value::as_bool);
    let acted_on = live.and_then(|l| l.spoke_actions(&declared, route_propagation?));
    let planned_spokes = match &config_spokes {
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(name, spoke)| {
                    let mut spoke = match spoke {
                        Value::Object(o) => o.clone(),
                        _ => return (name.clone(), spoke.clone()),
                    };
                    let before = prior_spokes.as_map().and_then(|m| m.get(name));
                    let same = before.is_some_and(|b| {
                        attr(b, "account_id")
                            == spoke.get("account_id").cloned().unwrap_or(Value::Null)
                            && attr(b, "cidr_blocks")
                                == spoke.get("cidr_blocks").cloned().unwrap_or(Value::Null)
                    });
                    // Attachments not read at plan time (no refresh before this plan): the
                    // state's status is what this plan knows; it is not a change to show.
                    let untouched = match &acted_on {
                        Some(names) => !names.contains(name),
                        None => true,
                    };
                    for computed in ["attachment_ids", "status"] {
                        let value = match before {
                            Some(b) if same && untouched => attr(b, computed),
                            _ => Value::unknown(),
                        };
                        spoke.insert(computed.into(), value);
                    }
                    (name.clone(), Value::Object(spoke))
                })
                .collect(),
        ),
        other => other.clone(),
    };
    state.insert("spokes".into(), planned_spokes);
    let spoke_cidrs: Option<BTreeSet<String>> = spokes_known.then(|| {
        declared
            .values()
            .flat_map(|s| s.cidr_blocks.iter().cloned())
            .collect()
    });
    if config_spokes
        .as_map()
        .is_some_and(|m| m.len() != declared.len())
    {
        all_cidrs_known = false;
    }

    // The data center.
    let prior_dc = attr(prior, "data_center");
    let mut hub_routes: Option<Option<BTreeSet<String>>> = Some(None);
    let mut dc_cidrs: Option<Option<BTreeSet<String>>> = Some(None);
    let data_center = match attr(config, "data_center") {
        Value::Object(mut dc) => {
            let get =
                |dc: &BTreeMap<String, Value>, n: &str| dc.get(n).cloned().unwrap_or(Value::Null);
            let cidrs = known_strings(&get(&dc, "cidr_blocks"));
            dc_cidrs = Some(cidrs.clone());
            let dx = get(&dc, "direct_connect_gateway_id");
            let mut vpn = get(&dc, "vpn");
            if let Value::Object(v) = &mut vpn
                && v.get("static_routes_only").is_none_or(Value::is_null)
            {
                v.insert(
                    "static_routes_only".into(),
                    Value::Bool(model::DEFAULT_STATIC_ROUTES_ONLY),
                );
            }
            dc.insert("vpn".into(), vpn.clone());
            let static_only = attr(&vpn, "static_routes_only");
            hub_routes = match (&vpn, &static_only) {
                (Value::Object(_), Value::Bool(true)) => cidrs.clone().map(Some),
                (Value::Object(_), Value::Bool(false)) | (Value::Null, _) => Some(None),
                _ => None,
            };
            match (&dx, &vpn) {
                (Value::String(gateway), _) => {
                    if get(&dc, "allowed_prefixes").is_null() {
                        dc.insert(
                            "allowed_prefixes".into(),
                            if let (true, Some(spoke_cidrs)) = (all_cidrs_known, &spoke_cidrs) {
                                string_set(all_vpc_cidrs.iter().chain(spoke_cidrs).cloned())
                            } else {
                                Value::unknown()
                            },
                        );
                    }
                    let same = attr(&prior_dc, "direct_connect_gateway_id").as_str()
                        == Some(gateway.as_str());
                    dc.insert(
                        "attachment_id".into(),
                        if same {
                            attr(&prior_dc, "attachment_id")
                        } else {
                            Value::unknown()
                        },
                    );
                    dc.insert(
                        "association_id".into(),
                        if same {
                            attr(&prior_dc, "association_id")
                        } else {
                            Value::unknown()
                        },
                    );
                    dc.insert("vpn_connection_id".into(), Value::Null);
                }
                (Value::Null, Value::Object(v)) => {
                    let prior_vpn = attr(&prior_dc, "vpn");
                    let same = attr(&prior_vpn, "customer_gateway_id")
                        == v.get("customer_gateway_id").cloned().unwrap_or(Value::Null)
                        && attr(&prior_vpn, "static_routes_only") == static_only
                        && !prior_vpn.is_null();
                    if get(&dc, "allowed_prefixes").is_null() {
                        dc.insert("allowed_prefixes".into(), Value::Null);
                    }
                    dc.insert(
                        "attachment_id".into(),
                        if same {
                            attr(&prior_dc, "attachment_id")
                        } else {
                            Value::unknown()
                        },
                    );
                    dc.insert("association_id".into(), Value::Null);
                    dc.insert(
                        "vpn_connection_id".into(),
                        if same {
                            attr(&prior_dc, "vpn_connection_id")
                        } else {
                            Value::unknown()
                        },
                    );
                }
                _ => {
                    if get(&dc, "allowed_prefixes").is_null() {
                        dc.insert("allowed_prefixes".into(), Value::unknown());
                    }
                    for name in ["attachment_id", "association_id", "vpn_connection_id"] {
                        dc.insert(name.into(), Value::unknown());
                    }
                }
            }
            Value::Object(dc)
        }
        other => {
            if other.is_unknown() {
                hub_routes = None;
                dc_cidrs = None;
            }
            other
        }
    };
    state.insert("data_center".into(), data_center);

    // Routes: known when every input is (the hub route table's id too, when it has static
    // routes: it is a key of the map).
    let blocks = known_strings(&attr(config, "transit_gateway_cidr_blocks"));
    let mesh_on = state.get("mesh_routes").and_then(Value::as_bool);
    let hub_table = state.get("route_table_id").cloned().unwrap_or(Value::Null);
    let spokes_complete = spoke_cidrs.is_some()
        && config_spokes
            .as_map()
            .is_none_or(|m| m.len() == declared.len());
    let routes = match (
        mesh_known && spokes_complete,
        dc_cidrs,
        blocks,
        mesh_on,
        hub_routes,
    ) {
        (true, Some(dc_cidrs), Some(blocks), Some(mesh_on), Some(hub_routes))
            if hub_routes.as_ref().is_none_or(|r| r.is_empty()) || hub_table.as_str().is_some() =>
        {
            let networks = mesh::networks(
                planned_networks.iter().map(|(k, c, t)| (k.as_str(), c, t)),
                dc_cidrs.as_ref(),
                &blocks,
                declared
                    .iter()
                    .map(|(name, spoke)| (name.as_str(), &spoke.cidr_blocks)),
            );
            let vpc_of_table: BTreeMap<&str, &str> = planned_networks
                .iter()
                .flat_map(|(key, _, tables)| tables.iter().map(move |t| (t.as_str(), key.as_str())))
                .collect();
            let mut tables = RouteTables::new();
            let held = live
                .map(|facts| {
                    super::handover::held_by_others(
                        facts,
                        attr(config, "take_over").as_bool() == Some(true),
                    )
                })
                .unwrap_or_default();
            if mesh_on {
                for route in mesh::vpc_routes(&networks) {
                    if held.contains(&(route.route_table_id.clone(), route.destination.clone())) {
                        continue;
                    }
                    tables.add(
                        &route.route_table_id,
                        vpc_of_table.get(route.route_table_id.as_str()).copied(),
                        &route.destination,
                        Some(&route.network),
                    );
                }
            }
            if let (Some(hub_routes), Some(table)) = (hub_routes, hub_table.as_str()) {
                for destination in mesh::sorted_destinations(&hub_routes) {
                    tables.add(table, None, &destination, Some(DATA_CENTER));
                }
            }
            tables.value()
        }
        _ => Value::unknown(),
    };
    state.insert("routes".into(), routes);
    Value::Object(state)
}

/// The network name of an attachment, as the configuration keys it: the configured key where
/// the VPC is the same, else the `migration:network` tag the hub puts on it, else its `Name`
/// (`<hub name>-<key>`, or as written), else the VPC id; never a name already `taken`, which
/// this one joins.
pub(crate) fn attachment_key(
    configured: Option<&str>,
    attachment: &VpcAttachment,
    hub_name: &str,
    taken: &mut BTreeSet<String>,
) -> String {
    let name = attachment.tags.get("Name");
    let candidates = [
        configured,
        attachment.tags.get(NETWORK_TAG).map(String::as_str),
        name.and_then(|n| n.strip_prefix(hub_name)?.strip_prefix('-')),
        name.map(String::as_str),
    ];
    let key = candidates
        .into_iter()
        .flatten()
        .find(|k| !k.is_empty() && !taken.contains(*k))
        .map_or_else(|| attachment.vpc_id.clone(), str::to_string);
    taken.insert(key.clone());
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::hub_network::topology::ForeignAttachment;

    fn spoke(account: &str, cidr: &str, computed: Option<(&[&str], &str)>) -> Value {
        let mut fields = vec![
            ("account_id", Value::string(account)),
            (
                "cidr_blocks",
                string_set(BTreeSet::from([cidr.to_string()])),
            ),
        ];
        if let Some((ids, status)) = computed {
            fields.push((
                "attachment_ids",
                string_set(ids.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>()),
            ));
            fields.push(("status", Value::string(status)));
        }
        Value::object(fields)
    }

    fn hub(spokes: Value) -> Value {
        Value::object([
            ("name", Value::string("hub")),
            ("route_propagation", Value::Bool(true)),
            ("spokes", spokes),
        ])
    }

    fn spokes(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    fn read(attachments: Vec<ForeignAttachment>) -> LiveFacts {
        LiveFacts {
            attachments: Some((attachments, BTreeSet::new())),
            ..LiveFacts::default()
        }
    }

    fn pending(owner: &str) -> ForeignAttachment {
        ForeignAttachment {
            id: "tgw-attach-1".into(),
            resource_type: "vpc".into(),
            resource_id: "vpc-9".into(),
            resource_owner_id: owner.into(),
            state: "pendingAcceptance".into(),
            associated_route_table: None,
            propagated_cidrs: BTreeSet::new(),
        }
    }

    fn status(planned: &Value, name: &str) -> Value {
        attr(
            planned
                .attr("spokes")
                .unwrap()
                .as_map()
                .unwrap()
                .get(name)
                .unwrap(),
            "status",
        )
    }

    #[test]
    fn a_hub_without_spokes_plans_them_null() {
        let config = Value::object([("name", Value::string("hub"))]);
        let planned = planned(&config, &Value::Null, None, None);
        assert_eq!(planned.attr("spokes"), Some(&Value::Null));
    }

    #[test]
    fn a_spoke_s_status_is_carried_over_unless_the_apply_acts_on_it_or_it_changed() {
        let prior = hub(spokes(vec![
            (
                "branch",
                spoke("222233334444", "10.50.0.0/16", Some((&[], "not attached"))),
            ),
            (
                "lab",
                spoke("333344445555", "10.60.0.0/16", Some((&[], "not attached"))),
            ),
        ]));
        let config = hub(spokes(vec![
            ("branch", spoke("222233334444", "10.50.0.0/16", None)),
            ("lab", spoke("333344445555", "10.60.0.0/16", None)),
        ]));
        // Nothing to act on (or no attachments read): the refreshed status stays, no diff.
        for live in [Some(read(vec![])), Some(LiveFacts::default()), None] {
            let planned = planned(&config, &prior, live.as_ref(), None);
            assert_eq!(status(&planned, "branch"), Value::string("not attached"));
            assert_eq!(planned.attr("spokes"), prior.attr("spokes"));
        }
        // The declared account's attachment waits for acceptance: that spoke alone is known
        // after apply.
        let planned_ = planned(
            &config,
            &prior,
            Some(&read(vec![pending("222233334444")])),
            None,
        );
        assert!(!status(&planned_, "branch").is_wholly_known());
        assert_eq!(status(&planned_, "lab"), Value::string("not attached"));
        // An undeclared account's attachment is not acted on.
        let planned_ = planned(
            &config,
            &prior,
            Some(&read(vec![pending("999988887777")])),
            None,
        );
        assert_eq!(planned_.attr("spokes"), prior.attr("spokes"));
        // A changed declaration is that entry alone.
        let changed = hub(spokes(vec![
            ("branch", spoke("222233334444", "10.51.0.0/16", None)),
            ("lab", spoke("333344445555", "10.60.0.0/16", None)),
        ]));
        let planned_ = planned(&changed, &prior, Some(&read(vec![])), None);
        assert!(!status(&planned_, "branch").is_wholly_known());
        assert_eq!(status(&planned_, "lab"), Value::string("not attached"));
    }

    #[test]
    fn an_apply_keeps_the_status_it_planned() {
        // "lab" is one the apply acts on: known after apply.
        let mut acted_on = spoke("333344445555", "10.60.0.0/16", None);
        if let Value::Object(fields) = &mut acted_on {
            fields.insert("attachment_ids".into(), Value::unknown());
            fields.insert("status".into(), Value::unknown());
        }
        let planned = hub(spokes(vec![
            (
                "branch",
                spoke("222233334444", "10.50.0.0/16", Some((&[], "not attached"))),
            ),
            ("lab", acted_on),
        ]));
        let mut rendered = hub(spokes(vec![
            (
                "branch",
                spoke(
                    "222233334444",
                    "10.50.0.0/16",
                    Some((&["tgw-attach-1"], "propagated")),
                ),
            ),
            (
                "lab",
                spoke(
                    "333344445555",
                    "10.60.0.0/16",
                    Some((&["tgw-attach-2"], "propagated")),
                ),
            ),
        ]));
        keep_planned_spoke_status(&mut rendered, &planned);
        assert_eq!(status(&rendered, "branch"), Value::string("not attached"));
        assert_eq!(status(&rendered, "lab"), Value::string("propagated"));
    }
}
