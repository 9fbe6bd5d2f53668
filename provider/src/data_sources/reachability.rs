//! `data "migration_reachability"`: who can reach what through a hub, from the routing AWS holds
//! right now, so that a `check` or a `precondition` can say "migration engineers reach staging
//! and the data center and nothing else" and a deleted route shows as the hop it breaks.
//!
//! The hub is read the way `terraform import` reads it (the hub's own observation, which names
//! attachments by their `migration:network` tag and finds the route tables of those VPCs that
//! route to the gateway), and the Client VPN endpoint the way `migration_client_vpn_group_access`
//! reads it (groups named by the key its rule descriptions carry). The Transit Gateway route
//! tables the attachments are associated with are read whole (propagations and every static
//! route), because a route the hub did not make can still take traffic elsewhere. Other
//! accounts' VPCs attached to the gateway are spokes (`spokes.rs`): seen as far as the hub
//! account sees them, their own route tables reported as not visible. The matrix itself is
//! `netplan::reachability`, pure.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use ipnet::IpNet;

use super::hub_network::{
    data_center_cidrs, id_problem, named_attachments, prefixes, unknown_data_center,
};
use crate::aws::call::Aws;
use crate::aws::ec2::client_vpn::Phase;
use crate::aws::ec2::route_table::RouteTable;
use crate::aws::retry::OpError;
use crate::framework::context::Ctx;
use crate::framework::data_source::{DataSource, Read, ReadError};
use crate::framework::typed::{Maybe, Strings};
use crate::netplan::cidr::parse_canonical;
use crate::netplan::reachability::{
    Attachment, Authorized, ClientVpn, Fabric, Group, Network, Path, Side, TransitGatewayTable,
    TransitGatewayTarget, VpcRouteTable, VpcTarget, render,
};
use crate::protocol::cty::{Path as AttributePath, Type, Value};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::{Attribute, Block, Nesting, Presence, Schema};
use crate::resources::client_vpn_group_access::model::parse_rule_description;
use crate::resources::client_vpn_group_access::observe as client_vpn;
use crate::resources::client_vpn_group_access::observed::Observation;
use crate::resources::hub_network::model::{DATA_CENTER, SpokeDesired};
use crate::resources::hub_network::observe::{self as hub, Scope};
use crate::resources::hub_network::topology::{DataCenterLink, Topology};
use crate::typed_object;

mod planned;
mod spokes;

pub(crate) struct Reachability;

typed_object! {
    /// One entry of `spokes`: the hub's declaration of a spoke.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct DeclaredSpoke {
        account_id: Option<String>,
        cidr_blocks: Strings,
        client_vpn_endpoint_id: Option<String>,
    }
}

typed_object! {
    pub(crate) struct Config {
        transit_gateway_id: Maybe<Option<String>>,
        client_vpn_endpoint_id: Maybe<Option<String>>,
        spokes: Maybe<Option<BTreeMap<String, DeclaredSpoke>>>,
        planned: Maybe<Option<planned::Planned>>,
    }
}

typed_object! {
    pub(crate) struct PathState {
        source: String,
        destination: String,
        reachable: bool,
        status: String,
        missing_hop: Option<String>,
        unverified_hop: Option<String>,
    }
}

typed_object! {
    pub(crate) struct State {
        transit_gateway_id: Option<String>,
        client_vpn_endpoint_id: Option<String>,
        spokes: Option<BTreeMap<String, DeclaredSpoke>>,
        planned: Option<planned::Planned>,
        paths: BTreeMap<String, PathState>,
        reachable: BTreeMap<String, Strings>,
        table: String,
    }
}

/// The key of a pair in `paths`: what a `check` block indexes with, and what a plan shows.
pub(crate) fn pair_key(source: &str, destination: &str) -> String {
    format!("{source} -> {destination}")
}

fn schema() -> Schema {
    let path_attributes = vec![
        Attribute::computed("source", Type::String)
            .describe("A network of the hub, or a Client VPN group."),
        Attribute::computed("destination", Type::String).describe("A network of the hub."),
        Attribute::computed("reachable", Type::Bool).describe(
            "Traffic from the source reaches every address of the destination, and the answers \
             find their way back to every address of the source, every hop of the way seen. \
             False when `status` is `unverified`.",
        ),
        Attribute::computed("status", Type::String).describe(
            "`reachable`; `unreachable` (a hop is missing: `missing_hop`); or `unverified`: \
             every hop the hub account can see is there, but the path leaves or returns \
             through a spoke, whose own VPC route tables are the spoke account's and not \
             visible from the hub account (`unverified_hop` names them). A missing hop always \
             wins: a broken path is `unreachable` whatever the spoke's tables say.",
        ),
        Attribute::computed("missing_hop", Type::String).describe(
            "When unreachable: the first hop a packet finds missing, in the order it would \
             meet them (there, then `return path: …`), naming the route table, prefix and \
             network at fault (for a spoke, also its attachment: not accepted \
             (`pendingAcceptance`), associated with no route table, or not propagating). Null \
             otherwise.",
        ),
        Attribute::computed("unverified_hop", Type::String).describe(
            "When unverified: the first hop the hub account cannot see, a spoke VPC's own \
             route tables toward the Transit Gateway (there, or `return path: …`), naming the \
             spoke's account; `migration_hub_spoke` in that account manages them. Null \
             otherwise.",
        ),
    ];
    let spoke_attributes = vec![
        Attribute::optional("account_id", Type::String).describe(
            "The spoke's account (12 digits); unset only for a Client VPN endpoint of the hub's \
             own account.",
        ),
        Attribute::required("cidr_blocks", Type::set(Type::String)).describe(
            "The networks the spoke may bring: its address space in the matrix until the hub \
             route table has learned the attachment's own by propagation.",
        ),
        Attribute::optional("client_vpn_endpoint_id", Type::String).describe(
            "A Client VPN endpoint attached to the hub's Transit Gateway: the spoke is its \
             `client-vpn` attachment, and `cidr_blocks` its client CIDR.",
        ),
    ];
    let attributes = vec![
        Attribute::optional("transit_gateway_id", Type::String).describe(
            "The hub's Transit Gateway, to answer from the routing AWS holds: \
             `migration_hub_network.<name>.id`. Its networks are the VPC attachments of this \
             account (named by the key of `vpc_attachments` the hub tagged them with, \
             `migration:network`), the data center (`data_center`, its prefixes read from \
             the hub's tag on its attachment) and the spokes: other accounts' VPC attachments \
             (any state but gone), named by `spokes`, else `spoke:<account>:<vpc>`, their \
             address space the CIDRs the hub route table learned from them by propagation. \
             Exactly one of `transit_gateway_id` and `planned`.",
        ),
        Attribute::optional("client_vpn_endpoint_id", Type::String).describe(
            "A Client VPN endpoint whose Active Directory groups to answer for, each as a \
             source named by its key in `migration_client_vpn_group_access` (the SID for rules \
             without one; `group:<key>` when a network has the same name). Client VPN \
             source-NATs client traffic into its VPC, which must be one of the hub's networks \
             for groups to reach the others.",
        ),
        Attribute::nested("spokes", Nesting::Map, Presence::Optional, spoke_attributes).describe(
            "The hub's declared spokes, to name the spokes of the matrix: \
             `spokes = migration_hub_network.<name>.spokes` (its computed attributes are not \
             read). An attachment of a spoke's account is named by the key of the declaration \
             whose CIDRs contain what it brings (`spoke:<key>` when a network of the hub has \
             that name; `<key>:<vpc>` for each of a spoke's several VPCs), and a declared \
             spoke with no attachment is a network of its `cidr_blocks` that is not \
             attached. With `transit_gateway_id` only.",
        ),
        planned::attribute(),
        Attribute::nested("paths", Nesting::Map, Presence::Computed, path_attributes).describe(
            "Every pair, keyed `\"<source> -> <destination>\"`: each network to every other \
             network, and each group to every network.",
        ),
        Attribute::computed("reachable", Type::map(Type::set(Type::String))).describe(
            "For each source, the destinations it reaches there and back, every hop seen (an \
             empty set when none; an `unverified` pair is not in it), for checks such as \
             `reachable[\"migration_engineers\"] == toset([\"data_center\", \"staging\"])`.",
        ),
        Attribute::computed("table", Type::String).describe(
            "The matrix as a text table, one line per pair: `yes`, `no` with the first \
                 missing hop, or `unverified` with the hop not seen.",
        ),
    ];
    Schema {
        version: 0,
        block: Block {
            attributes,
            blocks: Vec::new(),
            description: "The reachability matrix of a hub, computed from the routing AWS holds: \
                          for every pair of the hub's networks and every Client VPN group, \
                          whether traffic gets there and back and, if not, the first missing \
                          hop — a VPC route, a Transit Gateway route or propagation, a Client \
                          VPN route, an authorization rule, or another group's more specific \
                          rule shadowing it. It is read during plan when its arguments are \
                          known, so drift (a route deleted outside Terraform) fails a `check` \
                          before anything is applied; with `planned` instead of a gateway it \
                          answers for the configuration itself, before anything is deployed. \
                          Spokes (other accounts' VPCs attached to the hub) are seen as far as \
                          the hub account sees them: their attachment, its association and \
                          propagation, and the routes toward them; their own route tables are \
                          not visible, so a pair through a spoke with nothing missing is \
                          `unverified` rather than reachable. Security groups, network ACLs and \
                          the data center's own routing are not seen."
                .to_string(),
            deprecated: false,
        },
    }
}

/// A prefix AWS reported, or `None` for what is not one (a prefix-list route).
fn prefix(text: &str) -> Option<IpNet> {
    text.parse::<IpNet>().ok().map(|net| net.trunc())
}

/// A VPC route table as the reachability walk reads it: each route's target is the VPC itself,
/// the hub's gateway `tgw_id`, a blackhole (a target that is gone), or something else.
pub(crate) fn vpc_route_table(table: &RouteTable, tgw_id: &str) -> VpcRouteTable {
    VpcRouteTable {
        id: table.id.clone(),
        routes: table
            .routes
            .iter()
            .filter_map(|route| {
                let target = if route.state == "blackhole" {
                    VpcTarget::Blackhole
                } else if route.target == tgw_id {
                    VpcTarget::TransitGateway
                } else if route.target == "local" {
                    VpcTarget::Local
                } else {
                    VpcTarget::Other(route.target.clone())
                };
                Some((prefix(&route.destination)?, target))
            })
            .collect(),
    }
}

/// The networks of the hub, as the hub names them, then its spokes (named by `declared`); a
/// warning when the data center's prefixes are unknown (without them nothing can be said about
/// it).
fn networks(
    topology: &Topology,
    declared: &BTreeMap<String, SpokeDesired>,
    warnings: &mut Diagnostics,
) -> Vec<Network> {
    let tgw_id = topology.tgw.as_ref().map_or("", |t| t.id.as_str());
    let mut networks = Vec::new();
    for (name, attachment) in named_attachments(topology) {
        let vpc_id = &attachment.vpc_id;
        let route_tables = topology
            .route_tables
            .values()
            .filter(|t| &t.vpc_id == vpc_id)
            .map(|table| vpc_route_table(table, tgw_id))
            .collect();
        networks.push(Network {
            name,
            cidrs: topology
                .vpcs
                .get(vpc_id)
                .map(|v| prefixes(&v.cidr_blocks))
                .unwrap_or_default(),
            attachment: Some(Attachment {
                id: attachment.id.clone(),
                state: attachment.state.clone(),
                route_table: attachment.associated_route_table.clone(),
            }),
            side: Side::Vpc {
                vpc_id: vpc_id.clone(),
                route_tables,
            },
        });
    }
    if let (Some(data_center), Some(cidrs)) = (&topology.data_center, data_center_cidrs(topology)) {
        let attachment = data_center.attachment.as_ref();
        if cidrs.is_empty() {
            unknown_data_center(
                warnings,
                "transit_gateway_id",
                "the data center is left out of the matrix",
            );
        } else {
            networks.push(Network {
                name: DATA_CENTER.to_string(),
                cidrs,
                attachment: attachment.map(|a| Attachment {
                    id: a.id.clone(),
                    state: a.state.clone(),
                    route_table: a.associated_route_table.clone(),
                }),
                side: Side::DataCenter {
                    advertised: match &data_center.link {
                        DataCenterLink::DirectConnect {
                            allowed_prefixes, ..
                        } => Some(prefixes(allowed_prefixes)),
                        DataCenterLink::Vpn { .. } => None,
                    },
                },
            });
        }
    }
    let taken: BTreeSet<String> = networks.iter().map(|n| n.name.clone()).collect();
    networks.extend(spokes::networks(
        &topology.foreign_attachments,
        declared,
        &taken,
    ));
    networks
}

/// The `spokes` argument as the hub's model holds a declaration.
fn declared_spokes(
    spokes: Option<&BTreeMap<String, DeclaredSpoke>>,
) -> BTreeMap<String, SpokeDesired> {
    spokes
        .into_iter()
        .flatten()
        .map(|(name, spoke)| {
            (
                name.clone(),
                SpokeDesired {
                    account_id: spoke.account_id.clone(),
                    cidr_blocks: spoke.cidr_blocks.iter().cloned().collect(),
                    client_vpn_endpoint_id: spoke.client_vpn_endpoint_id.clone(),
                },
            )
        })
        .collect()
}

/// The Transit Gateway route tables the networks' attachments are associated with, read whole.
pub(crate) async fn transit_gateway_tables(
    aws: &Aws<'_>,
    networks: &[Network],
    warnings: &mut Diagnostics,
) -> Result<Vec<TransitGatewayTable>, OpError> {
    let ids: BTreeSet<&str> = networks
        .iter()
        .filter_map(|n| n.attachment.as_ref()?.route_table.as_deref())
        .collect();
    let mut tables = Vec::new();
    // One table in a hub (every attachment is associated with the gateway's default table).
    for id in ids {
        let (propagations, statics) = tokio::join!(aws.propagations(id), aws.static_routes(id));
        let (propagations, statics) = (propagations?, statics?);
        if statics.more {
            warnings.warning(
                "Transit Gateway route table not read whole",
                format!(
                    "{id} has more than 1,000 static routes and SearchTransitGatewayRoutes \
                     answers only 1,000: the matrix is computed from those."
                ),
            );
        }
        tables.push(TransitGatewayTable {
            id: id.to_string(),
            propagations,
            static_routes: statics
                .routes
                .iter()
                .filter_map(|route| {
                    let target = match &route.attachment_id {
                        Some(attachment) if route.state != "blackhole" => {
                            TransitGatewayTarget::Attachment(attachment.clone())
                        }
                        _ => TransitGatewayTarget::Blackhole,
                    };
                    Some((prefix(&route.destination)?, target))
                })
                .collect(),
        });
    }
    Ok(tables)
}

/// The endpoint's groups (named by the key their rule descriptions carry), active rules and
/// routes.
fn client_vpn_facts(observation: &Observation, networks: &[Network]) -> ClientVpn {
    let active = |status: &str| Phase::of(status) == Phase::Active;
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for rule in observation.rules.iter().filter(|r| !r.access_all) {
        let Some(sid) = rule.group_id.clone().filter(|g| !g.is_empty()) else {
            continue;
        };
        let (key, _) = parse_rule_description(rule.description.as_deref());
        names
            .entry(sid.clone())
            .or_insert_with(|| key.unwrap_or(sid));
    }
    let taken: BTreeSet<&str> = networks.iter().map(|n| n.name.as_str()).collect();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut groups = Vec::new();
    for (sid, key) in names {
        let mut name = if taken.contains(key.as_str()) {
            format!("group:{key}")
        } else {
            key
        };
        if !used.insert(name.clone()) {
            // Two groups' rules carry the same key: the SID tells them apart.
            name = sid.clone();
            used.insert(name.clone());
        }
        groups.push(Group { name, sid });
    }
    ClientVpn {
        endpoint_id: observation.endpoint.id.clone(),
        vpc_id: observation.endpoint.vpc_id.clone().unwrap_or_default(),
        groups,
        rules: observation
            .rules
            .iter()
            .filter(|r| active(&r.status))
            .filter_map(|rule| {
                let who = if rule.access_all {
                    Authorized::Everyone
                } else {
                    Authorized::Group(rule.group_id.clone()?)
                };
                Some((prefix(&rule.destination_cidr)?, who))
            })
            .collect(),
        routes: observation
            .routes
            .iter()
            .filter(|r| active(&r.status))
            .filter_map(|r| Some((prefix(&r.destination_cidr)?, r.subnet_id.clone())))
            .collect(),
    }
}

fn state(config: (Option<&str>, Option<&str>), fabric: &Fabric, paths: &[Path]) -> State {
    let text = |missing: &Option<_>| missing.as_ref().map(ToString::to_string);
    let mut reachable: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for network in &fabric.networks {
        reachable.entry(network.name.clone()).or_default();
    }
    for group in fabric.client_vpn.iter().flat_map(|vpn| &vpn.groups) {
        reachable.entry(group.name.clone()).or_default();
    }
    for path in paths.iter().filter(|p| p.reachable()) {
        reachable
            .entry(path.source.clone())
            .or_default()
            .insert(path.destination.clone());
    }
    State {
        transit_gateway_id: config.0.map(str::to_string),
        client_vpn_endpoint_id: config.1.map(str::to_string),
        spokes: None,
        planned: None,
        paths: paths
            .iter()
            .map(|p| {
                (
                    pair_key(&p.source, &p.destination),
                    PathState {
                        source: p.source.clone(),
                        destination: p.destination.clone(),
                        reachable: p.reachable(),
                        status: p.verdict().as_str().to_string(),
                        missing_hop: text(&p.missing),
                        unverified_hop: text(&p.unverified),
                    },
                )
            })
            .collect(),
        reachable: reachable
            .into_iter()
            .map(|(source, reached)| (source, Strings(reached.into_iter().collect())))
            .collect(),
        table: render(paths),
    }
}

#[async_trait]
impl DataSource for Reachability {
    const TYPE_NAME: &'static str = "migration_reachability";
    type Config = Config;
    type State = State;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Config, _: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        let planned = matches!(config.planned, Maybe::Known(Some(_)));
        match (&config.transit_gateway_id, &config.planned) {
            (Maybe::Known(None), Maybe::Known(None)) => diagnostics.error_at(
                AttributePath::root().attr("transit_gateway_id"),
                "What to answer for?",
                "Set transit_gateway_id (the hub as AWS holds it: \
                 migration_hub_network.hub.id) or planned (the networks and groups as the \
                 configuration gives them, before anything is deployed)."
                    .to_string(),
            ),
            (Maybe::Known(Some(_)), Maybe::Known(Some(_))) => diagnostics.error_at(
                AttributePath::root().attr("planned"),
                "Both transit_gateway_id and planned",
                "Set one: transit_gateway_id answers from AWS, planned from the configuration. \
                 Use two data blocks to compare them."
                    .to_string(),
            ),
            _ => {}
        }
        if planned && matches!(config.client_vpn_endpoint_id, Maybe::Known(Some(_))) {
            diagnostics.error_at(
                AttributePath::root().attr("client_vpn_endpoint_id"),
                "Endpoint with planned",
                "client_vpn_endpoint_id reads an endpoint in AWS; with planned, give the groups \
                 in planned.client_vpn instead."
                    .to_string(),
            );
        }
        planned::validate(&config.planned, &mut diagnostics);
        validate_spokes(&config.spokes, planned, &mut diagnostics);
        if let Maybe::Known(Some(id)) = &config.transit_gateway_id
            && id_problem(id, "tgw-")
        {
            diagnostics.error_at(
                AttributePath::root().attr("transit_gateway_id"),
                "Invalid Transit Gateway id",
                format!(
                    "{id:?} is not a Transit Gateway id (tgw- and hexadecimal digits). Use the \
                     hub's id: transit_gateway_id = migration_hub_network.hub.id"
                ),
            );
        }
        if let Maybe::Known(Some(id)) = &config.client_vpn_endpoint_id
            && id_problem(id, "cvpn-endpoint-")
        {
            diagnostics.error_at(
                AttributePath::root().attr("client_vpn_endpoint_id"),
                "Invalid Client VPN endpoint id",
                format!(
                    "{id:?} is not a Client VPN endpoint id (cvpn-endpoint- and hexadecimal \
                     digits). Use the endpoint the groups are given access on, e.g. \
                     migration_client_vpn_group_access.staff.client_vpn_endpoint_id"
                ),
            );
        }
        diagnostics
    }

    async fn read(&self, ctx: &Ctx, config: &Config, _: &Value) -> Result<Read<State>, ReadError> {
        if let Maybe::Known(Some(planned)) = &config.planned {
            let fabric = planned::fabric(planned);
            let paths = fabric.matrix();
            let mut state = state((None, None), &fabric, &paths);
            state.planned = Some(planned.clone());
            return Ok(state.into());
        }
        // The lifecycle reads only known configurations, and validate wants one of the two.
        let (Maybe::Known(Some(tgw_id)), Maybe::Known(endpoint_id)) =
            (&config.transit_gateway_id, &config.client_vpn_endpoint_id)
        else {
            return Err(ReadError::Invalid(not_found(
                "transit_gateway_id",
                "Configuration unknown",
                "The configuration is not known; this is a bug in the caller.".into(),
            )));
        };
        let aws = ctx.aws();
        let scope = Scope {
            tgw_id: tgw_id.clone(),
            discover: true,
            ..Scope::default()
        };
        let (topology, endpoint) = tokio::join!(Box::pin(hub::observe(&aws, &scope)), async {
            match endpoint_id {
                Some(id) => {
                    client_vpn::observe(
                        &aws,
                        id,
                        client_vpn::Scope {
                            associations: true,
                            ..client_vpn::Scope::minimal()
                        },
                    )
                    .await
                }
                None => Ok(None),
            }
        });
        let Some(topology) = topology? else {
            return Err(ReadError::Invalid(not_found(
                "transit_gateway_id",
                "Transit Gateway not found",
                format!(
                    "There is no Transit Gateway {tgw_id} in {} for these credentials (deleted, \
                     or in another account or Region). Use the hub's id: transit_gateway_id = \
                     migration_hub_network.hub.id",
                    ctx.region()
                ),
            )));
        };
        let endpoint = endpoint?;
        if let (Some(id), None) = (endpoint_id, &endpoint) {
            return Err(ReadError::Invalid(not_found(
                "client_vpn_endpoint_id",
                "Client VPN endpoint not found",
                format!(
                    "There is no Client VPN endpoint {id} in {} for these credentials. Use the \
                     endpoint the groups are given access on, or leave client_vpn_endpoint_id \
                     out for the networks alone.",
                    ctx.region()
                ),
            )));
        }
        let spokes = match &config.spokes {
            Maybe::Known(spokes) => spokes.clone(),
            Maybe::Unknown => None,
        };
        let mut read_warnings = Diagnostics::new();
        let networks = networks(
            &topology,
            &declared_spokes(spokes.as_ref()),
            &mut read_warnings,
        );
        let transit_gateway_tables =
            transit_gateway_tables(&aws, &networks, &mut read_warnings).await?;
        let client_vpn = endpoint.as_ref().map(|o| client_vpn_facts(o, &networks));
        let fabric = Fabric {
            networks,
            transit_gateway_tables,
            client_vpn,
        };
        let paths = fabric.matrix();
        let mut state = state((Some(tgw_id), endpoint_id.as_deref()), &fabric, &paths);
        state.spokes = spokes;
        let mut read: Read<State> = state.into();
        read.warnings = read_warnings;
        Ok(read)
    }
}

/// Offline checks of `spokes`: only beside `transit_gateway_id`, 12-digit accounts, CIDR blocks
/// in AWS's form.
fn validate_spokes(
    spokes: &Maybe<Option<BTreeMap<String, DeclaredSpoke>>>,
    planned: bool,
    diagnostics: &mut Diagnostics,
) {
    let Maybe::Known(Some(spokes)) = spokes else {
        return;
    };
    let root = AttributePath::root().attr("spokes");
    if planned {
        diagnostics.error_at(
            root.clone(),
            "Spokes with planned",
            "spokes names the spokes AWS shows the hub; with planned, give each spoke as a \
             network of planned.networks (its name and cidr_blocks) instead."
                .to_string(),
        );
    }
    for (name, spoke) in spokes {
        let at = root.clone().key(name.clone());
        let account = spoke.account_id.as_deref().unwrap_or_default();
        let needs_account = spoke.client_vpn_endpoint_id.is_none() || !account.is_empty();
        if needs_account && !(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())) {
            diagnostics.error_at(
                at.clone().attr("account_id"),
                "Invalid spoke account",
                format!(
                    "{account:?} is not an AWS account id: write the spoke account's 12 digits, \
                     or pass the hub's declaration whole: spokes = \
                     migration_hub_network.hub.spokes"
                ),
            );
        }
        for cidr in &spoke.cidr_blocks {
            if let Err(error) = parse_canonical(cidr) {
                diagnostics.error_at(
                    at.clone().attr("cidr_blocks"),
                    "Invalid CIDR block",
                    error.to_string(),
                );
            }
        }
    }
}

fn not_found(attribute: &str, summary: &str, detail: String) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    diagnostics.error_at(AttributePath::root().attr(attribute), summary, detail);
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::typed::{FromValue, Holds, ToValue, assert_matches_schema};
    use crate::netplan::reachability::{Hop, Missing, Way};

    #[test]
    fn the_typed_structs_are_the_schema() {
        let schema = schema();
        assert_eq!(schema.sanity_errors(), Vec::<String>::new());
        assert_matches_schema::<Config>(&schema.block, &[], Holds::Arguments);
        assert_matches_schema::<State>(&schema.block, &[], Holds::Everything);
        assert_matches_schema::<PathState>(&schema.block, &["paths"], Holds::Everything);
        assert_matches_schema::<DeclaredSpoke>(&schema.block, &["spokes"], Holds::Arguments);
        assert_matches_schema::<planned::Planned>(&schema.block, &["planned"], Holds::Arguments);
        assert_matches_schema::<planned::PlannedClientVpn>(
            &schema.block,
            &["planned", "client_vpn"],
            Holds::Arguments,
        );
    }

    #[test]
    fn ids_are_checked_offline_on_their_attribute() {
        let config = |tgw: &str, endpoint: Value| {
            Config::from_value(&Value::object([
                ("transit_gateway_id", Value::string(tgw)),
                ("client_vpn_endpoint_id", endpoint),
                ("spokes", Value::Null),
                ("planned", Value::Null),
                ("paths", Value::Null),
                ("reachable", Value::Null),
                ("table", Value::Null),
            ]))
            .unwrap()
        };
        let fine = config("tgw-0a1b", Value::string("cvpn-endpoint-12ab"));
        assert!(Reachability.validate(&fine, &Value::Null).is_empty());
        let unknown = config("tgw-0a1b", Value::unknown());
        assert!(Reachability.validate(&unknown, &Value::Null).is_empty());
        let wrong = config("vpc-0a1b", Value::string("cvpn-12"));
        let found = Reachability.validate(&wrong, &Value::Null);
        let places: Vec<String> = found
            .iter()
            .map(|d| d.attribute.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(places, ["transit_gateway_id", "client_vpn_endpoint_id"]);
        assert!(found.0[0].detail.contains("migration_hub_network.hub.id"));
    }

    #[test]
    fn declared_spokes_are_checked_offline_on_their_attribute() {
        let spoke = |account: &str, cidr: &str| {
            Value::object([
                ("account_id", Value::string(account)),
                ("cidr_blocks", Value::Set(vec![Value::string(cidr)])),
                ("client_vpn_endpoint_id", Value::Null),
            ])
        };
        let config = |spokes: Value, planned: Value| {
            Config::from_value(&Value::object([
                ("transit_gateway_id", Value::Null),
                ("client_vpn_endpoint_id", Value::Null),
                ("spokes", spokes),
                ("planned", planned),
                ("paths", Value::Null),
                ("reachable", Value::Null),
                ("table", Value::Null),
            ]))
            .unwrap()
        };
        let fine = Value::Map(BTreeMap::from([(
            "branch".to_string(),
            spoke("222233334444", "10.50.0.0/16"),
        )]));
        let mut live = config(fine.clone(), Value::Null);
        live.transit_gateway_id = Maybe::Known(Some("tgw-0a1b".into()));
        assert!(Reachability.validate(&live, &Value::Null).is_empty());

        let wrong = Value::Map(BTreeMap::from([(
            "branch".to_string(),
            spoke("2222", "10.50.0.1/16"),
        )]));
        let mut bad = config(wrong, Value::Null);
        bad.transit_gateway_id = Maybe::Known(Some("tgw-0a1b".into()));
        let found: Vec<(String, String)> = Reachability
            .validate(&bad, &Value::Null)
            .iter()
            .map(|d| (d.attribute.as_ref().unwrap().to_string(), d.detail.clone()))
            .collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].0, "spokes[\"branch\"].account_id");
        assert!(
            found[0].1.contains("migration_hub_network.hub.spokes"),
            "{}",
            found[0].1
        );
        assert_eq!(found[1].0, "spokes[\"branch\"].cidr_blocks");

        let planned = Value::object([
            (
                "networks",
                Value::Map(BTreeMap::from([(
                    "staging".to_string(),
                    Value::Set(vec![Value::string("10.10.0.0/16")]),
                )])),
            ),
            ("client_vpn", Value::Null),
        ]);
        let both = config(fine, planned);
        let found = Reachability.validate(&both, &Value::Null);
        assert_eq!(found.0.len(), 1, "{found:#?}");
        assert_eq!(found.0[0].summary, "Spokes with planned");
        assert_eq!(found.0[0].attribute.as_ref().unwrap().to_string(), "spokes");
    }

    #[test]
    fn the_state_lists_every_source_even_one_that_reaches_nothing() {
        let fabric = Fabric {
            networks: vec![
                Network {
                    name: "staging".into(),
                    cidrs: vec!["10.10.0.0/16".parse().unwrap()],
                    attachment: None,
                    side: Side::Vpc {
                        vpc_id: "vpc-1".into(),
                        route_tables: Vec::new(),
                    },
                },
                Network {
                    name: "target".into(),
                    cidrs: vec!["10.20.0.0/16".parse().unwrap()],
                    attachment: None,
                    side: Side::Vpc {
                        vpc_id: "vpc-2".into(),
                        route_tables: Vec::new(),
                    },
                },
            ],
            ..Fabric::default()
        };
        let paths = fabric.matrix();
        let state = state((Some("tgw-1"), None), &fabric, &paths);
        assert_eq!(state.reachable["staging"], Strings(Vec::new()));
        let pair = &state.paths["staging -> target"];
        assert!(!pair.reachable);
        assert_eq!(
            pair.missing_hop.as_deref(),
            Some("no route table of VPC staging routes to the Transit Gateway")
        );
        assert_eq!(
            paths[0].missing,
            Some(Missing {
                way: Way::There,
                hop: Hop::NoVpcRouteTable {
                    network: "staging".into()
                }
            })
        );
        let value = state.to_value();
        assert!(value.conforms(&schema().implied_type()), "{value:?}");
    }
}
