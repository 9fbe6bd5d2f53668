//! Who can reach what through a hub, from the routing facts alone, before any traffic flows.
//!
//! AWS answers this only after deployment and one path at a time (Reachability Analyzer). Here
//! the facts AWS holds — VPC route tables, the Transit Gateway's route tables with their
//! associations, propagations and static routes, what a Direct Connect gateway advertises, and
//! a Client VPN endpoint's authorization rules and routes — decide every pair at once, each
//! table by longest prefix as AWS decides it ([`Index`]), over whole networks rather than
//! sampled addresses. A pair is reachable when every address of the destination can be reached
//! *and* every address of the source can be answered; otherwise the answer is the first hop a
//! packet would find missing, walking the way the packet walks.
//!
//! What is not modelled, because AWS does not show it to the hub: routing inside the data
//! center (a site-to-site VPN's customer side), security groups and network ACLs, and Client VPN
//! endpoints attached natively to a Transit Gateway. Client VPN source-NATs client traffic to
//! its associated subnets, so a group's return path is the endpoint VPC's.
//!
//! A spoke (another account's VPC attached to the hub's gateway) is a network whose own route
//! tables the hub account cannot read. Its hop toward the gateway is neither assumed nor
//! counted as missing: a pair whose every visible hop is there but that leaves or returns
//! through a spoke is *unverified* ([`Path::unverified`]), naming that hop, so a `check`
//! can tell "broken" from "cannot be seen from here". A hop that is missing wins over one that
//! cannot be seen, since the path is broken whatever the spoke's tables say.

use super::lpm::Index;
use ipnet::IpNet;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Everything reachability depends on, as AWS holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fabric {
    /// The hub's networks: its VPCs and the data center.
    pub networks: Vec<Network>,
    /// The route tables the attachments are associated with.
    pub transit_gateway_tables: Vec<TransitGatewayTable>,
    /// The Client VPN endpoint whose groups to answer for, if any.
    pub client_vpn: Option<ClientVpn>,
}

/// One network of the hub, by the name its configuration gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    /// The key of `vpc_attachments`, or `data_center`.
    pub name: String,
    /// Its address space: a VPC's CIDR blocks, the data center's prefixes.
    pub cidrs: Vec<IpNet>,
    /// Its Transit Gateway attachment, if it has one.
    pub attachment: Option<Attachment>,
    /// What kind of network it is, with what decides its own traffic.
    pub side: Side,
}

/// Where a network's own traffic toward the Transit Gateway is decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Side {
    /// A VPC: its route tables that route to the Transit Gateway decide, every one of them
    /// (each serves some of its subnets).
    Vpc {
        /// The VPC (`vpc-…`).
        vpc_id: String,
        /// Its route tables that route something to the hub's Transit Gateway.
        route_tables: Vec<VpcRouteTable>,
    },
    /// The data center: over Direct Connect it learns only the prefixes the gateway association
    /// advertises (`Some`); over a VPN its routing is its own (`None`).
    DataCenter {
        /// The association's allowed prefixes, or `None` for a VPN.
        advertised: Option<Vec<IpNet>>,
    },
    /// Another account's VPC attached to the hub's gateway: its route tables are that
    /// account's (`migration_hub_spoke` routes them), and DescribeRouteTables does not show
    /// them to the hub account, so its own hop toward the gateway is never judged.
    Spoke {
        /// The account that owns the VPC.
        account_id: String,
        /// The VPC (`vpc-…`), when an attachment names it; `None` for a declared spoke that
        /// has not attached yet.
        vpc_id: Option<String>,
    },
}

/// A Transit Gateway attachment of a network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// `tgw-attach-…`.
    pub id: String,
    /// Only an `available` attachment carries traffic.
    pub state: String,
    /// The Transit Gateway route table it is associated with, which decides where its traffic goes.
    pub route_table: Option<String>,
}

impl Attachment {
    fn carries_traffic(&self) -> bool {
        self.state == "available"
    }
}

/// A VPC route table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VpcRouteTable {
    /// `rtb-…`.
    pub id: String,
    /// Destination → target, local routes included.
    pub routes: Vec<(IpNet, VpcTarget)>,
}

/// Where a VPC route sends traffic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VpcTarget {
    /// The VPC's own address space.
    Local,
    /// The hub's Transit Gateway.
    TransitGateway,
    /// A route whose target is gone.
    Blackhole,
    /// Anything else (a peering connection, a NAT gateway, another Transit Gateway …).
    Other(String),
}

/// A Transit Gateway route table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransitGatewayTable {
    /// `tgw-rtb-…`.
    pub id: String,
    /// Attachments propagating their networks into this table.
    pub propagations: BTreeSet<String>,
    /// Static routes, destination → target.
    pub static_routes: Vec<(IpNet, TransitGatewayTarget)>,
}

/// Where a Transit Gateway static route sends traffic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransitGatewayTarget {
    /// An attachment (`tgw-attach-…`).
    Attachment(String),
    /// Nowhere: the route drops traffic.
    Blackhole,
}

/// A Client VPN endpoint and who may use it for what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientVpn {
    /// `cvpn-endpoint-…`.
    pub endpoint_id: String,
    /// The VPC of its target networks, where client traffic enters (source-NATed).
    pub vpc_id: String,
    /// The groups to answer for, by name.
    pub groups: Vec<Group>,
    /// Active authorization rules.
    pub rules: Vec<(IpNet, Authorized)>,
    /// Active Client VPN routes, destination → target subnet.
    pub routes: Vec<(IpNet, String)>,
}

/// An Active Directory group of the endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The group's key in `migration_client_vpn_group_access` (its SID when it has none).
    pub name: String,
    /// The group's SID, which authorization rules name.
    pub sid: String,
}

/// Whom an authorization rule lets through.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Authorized {
    /// The group of this SID.
    Group(String),
    /// Every user of the endpoint.
    Everyone,
}

/// The answer for one (source, destination) pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// A network or a Client VPN group.
    pub source: String,
    /// A network.
    pub destination: String,
    /// The first hop missing, or `None` when none that can be seen is.
    pub missing: Option<Missing>,
    /// With nothing missing, the first hop the hub account cannot see (a spoke's own route
    /// tables), on which way; always `None` when a hop is missing.
    pub unverified: Option<Missing>,
}

/// What is known of a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Traffic gets there and back: every hop was seen.
    Reachable,
    /// Every hop the hub account can see is there, but one it cannot see decides.
    Unverified,
    /// A hop is missing.
    Unreachable,
}

impl Verdict {
    /// How the data source and the table name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Reachable => "reachable",
            Verdict::Unverified => "unverified",
            Verdict::Unreachable => "unreachable",
        }
    }
}

impl Path {
    /// Traffic gets there and back, every hop of the way seen.
    pub fn reachable(&self) -> bool {
        self.verdict() == Verdict::Reachable
    }

    /// Reachable, unreachable, or not known from the hub account.
    pub fn verdict(&self) -> Verdict {
        match (&self.missing, &self.unverified) {
            (Some(_), _) => Verdict::Unreachable,
            (None, Some(_)) => Verdict::Unverified,
            (None, None) => Verdict::Reachable,
        }
    }
}

/// The first hop a packet finds missing, and on which way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    /// There or back.
    pub way: Way,
    /// What is missing.
    pub hop: Hop,
}

/// The direction of a leg of a round trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Way {
    /// From the source to the destination.
    There,
    /// The answer, from the destination back to the source.
    Back,
}

/// Why a packet stops. Networks are named as the hub names them; prefixes are the ones at fault.
/// The fields are what the [`Display`](fmt::Display) text names, so they are not described again.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hop {
    /// The source VPC has no route table routing anything to the Transit Gateway.
    NoVpcRouteTable {
        network: String,
    },
    NoVpcRoute {
        network: String,
        table: String,
        prefix: IpNet,
        destination: String,
    },
    VpcRouteElsewhere {
        network: String,
        table: String,
        prefix: IpNet,
        target: VpcTarget,
        destination: String,
    },
    /// The Direct Connect gateway association does not advertise the prefix to the data center.
    NotAdvertised {
        prefix: IpNet,
        destination: String,
    },
    /// The network has no attachment that carries traffic.
    NotAttached {
        network: String,
        state: Option<String>,
    },
    NoTransitGatewayTable {
        network: String,
        attachment: String,
    },
    NoTransitGatewayRoute {
        table: String,
        prefix: IpNet,
        destination: String,
        destination_attached: bool,
    },
    TransitGatewayRouteElsewhere {
        table: String,
        prefix: IpNet,
        /// The network the route leads to, when it is one of the hub's.
        target: Option<String>,
        /// `None` for a blackhole.
        attachment: Option<String>,
        destination: String,
    },
    NoAuthorization {
        group: String,
        prefix: IpNet,
        destination: String,
    },
    /// The group's rule on `own` loses `prefix` to a more specific rule of other groups.
    Shadowed {
        group: String,
        own: IpNet,
        prefix: IpNet,
        by: Vec<String>,
        destination: String,
    },
    NoClientVpnRoute {
        prefix: IpNet,
        destination: String,
    },
    EndpointVpcNotInHub {
        endpoint: String,
        vpc_id: String,
    },
    /// Nothing is known of the destination's address space, so no route to it can be judged;
    /// `propagating`: its attachment propagates into some Transit Gateway route table.
    NoKnownCidrs {
        network: String,
        propagating: bool,
    },
    /// Not missing: not visible. A spoke VPC's own route tables are its account's.
    SpokeRoutesNotVisible {
        network: String,
        account_id: String,
        vpc_id: Option<String>,
    },
}

impl fmt::Display for VpcTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VpcTarget::Local => write!(f, "the VPC itself (local)"),
            VpcTarget::TransitGateway => write!(f, "the Transit Gateway"),
            VpcTarget::Blackhole => write!(f, "a deleted target (blackhole)"),
            VpcTarget::Other(target) => write!(f, "{target}"),
        }
    }
}

impl fmt::Display for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hop::NoVpcRouteTable { network } => write!(
                f,
                "no route table of VPC {network} routes to the Transit Gateway"
            ),
            Hop::NoVpcRoute {
                network,
                table,
                prefix,
                destination,
            } => write!(
                f,
                "route table {table} of {network} has no route for {prefix} ({destination})"
            ),
            Hop::VpcRouteElsewhere {
                network,
                table,
                prefix,
                target,
                destination,
            } => write!(
                f,
                "route table {table} of {network} sends {prefix} ({destination}) to {target}, \
                 not to the Transit Gateway"
            ),
            Hop::NotAdvertised {
                prefix,
                destination,
            } => write!(
                f,
                "the Direct Connect gateway association does not advertise {prefix} \
                 ({destination}) to the data center (allowed_prefixes)"
            ),
            Hop::NotAttached { network, state } => match state {
                None => write!(f, "{network} is not attached to the Transit Gateway"),
                Some(state) => write!(
                    f,
                    "the Transit Gateway attachment of {network} is {state}, not available"
                ),
            },
            Hop::NoTransitGatewayTable {
                network,
                attachment,
            } => write!(
                f,
                "the attachment {attachment} of {network} is associated with no Transit Gateway \
                 route table"
            ),
            Hop::NoTransitGatewayRoute {
                table,
                prefix,
                destination,
                destination_attached,
            } => {
                write!(
                    f,
                    "Transit Gateway route table {table} has no route for {prefix} \
                     ({destination}): no static route, and "
                )?;
                if *destination_attached {
                    write!(f, "{destination}'s attachment does not propagate into it")
                } else {
                    write!(f, "{destination} is not attached to the Transit Gateway")
                }
            }
            Hop::TransitGatewayRouteElsewhere {
                table,
                prefix,
                target,
                attachment,
                destination,
            } => match (attachment, target) {
                (None, _) => write!(
                    f,
                    "Transit Gateway route table {table} drops {prefix} ({destination}): its \
                     route is a blackhole"
                ),
                (Some(attachment), Some(network)) => write!(
                    f,
                    "Transit Gateway route table {table} sends {prefix} ({destination}) to \
                     {network} ({attachment})"
                ),
                (Some(attachment), None) => write!(
                    f,
                    "Transit Gateway route table {table} sends {prefix} ({destination}) to \
                     {attachment}, which is not one of the hub's networks"
                ),
            },
            Hop::NoAuthorization {
                group,
                prefix,
                destination,
            } => write!(
                f,
                "no Client VPN authorization rule lets group {group} reach {prefix} \
                 ({destination})"
            ),
            Hop::Shadowed {
                group,
                own,
                prefix,
                by,
                destination,
            } => write!(
                f,
                "group {group}'s rule on {own} is shadowed on {prefix} ({destination}) by the \
                 more specific rule of {} (Client VPN authorizes by longest prefix across \
                 groups): add a rule for {group} on {prefix}",
                by.join(", ")
            ),
            Hop::NoClientVpnRoute {
                prefix,
                destination,
            } => write!(f, "no Client VPN route for {prefix} ({destination})"),
            Hop::EndpointVpcNotInHub { endpoint, vpc_id } => write!(
                f,
                "the VPC {vpc_id} of Client VPN endpoint {endpoint} is not one of the hub's \
                 networks"
            ),
            Hop::NoKnownCidrs {
                network,
                propagating: false,
            } => write!(
                f,
                "the attachment of {network} propagates into no Transit Gateway route table, so \
                 the hub account knows none of its CIDR blocks and no route to it can be \
                 checked (declare them in the data source's `spokes`)"
            ),
            Hop::NoKnownCidrs {
                network,
                propagating: true,
            } => write!(
                f,
                "no CIDR block of {network} is known to the hub account, so no route to it can \
                 be checked (declare them in the data source's `spokes`)"
            ),
            Hop::SpokeRoutesNotVisible {
                network,
                account_id,
                vpc_id,
            } => {
                write!(f, "the route tables of {network}'s VPC ")?;
                if let Some(vpc_id) = vpc_id {
                    write!(f, "{vpc_id} ")?;
                }
                write!(
                    f,
                    "are account {account_id}'s and not visible from the hub account \
                     (`migration_hub_spoke` there routes them to the hub)"
                )
            }
        }
    }
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.way {
            Way::There => write!(f, "{}", self.hop),
            Way::Back => write!(f, "return path: {}", self.hop),
        }
    }
}

/// A network with its own tables indexed once, for every pair it is part of.
struct Prepared<'a> {
    network: &'a Network,
    /// Its VPC route tables, by id.
    vpc_tables: Vec<(&'a str, Index<&'a VpcTarget>)>,
    /// What Direct Connect advertises to it, when it is a data center over Direct Connect.
    advertised: Option<Index<()>>,
}

impl<'a> Prepared<'a> {
    fn new(network: &'a Network) -> Prepared<'a> {
        let (vpc_tables, advertised) = match &network.side {
            Side::Vpc { route_tables, .. } => (
                route_tables
                    .iter()
                    .map(|t| {
                        let routes = t.routes.iter().map(|(prefix, target)| (*prefix, target));
                        (t.id.as_str(), Index::new(routes))
                    })
                    .collect(),
                None,
            ),
            Side::DataCenter { advertised } => (
                Vec::new(),
                advertised
                    .as_ref()
                    .map(|prefixes| Index::new(prefixes.iter().map(|p| (*p, ())))),
            ),
            Side::Spoke { .. } => (Vec::new(), None),
        };
        Prepared {
            network,
            vpc_tables,
            advertised,
        }
    }
}

/// A pair's answer before it is named: the first hop missing, else the first not seen.
#[derive(Default)]
struct Judged {
    missing: Option<Missing>,
    unverified: Option<Missing>,
}

impl Judged {
    fn missing(way: Way, hop: Hop) -> Judged {
        Judged {
            missing: Some(Missing { way, hop }),
            unverified: None,
        }
    }
}

/// Why a network of no known address cannot be reached: its attachment when that carries no
/// traffic, else the unknown address space itself (and whether anything propagates it).
fn unknown_space(fabric: &Fabric, network: &Network) -> Hop {
    match &network.attachment {
        Some(attachment) if attachment.carries_traffic() => Hop::NoKnownCidrs {
            network: network.name.clone(),
            propagating: fabric
                .transit_gateway_tables
                .iter()
                .any(|t| t.propagations.contains(&attachment.id)),
        },
        other => Hop::NotAttached {
            network: network.name.clone(),
            state: other.as_ref().map(|a| a.state.clone()),
        },
    }
}

/// The hop of traffic leaving `network` that the hub account cannot see: a spoke's own tables.
fn not_visible(network: &Network) -> Option<Hop> {
    match &network.side {
        Side::Spoke { account_id, vpc_id } => Some(Hop::SpokeRoutesNotVisible {
            network: network.name.clone(),
            account_id: account_id.clone(),
            vpc_id: vpc_id.clone(),
        }),
        Side::Vpc { .. } | Side::DataCenter { .. } => None,
    }
}

/// The fabric with its lookups built once, for every pair.
struct Walk<'a> {
    fabric: &'a Fabric,
    networks: Vec<Prepared<'a>>,
    by_attachment: BTreeMap<&'a str, &'a Network>,
    /// Each Transit Gateway route table as AWS evaluates it: static routes, then the routes the
    /// propagating attachments bring (a static route wins over a propagated one of the same
    /// prefix).
    tables: BTreeMap<&'a str, Index<TransitGatewayTarget>>,
    /// The Client VPN rules by prefix, with whom each prefix lets through, and their index.
    rules: Vec<(IpNet, BTreeSet<&'a Authorized>)>,
    rule_index: Index<usize>,
    /// The Client VPN routes.
    vpn_routes: Index<()>,
}

impl<'a> Walk<'a> {
    fn new(fabric: &'a Fabric) -> Walk<'a> {
        let by_attachment: BTreeMap<&str, &Network> = fabric
            .networks
            .iter()
            .filter_map(|n| Some((n.attachment.as_ref()?.id.as_str(), n)))
            .collect();
        let tables = fabric
            .transit_gateway_tables
            .iter()
            .map(|table| {
                let mut routes = table.static_routes.clone();
                for attachment in &table.propagations {
                    if let Some(network) = by_attachment.get(attachment.as_str()) {
                        routes.extend(network.cidrs.iter().map(|cidr| {
                            (
                                cidr.trunc(),
                                TransitGatewayTarget::Attachment(attachment.clone()),
                            )
                        }));
                    }
                }
                (table.id.as_str(), Index::new(routes))
            })
            .collect();
        let mut holders: BTreeMap<IpNet, BTreeSet<&Authorized>> = BTreeMap::new();
        for (prefix, who) in fabric.client_vpn.iter().flat_map(|vpn| &vpn.rules) {
            holders.entry(prefix.trunc()).or_default().insert(who);
        }
        let rules: Vec<(IpNet, BTreeSet<&Authorized>)> = holders.into_iter().collect();
        let rule_index = Index::new(rules.iter().enumerate().map(|(at, (p, _))| (*p, at)));
        let vpn_routes = Index::new(
            fabric
                .client_vpn
                .iter()
                .flat_map(|vpn| &vpn.routes)
                .map(|(prefix, _)| (*prefix, ())),
        );
        Walk {
            fabric,
            networks: fabric.networks.iter().map(Prepared::new).collect(),
            by_attachment,
            tables,
            rules,
            rule_index,
            vpn_routes,
        }
    }

    /// The first hop missing for traffic from `source` to every address of `destination`. A
    /// destination of no known address is judged by its attachment alone, and never reached.
    fn leg(&self, source: &Prepared<'_>, destination: &Network) -> Option<Hop> {
        if destination.cidrs.is_empty() {
            return Some(unknown_space(self.fabric, destination));
        }
        for prefix in &destination.cidrs {
            if let Some(hop) = self.leg_to(source, destination, prefix) {
                return Some(hop);
            }
        }
        None
    }

    fn leg_to(
        &self,
        prepared: &Prepared<'_>,
        destination: &Network,
        prefix: &IpNet,
    ) -> Option<Hop> {
        let source = prepared.network;
        let to = || destination.name.clone();
        if matches!(source.side, Side::Vpc { .. }) && prepared.vpc_tables.is_empty() {
            return Some(Hop::NoVpcRouteTable {
                network: source.name.clone(),
            });
        }
        for (table, routes) in &prepared.vpc_tables {
            let decision = routes.deciding(prefix);
            if decision.uncovered {
                return Some(Hop::NoVpcRoute {
                    network: source.name.clone(),
                    table: table.to_string(),
                    prefix: *prefix,
                    destination: to(),
                });
            }
            if let Some((at, target)) = decision
                .deciders
                .iter()
                .find(|(_, target)| ***target != VpcTarget::TransitGateway)
            {
                return Some(Hop::VpcRouteElsewhere {
                    network: source.name.clone(),
                    table: table.to_string(),
                    prefix: *at,
                    target: (**target).clone(),
                    destination: to(),
                });
            }
        }
        if let Some(advertised) = &prepared.advertised
            && advertised.deciding(prefix).uncovered
        {
            return Some(Hop::NotAdvertised {
                prefix: *prefix,
                destination: to(),
            });
        }
        let attachment = match &source.attachment {
            Some(attachment) if attachment.carries_traffic() => attachment,
            other => {
                return Some(Hop::NotAttached {
                    network: source.name.clone(),
                    state: other.as_ref().map(|a| a.state.clone()),
                });
            }
        };
        let Some((table_id, table)) = attachment
            .route_table
            .as_deref()
            .and_then(|id| Some((id, self.tables.get(id)?)))
        else {
            return Some(Hop::NoTransitGatewayTable {
                network: source.name.clone(),
                attachment: attachment.id.clone(),
            });
        };
        let arriving = destination.attachment.as_ref().map(|a| a.id.as_str());
        let decision = table.deciding(prefix);
        if decision.uncovered {
            // An attachment that carries no traffic propagates nothing: its state is the cause.
            if let Some(attachment) = &destination.attachment
                && !attachment.carries_traffic()
            {
                return Some(Hop::NotAttached {
                    network: destination.name.clone(),
                    state: Some(attachment.state.clone()),
                });
            }
            return Some(Hop::NoTransitGatewayRoute {
                table: table_id.to_string(),
                prefix: *prefix,
                destination: to(),
                destination_attached: arriving.is_some(),
            });
        }
        for (at, target) in &decision.deciders {
            let attachment = match target {
                TransitGatewayTarget::Attachment(id) if Some(id.as_str()) == arriving => continue,
                TransitGatewayTarget::Attachment(id) => Some(id.clone()),
                TransitGatewayTarget::Blackhole => None,
            };
            return Some(Hop::TransitGatewayRouteElsewhere {
                table: table_id.to_string(),
                prefix: *at,
                target: attachment
                    .as_deref()
                    .and_then(|id| self.by_attachment.get(id))
                    .map(|n| n.name.clone()),
                attachment,
                destination: to(),
            });
        }
        match &destination.attachment {
            Some(attachment) if attachment.carries_traffic() => None,
            other => Some(Hop::NotAttached {
                network: destination.name.clone(),
                state: other.as_ref().map(|a| a.state.clone()),
            }),
        }
    }

    /// There over `leg(source, destination)`, back over `leg(destination, source)`; with
    /// nothing missing, the first spoke's own tables on the way are what is not seen.
    fn round_trip(&self, source: &Prepared<'_>, destination: &Prepared<'_>) -> Judged {
        if let Some(hop) = self.leg(source, destination.network) {
            return Judged::missing(Way::There, hop);
        }
        if let Some(hop) = self.leg(destination, source.network) {
            return Judged::missing(Way::Back, hop);
        }
        let unseen = [
            (Way::There, source.network),
            (Way::Back, destination.network),
        ]
        .into_iter()
        .find_map(|(way, leaving)| Some((way, not_visible(leaving)?)));
        Judged {
            missing: None,
            unverified: unseen.map(|(way, hop)| Missing { way, hop }),
        }
    }

    fn group(&self, vpn: &ClientVpn, group: &Group, target: &Prepared<'_>) -> Judged {
        let destination = target.network;
        let there = |hop| Judged::missing(Way::There, hop);
        if destination.cidrs.is_empty() {
            return there(unknown_space(self.fabric, destination));
        }
        let rules = &self.rules;
        let me = Authorized::Group(group.sid.clone());
        let allows =
            |who: &BTreeSet<&Authorized>| who.contains(&me) || who.contains(&Authorized::Everyone);
        for prefix in &destination.cidrs {
            let decision = self.rule_index.deciding(prefix);
            if decision.uncovered {
                return there(Hop::NoAuthorization {
                    group: group.name.clone(),
                    prefix: *prefix,
                    destination: destination.name.clone(),
                });
            }
            let Some((lost, by)) = decision
                .deciders
                .iter()
                .map(|(p, at)| (p, &rules[**at].1))
                .find(|(_, who)| !allows(who))
            else {
                continue;
            };
            // The group's most specific own rule around the lost prefix, if any, is shadowed.
            let own = rules
                .iter()
                .filter(|(p, who)| {
                    p.prefix_len() < lost.prefix_len() && p.contains(lost) && allows(who)
                })
                .map(|(p, _)| *p)
                .max_by_key(IpNet::prefix_len);
            let hop = match own {
                Some(own) => Hop::Shadowed {
                    group: group.name.clone(),
                    own,
                    prefix: *lost,
                    by: by.iter().map(|who| self.holder_name(vpn, who)).collect(),
                    destination: destination.name.clone(),
                },
                None => Hop::NoAuthorization {
                    group: group.name.clone(),
                    prefix: *lost,
                    destination: destination.name.clone(),
                },
            };
            return there(hop);
        }
        for prefix in &destination.cidrs {
            if self.vpn_routes.deciding(prefix).uncovered {
                return there(Hop::NoClientVpnRoute {
                    prefix: *prefix,
                    destination: destination.name.clone(),
                });
            }
        }
        let entry = self
            .networks
            .iter()
            .find(|n| matches!(&n.network.side, Side::Vpc { vpc_id, .. } if *vpc_id == vpn.vpc_id));
        match entry {
            None => there(Hop::EndpointVpcNotInHub {
                endpoint: vpn.endpoint_id.clone(),
                vpc_id: vpn.vpc_id.clone(),
            }),
            Some(entry) if entry.network.name == destination.name => Judged::default(),
            Some(entry) => self.round_trip(entry, target),
        }
    }

    fn holder_name(&self, vpn: &ClientVpn, who: &Authorized) -> String {
        match who {
            Authorized::Everyone => "all users".to_string(),
            Authorized::Group(sid) => vpn
                .groups
                .iter()
                .find(|g| &g.sid == sid)
                .map_or_else(|| sid.clone(), |g| g.name.clone()),
        }
    }
}

impl Fabric {
    /// Every pair: each network to every other, then each Client VPN group to every network;
    /// sources and destinations in name order.
    pub fn matrix(&self) -> Vec<Path> {
        let walk = Walk::new(self);
        let mut networks: Vec<&Prepared<'_>> = walk.networks.iter().collect();
        networks.sort_by(|a, b| a.network.name.cmp(&b.network.name));
        let mut paths = Vec::new();
        for source in &networks {
            for destination in &networks {
                if source.network.name != destination.network.name {
                    let judged = walk.round_trip(source, destination);
                    paths.push(Path {
                        source: source.network.name.clone(),
                        destination: destination.network.name.clone(),
                        missing: judged.missing,
                        unverified: judged.unverified,
                    });
                }
            }
        }
        if let Some(vpn) = &self.client_vpn {
            let mut groups: Vec<&Group> = vpn.groups.iter().collect();
            groups.sort_by(|a, b| a.name.cmp(&b.name));
            for group in groups {
                for destination in &networks {
                    let judged = walk.group(vpn, group, destination);
                    paths.push(Path {
                        source: group.name.clone(),
                        destination: destination.network.name.clone(),
                        missing: judged.missing,
                        unverified: judged.unverified,
                    });
                }
            }
        }
        paths
    }
}

/// The matrix as a text table, one row per pair, for an output or a plan: `yes`, `no` with
/// the first missing hop, or `unverified` with the first hop the hub account cannot see.
pub fn render(paths: &[Path]) -> String {
    let header = [
        "source",
        "destination",
        "reachable",
        "first missing or unseen hop",
    ];
    let rows: Vec<[String; 4]> = paths
        .iter()
        .map(|p| {
            [
                p.source.clone(),
                p.destination.clone(),
                match p.verdict() {
                    Verdict::Reachable => "yes",
                    Verdict::Unreachable => "no",
                    Verdict::Unverified => "unverified",
                }
                .to_string(),
                p.missing
                    .as_ref()
                    .or(p.unverified.as_ref())
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let width = |column: usize| {
        rows.iter()
            .map(|r| r[column].chars().count())
            .chain([header[column].len()])
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2)];
    let line = |cells: [&str; 4]| {
        let mut text = String::new();
        for (cell, w) in cells.iter().zip(widths) {
            text.push_str(cell);
            text.push_str(&" ".repeat(w - cell.chars().count() + 2));
        }
        text.push_str(cells[3]);
        text.trim_end().to_string() + "\n"
    };
    let mut out = line(header);
    for row in &rows {
        out.push_str(&line([&row[0], &row[1], &row[2], &row[3]]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::net::{IpAddr, Ipv4Addr};

    fn net(text: &str) -> IpNet {
        text.parse().unwrap()
    }

    fn attached(id: &str) -> Option<Attachment> {
        Some(Attachment {
            id: id.into(),
            state: "available".into(),
            route_table: Some("tgw-rtb-hub".into()),
        })
    }

    fn vpc(name: &str, cidr: &str, others: &[&str]) -> Network {
        let mut routes = vec![(net(cidr), VpcTarget::Local)];
        routes.extend(others.iter().map(|o| (net(o), VpcTarget::TransitGateway)));
        Network {
            name: name.into(),
            cidrs: vec![net(cidr)],
            attachment: attached(&format!("tgw-attach-{name}")),
            side: Side::Vpc {
                vpc_id: format!("vpc-{name}"),
                route_tables: vec![VpcRouteTable {
                    id: format!("rtb-{name}"),
                    routes,
                }],
            },
        }
    }

    const STAGING: &str = "10.10.0.0/16";
    const TARGET: &str = "10.20.0.0/16";
    const DC: &str = "192.168.0.0/16";
    const ENGINEERS: &str = "S-1-5-21-1";
    const IT: &str = "S-1-5-21-2";

    /// The blueprint as the hub and the Client VPN access build it.
    fn blueprint() -> Fabric {
        let networks = vec![
            vpc("staging", STAGING, &[TARGET, DC]),
            vpc("target", TARGET, &[STAGING, DC]),
            Network {
                name: "data_center".into(),
                cidrs: vec![net(DC)],
                attachment: attached("tgw-attach-data_center"),
                side: Side::DataCenter {
                    advertised: Some(vec![net(STAGING), net(TARGET)]),
                },
            },
        ];
        Fabric {
            transit_gateway_tables: vec![TransitGatewayTable {
                id: "tgw-rtb-hub".into(),
                propagations: networks
                    .iter()
                    .map(|n| n.attachment.as_ref().unwrap().id.clone())
                    .collect(),
                static_routes: Vec::new(),
            }],
            networks,
            client_vpn: Some(ClientVpn {
                endpoint_id: "cvpn-endpoint-1".into(),
                vpc_id: "vpc-staging".into(),
                groups: vec![
                    Group {
                        name: "migration_engineers".into(),
                        sid: ENGINEERS.into(),
                    },
                    Group {
                        name: "internal_it".into(),
                        sid: IT.into(),
                    },
                ],
                rules: vec![
                    (net(STAGING), Authorized::Group(ENGINEERS.into())),
                    (net(DC), Authorized::Group(ENGINEERS.into())),
                    (net(DC), Authorized::Group(IT.into())),
                    (net(TARGET), Authorized::Group(IT.into())),
                ],
                routes: [STAGING, TARGET, DC]
                    .iter()
                    .map(|d| (net(d), "subnet-a".to_string()))
                    .collect(),
            }),
        }
    }

    fn path<'a>(paths: &'a [Path], source: &str, destination: &str) -> &'a Path {
        paths
            .iter()
            .find(|p| p.source == source && p.destination == destination)
            .unwrap_or_else(|| panic!("no pair {source} -> {destination}"))
    }

    fn missing(fabric: &Fabric, source: &str, destination: &str) -> Missing {
        let paths = fabric.matrix();
        path(&paths, source, destination)
            .missing
            .clone()
            .unwrap_or_else(|| panic!("{source} -> {destination} is reachable"))
    }

    fn reached(fabric: &Fabric, source: &str) -> Vec<String> {
        fabric
            .matrix()
            .into_iter()
            .filter(|p| p.source == source && p.reachable())
            .map(|p| p.destination)
            .collect()
    }

    fn table_of<'a>(fabric: &'a mut Fabric, network: &str) -> &'a mut VpcRouteTable {
        let network = fabric
            .networks
            .iter_mut()
            .find(|n| n.name == network)
            .unwrap();
        match &mut network.side {
            Side::Vpc { route_tables, .. } => &mut route_tables[0],
            Side::DataCenter { .. } | Side::Spoke { .. } => panic!("not a VPC"),
        }
    }

    fn network<'a>(fabric: &'a mut Fabric, name: &str) -> &'a mut Network {
        fabric.networks.iter_mut().find(|n| n.name == name).unwrap()
    }

    #[test]
    fn the_blueprint_reaches_what_each_group_is_given_and_every_network_every_other() {
        let fabric = blueprint();
        let paths = fabric.matrix();
        assert_eq!(
            paths.len(),
            6 + 2 * 3,
            "3×2 network pairs and 2 groups × 3 networks"
        );
        for p in paths
            .iter()
            .filter(|p| !p.source.contains('_') || p.source == "data_center")
        {
            assert!(p.reachable(), "{p:?}");
        }
        assert_eq!(
            reached(&fabric, "migration_engineers"),
            ["data_center", "staging"]
        );
        assert_eq!(reached(&fabric, "internal_it"), ["data_center", "target"]);
        assert_eq!(
            missing(&fabric, "migration_engineers", "target").to_string(),
            "no Client VPN authorization rule lets group migration_engineers reach \
             10.20.0.0/16 (target)"
        );
    }

    #[test]
    fn a_deleted_vpc_route_is_missing_there_from_its_table_and_back_to_it() {
        let mut fabric = blueprint();
        table_of(&mut fabric, "target")
            .routes
            .retain(|(p, _)| *p != net(DC));
        let there = missing(&fabric, "target", "data_center");
        assert_eq!(there.way, Way::There);
        assert_eq!(
            there.to_string(),
            "route table rtb-target of target has no route for 192.168.0.0/16 (data_center)"
        );
        let back = missing(&fabric, "data_center", "target");
        assert_eq!(back.way, Way::Back);
        assert!(
            back.to_string()
                .starts_with("return path: route table rtb-target")
        );
        // Internal IT reach the data center through the staging VPC: unaffected.
        assert_eq!(reached(&fabric, "internal_it"), ["data_center", "target"]);
    }

    #[test]
    fn a_more_specific_route_elsewhere_takes_part_of_the_destination() {
        let mut fabric = blueprint();
        table_of(&mut fabric, "staging")
            .routes
            .push((net("10.20.5.0/24"), VpcTarget::Other("pcx-1".into())));
        let hop = missing(&fabric, "staging", "target").hop;
        assert!(
            matches!(&hop, Hop::VpcRouteElsewhere { prefix, .. } if *prefix == net("10.20.5.0/24")),
            "{hop:?}"
        );
        assert_eq!(
            hop.to_string(),
            "route table rtb-staging of staging sends 10.20.5.0/24 (target) to pcx-1, not to the \
             Transit Gateway"
        );
    }

    #[test]
    fn a_vpc_without_a_table_to_the_gateway_reaches_nothing() {
        let mut fabric = blueprint();
        if let Side::Vpc { route_tables, .. } = &mut network(&mut fabric, "target").side {
            route_tables.clear();
        }
        assert_eq!(
            missing(&fabric, "target", "staging").hop,
            Hop::NoVpcRouteTable {
                network: "target".into()
            }
        );
    }

    #[test]
    fn the_data_center_learns_only_what_direct_connect_advertises() {
        let mut fabric = blueprint();
        network(&mut fabric, "data_center").side = Side::DataCenter {
            advertised: Some(vec![net(STAGING)]),
        };
        assert_eq!(
            missing(&fabric, "data_center", "target").hop,
            Hop::NotAdvertised {
                prefix: net(TARGET),
                destination: "target".into()
            }
        );
        assert_eq!(missing(&fabric, "target", "data_center").way, Way::Back);
        // Over a VPN the data center's own routing is not seen, so not judged.
        network(&mut fabric, "data_center").side = Side::DataCenter { advertised: None };
        assert!(missing_none(&fabric, "data_center", "target"));
    }

    fn missing_none(fabric: &Fabric, source: &str, destination: &str) -> bool {
        path(&fabric.matrix(), source, destination).reachable()
    }

    #[test]
    fn a_transit_gateway_table_without_the_destination_s_propagation_has_no_route() {
        let mut fabric = blueprint();
        fabric.transit_gateway_tables[0]
            .propagations
            .remove("tgw-attach-target");
        assert_eq!(
            missing(&fabric, "staging", "target").to_string(),
            "Transit Gateway route table tgw-rtb-hub has no route for 10.20.0.0/16 (target): no \
             static route, and target's attachment does not propagate into it"
        );
        // A static route does what the propagation did.
        fabric.transit_gateway_tables[0].static_routes.push((
            net(TARGET),
            TransitGatewayTarget::Attachment("tgw-attach-target".into()),
        ));
        assert!(missing_none(&fabric, "staging", "target"));
    }

    #[test]
    fn a_static_route_wins_over_a_propagated_one_and_a_blackhole_drops() {
        let mut fabric = blueprint();
        fabric.transit_gateway_tables[0]
            .static_routes
            .push((net(TARGET), TransitGatewayTarget::Blackhole));
        assert_eq!(
            missing(&fabric, "staging", "target").to_string(),
            "Transit Gateway route table tgw-rtb-hub drops 10.20.0.0/16 (target): its route is a \
             blackhole"
        );
        fabric.transit_gateway_tables[0].static_routes = vec![(
            net("10.20.0.0/17"),
            TransitGatewayTarget::Attachment("tgw-attach-staging".into()),
        )];
        assert_eq!(
            missing(&fabric, "data_center", "target").to_string(),
            "Transit Gateway route table tgw-rtb-hub sends 10.20.0.0/17 (target) to staging \
             (tgw-attach-staging)"
        );
    }

    #[test]
    fn attachments_that_carry_no_traffic_or_have_no_table_stop_traffic() {
        let mut fabric = blueprint();
        network(&mut fabric, "target")
            .attachment
            .as_mut()
            .unwrap()
            .state = "pendingAcceptance".into();
        assert_eq!(
            missing(&fabric, "staging", "target").to_string(),
            "the Transit Gateway attachment of target is pendingAcceptance, not available"
        );
        network(&mut fabric, "target").attachment = None;
        assert!(matches!(
            missing(&fabric, "staging", "target").hop,
            Hop::TransitGatewayRouteElsewhere { .. } | Hop::NoTransitGatewayRoute { .. }
        ));
        assert_eq!(
            missing(&fabric, "target", "staging").to_string(),
            "target is not attached to the Transit Gateway"
        );
        let mut fabric = blueprint();
        network(&mut fabric, "staging")
            .attachment
            .as_mut()
            .unwrap()
            .route_table = None;
        assert_eq!(
            missing(&fabric, "staging", "target").hop,
            Hop::NoTransitGatewayTable {
                network: "staging".into(),
                attachment: "tgw-attach-staging".into()
            }
        );
    }

    #[test]
    fn another_group_s_more_specific_rule_shadows_a_group_s_rule() {
        let mut fabric = blueprint();
        let vpn = fabric.client_vpn.as_mut().unwrap();
        vpn.rules
            .push((net("10.10.1.0/24"), Authorized::Group(IT.into())));
        assert_eq!(
            missing(&fabric, "migration_engineers", "staging").to_string(),
            "group migration_engineers's rule on 10.10.0.0/16 is shadowed on 10.10.1.0/24 \
             (staging) by the more specific rule of internal_it (Client VPN authorizes by \
             longest prefix across groups): add a rule for migration_engineers on 10.10.1.0/24"
        );
        // A rule for every user lets the group through like its own.
        let vpn = fabric.client_vpn.as_mut().unwrap();
        vpn.rules.push((net("10.10.1.0/24"), Authorized::Everyone));
        assert!(missing_none(&fabric, "migration_engineers", "staging"));
    }

    #[test]
    fn a_group_needs_a_client_vpn_route_and_the_endpoint_s_vpc_in_the_hub() {
        let mut fabric = blueprint();
        let vpn = fabric.client_vpn.as_mut().unwrap();
        vpn.routes.retain(|(p, _)| *p != net(TARGET));
        assert_eq!(
            missing(&fabric, "internal_it", "target").to_string(),
            "no Client VPN route for 10.20.0.0/16 (target)"
        );
        let mut fabric = blueprint();
        fabric.client_vpn.as_mut().unwrap().vpc_id = "vpc-elsewhere".into();
        assert_eq!(
            missing(&fabric, "internal_it", "target").hop,
            Hop::EndpointVpcNotInHub {
                endpoint: "cvpn-endpoint-1".into(),
                vpc_id: "vpc-elsewhere".into()
            }
        );
    }

    #[test]
    fn a_group_s_traffic_takes_the_endpoint_vpc_s_path_there_and_back() {
        let mut fabric = blueprint();
        table_of(&mut fabric, "target")
            .routes
            .retain(|(p, _)| *p != net(STAGING));
        let lost = missing(&fabric, "internal_it", "target");
        assert_eq!(lost.way, Way::Back);
        assert!(
            lost.to_string()
                .contains("rtb-target of target has no route for 10.10.0.0/16")
        );
        // The endpoint's own VPC needs no Transit Gateway.
        assert_eq!(
            reached(&fabric, "migration_engineers"),
            ["data_center", "staging"]
        );
    }

    const BRANCH: &str = "10.50.0.0/16";

    /// The blueprint with a spoke `branch` of another account: attached, associated with the
    /// hub table and propagating into it, routed from both hub VPCs, and given to the
    /// engineers.
    fn with_spoke() -> Fabric {
        let mut fabric = blueprint();
        for vpc in ["staging", "target"] {
            table_of(&mut fabric, vpc)
                .routes
                .push((net(BRANCH), VpcTarget::TransitGateway));
        }
        fabric.networks.push(Network {
            name: "branch".into(),
            cidrs: vec![net(BRANCH)],
            attachment: attached("tgw-attach-branch"),
            side: Side::Spoke {
                account_id: "222233334444".into(),
                vpc_id: Some("vpc-branch".into()),
            },
        });
        fabric.transit_gateway_tables[0]
            .propagations
            .insert("tgw-attach-branch".into());
        let vpn = fabric.client_vpn.as_mut().unwrap();
        vpn.rules
            .push((net(BRANCH), Authorized::Group(ENGINEERS.into())));
        vpn.routes.push((net(BRANCH), "subnet-a".into()));
        fabric
    }

    fn judged(fabric: &Fabric, source: &str, destination: &str) -> Path {
        path(&fabric.matrix(), source, destination).clone()
    }

    #[test]
    fn a_spoke_s_own_tables_are_unverified_never_reachable_nor_missing() {
        let fabric = with_spoke();
        let there = judged(&fabric, "branch", "staging");
        assert_eq!(
            (there.verdict(), there.missing),
            (Verdict::Unverified, None)
        );
        let unseen = there.unverified.unwrap();
        assert_eq!(unseen.way, Way::There);
        assert_eq!(
            unseen.to_string(),
            "the route tables of branch's VPC vpc-branch are account 222233334444's and not \
             visible from the hub account (`migration_hub_spoke` there routes them to the hub)"
        );
        let back = judged(&fabric, "staging", "branch");
        assert_eq!(back.verdict(), Verdict::Unverified);
        assert_eq!(back.unverified.unwrap().way, Way::Back);
        // A group reaches a spoke through the endpoint's VPC: the answer comes back through
        // the spoke's tables.
        let group = judged(&fabric, "migration_engineers", "branch");
        assert_eq!(group.verdict(), Verdict::Unverified);
        assert!(
            group
                .unverified
                .unwrap()
                .to_string()
                .starts_with("return path: the route tables of branch's VPC")
        );
        assert_eq!(
            judged(&fabric, "internal_it", "branch").verdict(),
            Verdict::Unreachable
        );
        // Pairs without the spoke are as before.
        assert_eq!(reached(&fabric, "staging"), ["data_center", "target"]);
    }

    #[test]
    fn a_missing_hop_the_hub_can_see_wins_over_the_spoke_s_unseen_one() {
        let mut fabric = with_spoke();
        table_of(&mut fabric, "staging")
            .routes
            .retain(|(p, _)| *p != net(BRANCH));
        for (source, destination, way) in [
            ("staging", "branch", Way::There),
            ("branch", "staging", Way::Back),
        ] {
            let found = judged(&fabric, source, destination);
            assert_eq!(found.unverified, None);
            let missing = found.missing.unwrap();
            assert_eq!(missing.way, way);
            assert!(
                matches!(&missing.hop, Hop::NoVpcRoute { network, .. } if network == "staging"),
                "{missing:?}"
            );
        }
    }

    #[test]
    fn a_spoke_attachment_not_accepted_associated_or_propagating_is_the_first_missing_hop() {
        let mut fabric = with_spoke();
        let spoke = network(&mut fabric, "branch");
        spoke.attachment.as_mut().unwrap().state = "pendingAcceptance".into();
        let pending =
            "the Transit Gateway attachment of branch is pendingAcceptance, not available";
        assert_eq!(missing(&fabric, "staging", "branch").to_string(), pending);
        assert_eq!(missing(&fabric, "branch", "staging").to_string(), pending);
        // Not propagating either (as AWS shows an attachment not yet accepted): its state is
        // still the cause, not the route table.
        fabric.transit_gateway_tables[0]
            .propagations
            .remove("tgw-attach-branch");
        assert_eq!(missing(&fabric, "staging", "branch").to_string(), pending);

        let mut fabric = with_spoke();
        fabric.transit_gateway_tables[0]
            .propagations
            .remove("tgw-attach-branch");
        assert_eq!(
            missing(&fabric, "staging", "branch").to_string(),
            "Transit Gateway route table tgw-rtb-hub has no route for 10.50.0.0/16 (branch): no \
             static route, and branch's attachment does not propagate into it"
        );

        let mut fabric = with_spoke();
        network(&mut fabric, "branch")
            .attachment
            .as_mut()
            .unwrap()
            .route_table = None;
        assert_eq!(
            missing(&fabric, "staging", "branch").to_string(),
            "return path: the attachment tgw-attach-branch of branch is associated with no \
             Transit Gateway route table"
        );
    }

    #[test]
    fn a_network_of_no_known_address_is_never_reached() {
        let mut fabric = with_spoke();
        network(&mut fabric, "branch").cidrs.clear();
        assert_eq!(
            missing(&fabric, "staging", "branch").hop,
            Hop::NoKnownCidrs {
                network: "branch".into(),
                propagating: true
            }
        );
        assert_eq!(
            missing(&fabric, "migration_engineers", "branch").hop,
            Hop::NoKnownCidrs {
                network: "branch".into(),
                propagating: true
            }
        );
        let back = missing(&fabric, "branch", "staging");
        assert_eq!(back.way, Way::Back);
        assert_eq!(
            back.to_string(),
            "return path: no CIDR block of branch is known to the hub account, so no route to \
             it can be checked (declare them in the data source's `spokes`)"
        );
        // Propagating nowhere, as an attachment the hub has not connected.
        fabric.transit_gateway_tables[0]
            .propagations
            .remove("tgw-attach-branch");
        assert_eq!(
            missing(&fabric, "staging", "branch").to_string(),
            "the attachment of branch propagates into no Transit Gateway route table, so the \
             hub account knows none of its CIDR blocks and no route to it can be checked \
             (declare them in the data source's `spokes`)"
        );
        network(&mut fabric, "branch")
            .attachment
            .as_mut()
            .unwrap()
            .state = "pendingAcceptance".into();
        assert_eq!(
            missing(&fabric, "staging", "branch").to_string(),
            "the Transit Gateway attachment of branch is pendingAcceptance, not available"
        );
    }

    #[test]
    fn the_table_says_unverified_with_the_hop_not_seen() {
        let fabric = with_spoke();
        let text = render(&fabric.matrix());
        let row = text
            .lines()
            .find(|l| l.starts_with("branch ") && l.contains(" staging "))
            .unwrap();
        assert!(
            row.contains(" unverified  the route tables of branch's VPC vpc-branch"),
            "{row}"
        );
    }

    #[test]
    fn the_table_lines_up_its_columns() {
        let mut fabric = blueprint();
        fabric.client_vpn = None;
        table_of(&mut fabric, "target")
            .routes
            .retain(|(p, _)| *p != net(DC));
        let text = render(&fabric.matrix());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 7);
        assert_eq!(
            lines[0],
            "source       destination  reachable  first missing or unseen hop"
        );
        assert_eq!(lines[1], "data_center  staging      yes");
        assert!(lines[2].starts_with("data_center  target       no         return path: "));
    }

    // The brute-force model: every address of a small universe walked hop by hop through the
    // tables with a linear longest-prefix search, as a packet is.

    fn v4(host: u8, len: u8) -> IpNet {
        IpNet::V4(
            ipnet::Ipv4Net::new(Ipv4Addr::new(10, 0, 0, host), len)
                .unwrap()
                .trunc(),
        )
    }

    fn addresses(net: &IpNet) -> Vec<IpAddr> {
        (0..=255u8)
            .map(|h| IpAddr::V4(Ipv4Addr::new(10, 0, 0, h)))
            .filter(|a| net.contains(a))
            .collect()
    }

    fn longest<'a, T>(entries: &'a [(IpNet, T)], addr: &IpAddr) -> Option<&'a T> {
        let mut best: Option<(u8, &T)> = None;
        for (p, t) in entries {
            if p.contains(addr) && best.is_none_or(|(len, _)| p.prefix_len() > len) {
                best = Some((p.prefix_len(), t));
            }
        }
        best.map(|(_, t)| t)
    }

    /// What stops a packet, by hop kind (the enum variant's name).
    fn kind(hop: &Hop) -> &'static str {
        match hop {
            Hop::NoVpcRouteTable { .. } => "no table",
            Hop::NoVpcRoute { .. } | Hop::VpcRouteElsewhere { .. } => "vpc route",
            Hop::NotAdvertised { .. } => "advertised",
            Hop::NotAttached { .. } => "attached",
            Hop::NoTransitGatewayTable { .. } => "tgw table",
            Hop::NoTransitGatewayRoute { .. } | Hop::TransitGatewayRouteElsewhere { .. } => {
                "tgw route"
            }
            Hop::NoAuthorization { .. } | Hop::Shadowed { .. } => "authorization",
            Hop::NoClientVpnRoute { .. } => "client vpn route",
            Hop::EndpointVpcNotInHub { .. } => "endpoint vpc",
            Hop::NoKnownCidrs { .. } => "unknown cidrs",
            Hop::SpokeRoutesNotVisible { .. } => "not visible",
        }
    }

    /// Why a packet cannot be sent to a network of no known address.
    fn unknown_space_stop(network: &Network) -> &'static str {
        match &network.attachment {
            Some(a) if a.state == "available" => "unknown cidrs",
            _ => "attached",
        }
    }

    /// The way whose first hop the hub account cannot see, for a round trip with nothing
    /// missing: leaving a spoke there, else leaving a spoke on the way back.
    fn unseen(source: &Network, destination: &Network) -> Option<(Way, String)> {
        [(Way::There, source), (Way::Back, destination)]
            .into_iter()
            .find(|(_, n)| matches!(n.side, Side::Spoke { .. }))
            .map(|(way, n)| (way, n.name.clone()))
    }

    fn found_unseen(path: &Path) -> Option<(Way, String)> {
        path.unverified.as_ref().map(|m| match &m.hop {
            Hop::SpokeRoutesNotVisible { network, .. } => (m.way, network.clone()),
            other => panic!("not a hop that cannot be seen: {other:?}"),
        })
    }

    /// The first hop that stops a packet from `source` to `addr` inside `destination`.
    fn walk(
        fabric: &Fabric,
        source: &Network,
        destination: &Network,
        addr: &IpAddr,
    ) -> Option<&'static str> {
        match &source.side {
            Side::Vpc { route_tables, .. } => {
                if route_tables.is_empty() {
                    return Some("no table");
                }
                for table in route_tables {
                    if longest(&table.routes, addr) != Some(&VpcTarget::TransitGateway) {
                        return Some("vpc route");
                    }
                }
            }
            Side::DataCenter {
                advertised: Some(advertised),
            } => {
                if !advertised.iter().any(|p| p.contains(addr)) {
                    return Some("advertised");
                }
            }
            Side::DataCenter { advertised: None } | Side::Spoke { .. } => {}
        }
        let Some(attachment) = source
            .attachment
            .as_ref()
            .filter(|a| a.state == "available")
        else {
            return Some("attached");
        };
        let Some(table) = fabric
            .transit_gateway_tables
            .iter()
            .find(|t| Some(&t.id) == attachment.route_table.as_ref())
        else {
            return Some("tgw table");
        };
        // Static routes first: of equal prefixes the first found wins, as a static route wins.
        let mut routes: Vec<(IpNet, Option<String>)> = table
            .static_routes
            .iter()
            .map(|(p, t)| match t {
                TransitGatewayTarget::Attachment(id) => (*p, Some(id.clone())),
                TransitGatewayTarget::Blackhole => (*p, None),
            })
            .collect();
        for network in &fabric.networks {
            if let Some(a) = &network.attachment
                && table.propagations.contains(&a.id)
            {
                routes.extend(network.cidrs.iter().map(|c| (*c, Some(a.id.clone()))));
            }
        }
        let arriving = destination.attachment.as_ref().map(|a| a.id.clone());
        match longest(&routes, addr) {
            Some(Some(id)) if Some(id) == arriving.as_ref() => {}
            None if destination
                .attachment
                .as_ref()
                .is_some_and(|a| a.state != "available") =>
            {
                return Some("attached");
            }
            _ => return Some("tgw route"),
        }
        match &destination.attachment {
            Some(a) if a.state == "available" => None,
            _ => Some("attached"),
        }
    }

    /// Every first-stopping hop of every address of `destination`, for one leg.
    fn leg_stops(
        fabric: &Fabric,
        source: &Network,
        destination: &Network,
    ) -> BTreeSet<&'static str> {
        if destination.cidrs.is_empty() {
            return BTreeSet::from([unknown_space_stop(destination)]);
        }
        destination
            .cidrs
            .iter()
            .flat_map(addresses)
            .filter_map(|a| walk(fabric, source, destination, &a))
            .collect()
    }

    /// The ways and hop kinds that stop some address of a round trip, for the first way that
    /// stops any.
    fn round_trip_stops(
        fabric: &Fabric,
        source: &Network,
        destination: &Network,
    ) -> Option<(Way, BTreeSet<&'static str>)> {
        let there = leg_stops(fabric, source, destination);
        if !there.is_empty() {
            return Some((Way::There, there));
        }
        let back = leg_stops(fabric, destination, source);
        (!back.is_empty()).then_some((Way::Back, back))
    }

    fn group_stops(
        fabric: &Fabric,
        vpn: &ClientVpn,
        group: &Group,
        destination: &Network,
    ) -> Option<(Way, BTreeSet<&'static str>)> {
        if destination.cidrs.is_empty() {
            return Some((
                Way::There,
                BTreeSet::from([unknown_space_stop(destination)]),
            ));
        }
        let addrs: Vec<IpAddr> = destination.cidrs.iter().flat_map(addresses).collect();
        let mut stops = BTreeSet::new();
        for addr in &addrs {
            let best = vpn
                .rules
                .iter()
                .filter(|(p, _)| p.contains(addr))
                .map(|(p, _)| p.prefix_len())
                .max();
            let allowed = best.is_some_and(|len| {
                vpn.rules.iter().any(|(p, who)| {
                    p.prefix_len() == len
                        && p.contains(addr)
                        && (*who == Authorized::Everyone
                            || *who == Authorized::Group(group.sid.clone()))
                })
            });
            if !allowed {
                stops.insert("authorization");
            }
        }
        if !stops.is_empty() {
            return Some((Way::There, stops));
        }
        if addrs
            .iter()
            .any(|a| !vpn.routes.iter().any(|(p, _)| p.contains(a)))
        {
            return Some((Way::There, BTreeSet::from(["client vpn route"])));
        }
        let entry = fabric
            .networks
            .iter()
            .find(|n| matches!(&n.side, Side::Vpc { vpc_id, .. } if *vpc_id == vpn.vpc_id));
        match entry {
            None => Some((Way::There, BTreeSet::from(["endpoint vpc"]))),
            Some(entry) if entry.name == destination.name => None,
            Some(entry) => round_trip_stops(fabric, entry, destination),
        }
    }

    /// Prefixes of the 10.0.0.0/24 universe (and two around it).
    fn prefix() -> impl Strategy<Value = IpNet> {
        prop_oneof![
            8 => (0u8..=6).prop_flat_map(|e| (0..1u16 << e).prop_map(move |i| v4(((i << (8 - e)) & 0xff) as u8, 24 + e))),
            1 => prop_oneof![Just(v4(0, 8)), Just(net("0.0.0.0/0"))],
        ]
    }

    fn vpc_target() -> impl Strategy<Value = VpcTarget> {
        prop_oneof![
            6 => Just(VpcTarget::TransitGateway),
            1 => Just(VpcTarget::Local),
            1 => Just(VpcTarget::Blackhole),
            1 => Just(VpcTarget::Other("pcx-1".into())),
        ]
    }

    /// A fabric of up to four networks (the last may be the data center, any other a spoke)
    /// owning /27 blocks of 10.0.0.0/24 (some none), their tables mostly right and sometimes
    /// wrong.
    fn fabric() -> impl Strategy<Value = Fabric> {
        let owners = prop::collection::vec(prop::option::of(0usize..4), 8);
        let tables = prop::collection::vec(
            prop::collection::vec(
                (
                    prop::collection::vec((prefix(), vpc_target()), 0..3),
                    prop::collection::vec(prop::bool::weighted(0.85), 8),
                ),
                0..3,
            ),
            4,
        );
        let attachments = prop::collection::vec(
            (
                prop::bool::weighted(0.9),
                prop::bool::weighted(0.9),
                0usize..2,
                prop::bool::weighted(0.85),
            ),
            4,
        );
        let statics = prop::collection::vec(
            prop::collection::vec((prefix(), prop::option::of(0usize..4)), 0..3),
            2,
        );
        let data_center = (
            prop::bool::ANY,
            prop::option::of(prop::collection::vec(prefix(), 0..4)),
        );
        let vpn = (
            0usize..5,
            prop::collection::vec((prefix(), prop::option::of(0usize..3)), 0..4),
            prop::collection::vec(prop::option::of(0usize..3), 8),
            prop::collection::vec(prop::bool::weighted(0.85), 8),
            prop::collection::vec(prefix(), 0..2),
        );
        let spokes = prop::collection::vec(prop::bool::weighted(0.3), 4);
        (
            owners,
            tables,
            attachments,
            statics,
            data_center,
            vpn,
            spokes,
        )
            .prop_map(
                |(owners, tables, attachments, statics, (has_dc, advertised), vpn, spokes)| {
                    let block = |b: usize| v4((b * 32) as u8, 27);
                    let count = if has_dc { 4 } else { 3 };
                    let mut networks = Vec::new();
                    for n in 0..count {
                        let cidrs: Vec<IpNet> = (0..8)
                            .filter(|&b| owners[b] == Some(n))
                            .map(block)
                            .collect();
                        let (is_attached, available, table, propagates) = attachments[n];
                        let attachment = is_attached.then(|| Attachment {
                            id: format!("tgw-attach-{n}"),
                            state: if available { "available" } else { "pending" }.into(),
                            route_table: Some(format!("tgw-rtb-{table}")),
                        });
                        let _ = propagates;
                        let side = if has_dc && n == 3 {
                            Side::DataCenter {
                                advertised: advertised.clone(),
                            }
                        } else if spokes[n] {
                            Side::Spoke {
                                account_id: "222233334444".into(),
                                vpc_id: Some(format!("vpc-{n}")),
                            }
                        } else {
                            Side::Vpc {
                                vpc_id: format!("vpc-{n}"),
                                route_tables: tables[n]
                                    .iter()
                                    .enumerate()
                                    .map(|(t, (random, mesh))| {
                                        let mut routes: Vec<(IpNet, VpcTarget)> =
                                            cidrs.iter().map(|c| (*c, VpcTarget::Local)).collect();
                                        routes.extend(random.iter().cloned());
                                        routes.extend(
                                            (0..8)
                                                .filter(|&b| {
                                                    mesh[b] && owners[b].is_some_and(|o| o != n)
                                                })
                                                .map(|b| (block(b), VpcTarget::TransitGateway)),
                                        );
                                        VpcRouteTable {
                                            id: format!("rtb-{n}-{t}"),
                                            routes,
                                        }
                                    })
                                    .collect(),
                            }
                        };
                        networks.push(Network {
                            name: format!("net{n}"),
                            cidrs,
                            attachment,
                            side,
                        });
                    }
                    let transit_gateway_tables = (0..2)
                        .map(|t| TransitGatewayTable {
                            id: format!("tgw-rtb-{t}"),
                            propagations: (0..count)
                                .filter(|&n| attachments[n].3)
                                .map(|n| format!("tgw-attach-{n}"))
                                .collect(),
                            static_routes: statics[t]
                                .iter()
                                .map(|(p, to)| {
                                    (
                                        *p,
                                        match to {
                                            Some(n) => TransitGatewayTarget::Attachment(format!(
                                                "tgw-attach-{n}"
                                            )),
                                            None => TransitGatewayTarget::Blackhole,
                                        },
                                    )
                                })
                                .collect(),
                        })
                        .collect();
                    let (entry, random_rules, rule_owner, routed, random_routes) = vpn;
                    let groups: Vec<Group> = (0..3)
                        .map(|g| Group {
                            name: format!("group{g}"),
                            sid: format!("S-{g}"),
                        })
                        .collect();
                    let who = |g: &Option<usize>| match g {
                        Some(g) => Authorized::Group(format!("S-{g}")),
                        None => Authorized::Everyone,
                    };
                    let mut rules: Vec<(IpNet, Authorized)> =
                        random_rules.iter().map(|(p, g)| (*p, who(g))).collect();
                    rules.extend((0..8).filter_map(|b| {
                        Some((block(b), Authorized::Group(format!("S-{}", rule_owner[b]?))))
                    }));
                    let mut routes: Vec<(IpNet, String)> = random_routes
                        .into_iter()
                        .map(|p| (p, "subnet-1".to_string()))
                        .collect();
                    routes.extend(
                        (0..8)
                            .filter(|&b| routed[b])
                            .map(|b| (block(b), "subnet-1".to_string())),
                    );
                    Fabric {
                        networks,
                        transit_gateway_tables,
                        client_vpn: Some(ClientVpn {
                            endpoint_id: "cvpn-endpoint-1".into(),
                            vpc_id: format!("vpc-{entry}"),
                            groups,
                            rules,
                            routes,
                        }),
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// A hop is missing from a pair exactly when some address does not get there and back,
        /// and the hop reported is one that stops some address, on the first way that stops
        /// any. With nothing missing, a pair that leaves a spoke (there, else back) is
        /// unverified on that spoke's tables, and every other pair reachable.
        #[test]
        fn matches_a_packet_by_packet_walk(fabric in fabric()) {
            let paths = fabric.matrix();
            let vpn = fabric.client_vpn.as_ref().unwrap();
            let mut expected_pairs = 0;
            for source in &fabric.networks {
                for destination in fabric.networks.iter().filter(|d| d.name != source.name) {
                    expected_pairs += 1;
                    let found = path(&paths, &source.name, &destination.name);
                    let stops = round_trip_stops(&fabric, source, destination);
                    prop_assert_eq!(found.missing.is_none(), stops.is_none(), "{:?} {:?}", found, stops);
                    if let (Some(missing), Some((way, kinds))) = (&found.missing, &stops) {
                        prop_assert_eq!(missing.way, *way);
                        prop_assert!(kinds.contains(kind(&missing.hop)), "{:?} not in {:?}", missing, kinds);
                    }
                    let unverified = if stops.is_none() { unseen(source, destination) } else { None };
                    prop_assert_eq!(found_unseen(found), unverified, "{:?}", found);
                }
            }
            for group in &vpn.groups {
                for destination in &fabric.networks {
                    expected_pairs += 1;
                    let found = path(&paths, &group.name, &destination.name);
                    let stops = group_stops(&fabric, vpn, group, destination);
                    prop_assert_eq!(found.missing.is_none(), stops.is_none(), "{:?} {:?}", found, stops);
                    if let (Some(missing), Some((way, kinds))) = (&found.missing, &stops) {
                        prop_assert_eq!(missing.way, *way);
                        prop_assert!(kinds.contains(kind(&missing.hop)), "{:?} not in {:?}", missing, kinds);
                    }
                    // Client traffic enters through the endpoint's VPC, a VPC of the hub.
                    let entry = fabric.networks.iter().find(|n| {
                        matches!(&n.side, Side::Vpc { vpc_id, .. } if *vpc_id == vpn.vpc_id)
                    });
                    let unverified = match (entry, &stops) {
                        (Some(entry), None) if entry.name != destination.name => {
                            unseen(entry, destination)
                        }
                        _ => None,
                    };
                    prop_assert_eq!(found_unseen(found), unverified, "{:?}", found);
                }
            }
            prop_assert_eq!(paths.len(), expected_pairs);
        }
    }
}
