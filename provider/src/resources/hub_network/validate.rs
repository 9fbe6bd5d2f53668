//! Checks of a hub configuration, each reported on the attribute at fault with what is wrong
//! and what to do.
//!
//! * [`offline`]: everything that needs no AWS access (ValidateResourceConfig, and the first
//!   step of every plan): formats, ranges, canonical CIDRs, principals, and the overlaps among
//!   the CIDRs the configuration itself lists.
//! * [`live`]: what needs the VPCs, subnets and route tables (one batched call each): every
//!   network's CIDRs against every other (O(n log n) sweep), subnets per AZ and per VPC, route
//!   tables of the right VPC without a route in the way.
//! * [`transition`]: what depends on the prior state (the ASN cannot change while a data
//!   center is attached).
//!
//! Unknown values are skipped; apply runs the checks again once everything is known.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use super::handover::{self, Verdict};
use super::mesh;
use super::model::SpokeDesired;
use super::model::{Config, DATA_CENTER, Maybe, TGW_CIDR_BLOCKS};
use super::spokes;
use super::stored::Stored;
use super::topology::{ForeignAttachment, Networks};
use crate::aws::direct_connect::DirectConnectAssociation;
use crate::framework::{tags, timeouts};
use crate::netplan::Labelled;
use crate::netplan::cidr::parse_canonical;
use crate::netplan::mesh::{ObservedRoute, Route, route_conflicts};
use crate::netplan::overlap::find_overlaps;
use crate::protocol::cty::{Number, Path, Value};
use crate::protocol::diagnostics::Diagnostics;

/// What AWS says about the configuration's references, for [`live`].
#[derive(Clone, Debug, Default)]
pub(crate) struct LiveFacts {
    pub networks: Networks,
    /// The Direct Connect gateway's ASN: `Some(None)` when it does not exist, `None` when
    /// not looked up.
    pub direct_connect_asn: Option<Option<i64>>,
    /// The Direct Connect gateway's associations (with any gateway), when looked up: another
    /// hub's may hold the prefixes this one would advertise.
    pub direct_connect_associations: Option<Vec<DirectConnectAssociation>>,
    /// Whether the customer gateway exists, when looked up.
    pub customer_gateway_exists: Option<bool>,
    /// The hub's Transit Gateway, when it exists: routes to it are not in the way.
    pub tgw_id: Option<String>,
    /// Whether the hub is being created: no state holds its gateway yet (none exists, or an
    /// interrupted create's is being adopted). See [`super::handover`].
    pub new_hub: bool,
    /// Names of other migration hubs' Transit Gateways that routes in the listed tables point
    /// at (see [`hub_targets`]).
    pub other_hubs: BTreeMap<String, String>,
    pub account: Option<String>,
    pub region: String,
    /// Other accounts' attachments and the hub route table's propagations, when the hub's
    /// gateway was read (`None` otherwise): the spokes' warnings and planned status.
    pub attachments: Option<(Vec<ForeignAttachment>, BTreeSet<String>)>,
}

impl LiveFacts {
    /// The names of the declared spokes whose attachments the apply will act on (accept,
    /// associate, propagation), or `None` when the attachments were not read.
    pub(crate) fn spoke_actions(
        &self,
        declared: &BTreeMap<String, SpokeDesired>,
        route_propagation: bool,
    ) -> Option<BTreeSet<String>> {
        let (attachments, propagations) = self.attachments.as_ref()?;
        Some(
            attachments
                .iter()
                .filter(|a| {
                    spokes::action(declared, a, propagations.contains(&a.id), route_propagation)
                        .is_some()
                })
                .flat_map(|a| spokes::spokes_of(declared, a))
                .map(str::to_string)
                .collect(),
        )
    }
}

/// Transit Gateways other than the hub's own that routes of these tables point at: the
/// candidates for [`LiveFacts::other_hubs`].
pub(crate) fn hub_targets(
    tables: &BTreeMap<String, crate::resources::hub_network::topology::RouteTable>,
    own: Option<&str>,
) -> BTreeSet<String> {
    tables
        .values()
        .flat_map(|t| t.routes.iter())
        .filter(|r| r.target.starts_with("tgw-") && Some(r.target.as_str()) != own)
        .map(|r| r.target.clone())
        .collect()
}

fn root() -> Path {
    Path::root()
}

fn attachment_path(key: &str) -> Path {
    root().attr("vpc_attachments").key(key)
}

const ASN_RANGES: &str = "64512–65534 or 4200000000–4294967294";

fn asn_in_range(asn: i64) -> bool {
    (64512..=65534).contains(&asn) || (4_200_000_000..=4_294_967_294).contains(&asn)
}

/// The longest suffix a child's `Name` gets (`-data-center`), so names stay within AWS's
/// 256-character tag values.
const LONGEST_NAME_SUFFIX: usize = "-data-center".len();

/// Checks a CIDR list; returns the parsed canonical networks of the valid ones.
fn check_cidrs(
    cidrs: &[String],
    path: Path,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> Vec<IpNet> {
    let mut parsed = Vec::new();
    for cidr in cidrs {
        match parse_canonical(cidr) {
            Ok(net) => parsed.push(net),
            Err(error) => diagnostics.error_at(
                path.clone(),
                format!("Invalid CIDR in {what}"),
                format!("{error}."),
            ),
        }
    }
    parsed
}

fn check_id(
    value: &Maybe<String>,
    prefix: &str,
    what: &str,
    path: Path,
    diagnostics: &mut Diagnostics,
) {
    if let Maybe::Known(id) = value
        && !id.starts_with(prefix)
    {
        diagnostics.error_at(
            path,
            format!("Invalid {what} id"),
            format!("{id:?} is not a {what} id: {what} ids start with \"{prefix}\"."),
        );
    }
}

/// Why a RAM principal is malformed, and the form to use; `None` when it is fine.
pub(crate) fn principal_problem(principal: &str) -> Option<String> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let org_id = |s: &str| {
        s.strip_prefix("o-").is_some_and(|rest| {
            (10..=32).contains(&rest.len())
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
    };
    let ou_id = |s: &str| {
        s.strip_prefix("ou-").is_some_and(|rest| {
            let parts: Vec<&str> = rest.split('-').collect();
            parts.len() == 2
                && (4..=32).contains(&parts[0].len())
                && (8..=32).contains(&parts[1].len())
                && rest
                    .bytes()
                    .all(|b| b == b'-' || b.is_ascii_lowercase() || b.is_ascii_digit())
        })
    };
    if digits(principal, 12) {
        return None;
    }
    if let Some(rest) = principal.strip_prefix("arn:")
        && let Some((partition, rest)) = rest.split_once(':')
        && partition.starts_with("aws")
        && let Some(rest) = rest.strip_prefix("organizations::")
        && let Some((account, resource)) = rest.split_once(':')
        && digits(account, 12)
    {
        if let Some(org) = resource.strip_prefix("organization/")
            && org_id(org)
        {
            return None;
        }
        if let Some(path) = resource.strip_prefix("ou/")
            && let Some((org, ou)) = path.split_once('/')
            && org_id(org)
            && ou_id(ou)
        {
            return None;
        }
    }
    if org_id(principal) {
        return Some(format!(
            "{principal:?} is a bare Organization id, which RAM refuses: write its ARN, \
             \"arn:aws:organizations::<management-account-id>:organization/{principal}\"."
        ));
    }
    if ou_id(principal) {
        return Some(format!(
            "{principal:?} is a bare organizational unit id, which RAM refuses: write its ARN, \
             \"arn:aws:organizations::<management-account-id>:ou/<o-organization-id>/{principal}\"."
        ));
    }
    Some(format!(
        "{principal:?} is not a RAM principal for a Transit Gateway: use a 12-digit account id, \
         an Organization ARN (arn:aws:organizations::<account>:organization/o-…) or an OU ARN \
         (arn:aws:organizations::<account>:ou/o-…/ou-…)."
    ))
}

/// Offline checks of a configuration (unknown values skipped).
pub(crate) fn offline(config_value: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let config = Config::parse(config_value);

    if let Maybe::Known(name) = &config.name {
        if name.trim().is_empty() {
            diagnostics.error_at(
                root().attr("name"),
                "Empty name",
                "Give the hub a name: it is the Name tag of every object.",
            );
        } else if name.chars().count() + LONGEST_NAME_SUFFIX > 256 {
            diagnostics.error_at(
                root().attr("name"),
                "Name too long",
                format!(
                    "Child objects are named \"<name>-data-center\" and Name tags hold at most 256 \
                     characters, so the name can have at most {} characters.",
                    256 - LONGEST_NAME_SUFFIX
                ),
            );
        }
    }
    if let Maybe::Known(Some(description)) = &config.description
        && description.chars().count() > 255
    {
        diagnostics.error_at(
            root().attr("description"),
            "Description too long",
            "A Transit Gateway description has at most 255 characters.",
        );
    }
    if let Maybe::Known(Some(asn)) = &config.amazon_side_asn {
        match asn.as_i64() {
            Some(n) if asn_in_range(n) => {}
            _ => diagnostics.error_at(
                root().attr("amazon_side_asn"),
                "ASN out of range",
                format!(
                    "amazon_side_asn {asn} is not a private ASN AWS accepts: use {ASN_RANGES}."
                ),
            ),
        }
    }

    if let Maybe::Known(blocks) = &config.transit_gateway_cidr_blocks {
        let path = root().attr(TGW_CIDR_BLOCKS);
        if blocks.len() > 5 {
            diagnostics.error_at(
                path.clone(),
                "Too many Transit Gateway CIDR blocks",
                format!(
                    "A Transit Gateway has at most 5 CIDR blocks; {} are listed.",
                    blocks.len()
                ),
            );
        }
        for net in check_cidrs(blocks, path.clone(), TGW_CIDR_BLOCKS, &mut diagnostics) {
            let problem = match net {
                IpNet::V4(v4) if v4.prefix_len() > 24 => {
                    Some("an IPv4 block must be /24 or larger")
                }
                IpNet::V4(v4)
                    if "169.254.0.0/16"
                        .parse::<IpNet>()
                        .is_ok_and(|ll| ll.contains(&IpNet::V4(v4))) =>
                {
                    Some("an IPv4 block must be outside 169.254.0.0/16 (link-local)")
                }
                IpNet::V6(v6) if v6.prefix_len() > 64 => {
                    Some("an IPv6 block must be /64 or larger")
                }
                _ => None,
            };
            if let Some(problem) = problem {
                diagnostics.error_at(
                    path.clone(),
                    "Invalid Transit Gateway CIDR block",
                    format!("{net}: {problem}."),
                );
            }
        }
    }

    if let Maybe::Known(principals) = &config.share_with {
        for principal in principals {
            if let Some(problem) = principal_problem(principal) {
                diagnostics.error_at(
                    root().attr("share_with"),
                    "Malformed RAM principal",
                    problem,
                );
            }
        }
    }

    let mesh_off = config.mesh_routes == Maybe::Known(Some(false));
    if let Maybe::Known(attachments) = &config.vpc_attachments {
        let mut vpc_keys: BTreeMap<&str, &str> = BTreeMap::new();
        for (key, attachment) in attachments {
            let at = attachment_path(key);
            if key.is_empty() || key == DATA_CENTER || key == TGW_CIDR_BLOCKS {
                diagnostics.error_at(
                    at.clone(),
                    "Reserved network name",
                    format!(
                        "{key:?} cannot be a key of vpc_attachments: \"{DATA_CENTER}\" and \
                         \"{TGW_CIDR_BLOCKS}\" name the other networks of the hub in `routes`, \
                         and a key cannot be empty. Choose another key."
                    ),
                );
            }
            check_id(
                &attachment.vpc_id,
                "vpc-",
                "VPC",
                at.attr("vpc_id"),
                &mut diagnostics,
            );
            if let Maybe::Known(vpc_id) = &attachment.vpc_id
                && let Some(first) = vpc_keys.insert(vpc_id, key)
            {
                diagnostics.error_at(
                    at.attr("vpc_id"),
                    "VPC listed twice",
                    format!(
                        "{vpc_id} is already attached as vpc_attachments[{first:?}]; AWS allows \
                         one attachment per VPC per Transit Gateway. Remove one of the two."
                    ),
                );
                vpc_keys.insert(vpc_id, first);
            }
            if let Maybe::Known(subnets) = &attachment.subnet_ids {
                if subnets.is_empty() {
                    diagnostics.error_at(
                        at.attr("subnet_ids"),
                        "No subnets",
                        "An attachment needs at least one subnet (one per Availability Zone the \
                         VPC's workloads use).",
                    );
                }
                for subnet in subnets {
                    check_id(
                        &Maybe::Known(subnet.clone()),
                        "subnet-",
                        "subnet",
                        at.attr("subnet_ids"),
                        &mut diagnostics,
                    );
                }
            }
            if let Maybe::Known(tables) = &attachment.route_table_ids {
                for table in tables {
                    check_id(
                        &Maybe::Known(table.clone()),
                        "rtb-",
                        "route table",
                        at.attr("route_table_ids"),
                        &mut diagnostics,
                    );
                }
                if mesh_off && !tables.is_empty() {
                    diagnostics.warning_at(
                        at.attr("route_table_ids"),
                        "Route tables without routes",
                        "mesh_routes is false, so the hub adds no routes to these tables (and \
                         removes the ones it added).",
                    );
                }
            }
        }
    }

    if let Maybe::Known(Some(dc)) = &config.data_center {
        let at = root().attr("data_center");
        match (&dc.direct_connect_gateway_id, &dc.vpn) {
            (Maybe::Known(Some(_)), Maybe::Known(Some(_))) => diagnostics.error_at(
                at.clone(),
                "Two links to the data center",
                "Set either direct_connect_gateway_id or vpn, not both.",
            ),
            (Maybe::Known(None), Maybe::Known(None)) => diagnostics.error_at(
                at.clone(),
                "No link to the data center",
                "Set direct_connect_gateway_id (Direct Connect) or vpn (site-to-site VPN).",
            ),
            _ => {}
        }
        if let Maybe::Known(Some(vpn)) = &dc.vpn {
            check_id(
                &vpn.customer_gateway_id,
                "cgw-",
                "customer gateway",
                at.attr("vpn").attr("customer_gateway_id"),
                &mut diagnostics,
            );
            if let Maybe::Known(Some(_)) = &dc.allowed_prefixes {
                diagnostics.error_at(
                    at.attr("allowed_prefixes"),
                    "Allowed prefixes without Direct Connect",
                    "allowed_prefixes are what a Direct Connect gateway advertises; a VPN has \
                     none. Remove allowed_prefixes, or use direct_connect_gateway_id.",
                );
            }
        }
        if let Maybe::Known(cidrs) = &dc.cidr_blocks {
            if cidrs.is_empty() {
                diagnostics.error_at(
                    at.attr("cidr_blocks"),
                    "No data-center networks",
                    "List the data center's networks: they are the destinations of its routes.",
                );
            }
            check_cidrs(
                cidrs,
                at.attr("cidr_blocks"),
                "data_center.cidr_blocks",
                &mut diagnostics,
            );
        }
        if let Maybe::Known(Some(prefixes)) = &dc.allowed_prefixes {
            check_cidrs(
                prefixes,
                at.attr("allowed_prefixes"),
                "data_center.allowed_prefixes",
                &mut diagnostics,
            );
        }
    }

    if let Maybe::Known(spokes) = &config.spokes {
        let mut endpoints: BTreeMap<&str, &str> = BTreeMap::new();
        for (name, spoke) in spokes {
            let at = root().attr("spokes").key(name);
            if let Maybe::Known(Some(endpoint)) = &spoke.client_vpn_endpoint_id
                && let Some(first) = endpoints.insert(endpoint, name)
            {
                diagnostics.error_at(
                    at.attr("client_vpn_endpoint_id"),
                    "Client VPN endpoint declared twice",
                    format!(
                        "{endpoint} is already the spoke {first:?}: an endpoint has one \
                         attachment, so declare it once (its cidr_blocks are its client CIDR)."
                    ),
                );
            }
            if name.is_empty() {
                diagnostics.error_at(
                    at.clone(),
                    "Empty spoke name",
                    "A key of spokes names the spoke in plans and in `routes`; give it a name.",
                );
            }
            if let (Maybe::Known(None), Maybe::Known(None)) =
                (&spoke.account_id, &spoke.client_vpn_endpoint_id)
            {
                diagnostics.error_at(
                    at.attr("account_id"),
                    "Missing spoke account",
                    "A spoke's VPCs are another account's: write that account's 12 digits in \
                     account_id. Only a spoke that is a Client VPN endpoint of this account \
                     (client_vpn_endpoint_id) goes without one.",
                );
            }
            if let Maybe::Known(Some(endpoint)) = &spoke.client_vpn_endpoint_id {
                check_id(
                    &Maybe::Known(endpoint.clone()),
                    "cvpn-endpoint-",
                    "Client VPN endpoint",
                    at.attr("client_vpn_endpoint_id"),
                    &mut diagnostics,
                );
            }
            if let Maybe::Known(Some(account)) = &spoke.account_id
                && !(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
            {
                diagnostics.error_at(
                    at.attr("account_id"),
                    "Invalid spoke account",
                    format!(
                        "{account:?} is not an AWS account id: write the spoke account's 12 \
                         digits (a spoke is one account; Organizations and OUs go in share_with)."
                    ),
                );
            }
            if let Maybe::Known(cidrs) = &spoke.cidr_blocks {
                if cidrs.is_empty() {
                    diagnostics.error_at(
                        at.attr("cidr_blocks"),
                        "No spoke networks",
                        "List the networks the spoke's VPC brings: the hub routes to them, and \
                         accepts only attachments whose networks are within them.",
                    );
                }
                check_cidrs(
                    cidrs,
                    at.attr("cidr_blocks"),
                    &format!("spokes[{name:?}].cidr_blocks"),
                    &mut diagnostics,
                );
            }
        }
    }

    if let Maybe::Known(tags) = &config.tags {
        tags::check(tags, root().attr("tags"), &mut diagnostics);
        if tags.contains_key("Name") {
            diagnostics.error_at(
                root().attr("tags").key("Name"),
                "Name is set by `name`",
                "The Name tag of every object comes from the `name` argument (children get \
                 \"<name>-<key>\"). Remove Name from tags and set `name`.",
            );
        }
    }
    timeouts::read(config_value, &mut diagnostics);

    // Overlaps among the networks the configuration lists itself (VPC CIDRs need AWS).
    overlaps(&config, &BTreeMap::new(), &mut diagnostics);
    diagnostics
}

/// Who a CIDR belongs to, for overlap messages and paths.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Owner {
    Vpc { key: String, vpc_id: String },
    DataCenter,
    TgwBlocks,
    AllowedPrefixes,
    Spoke { name: String },
}

impl Owner {
    fn describe(&self) -> String {
        match self {
            Owner::Vpc { key, vpc_id } => format!("VPC {vpc_id} (vpc_attachments[{key:?}])"),
            Owner::DataCenter => "the data center (data_center.cidr_blocks)".into(),
            Owner::TgwBlocks => {
                "the Transit Gateway's CIDR blocks (transit_gateway_cidr_blocks)".into()
            }
            Owner::AllowedPrefixes => {
                "the Direct Connect allowed prefixes (data_center.allowed_prefixes)".into()
            }
            Owner::Spoke { name } => format!("spoke {name:?} (spokes[{name:?}].cidr_blocks)"),
        }
    }

    fn path(&self) -> Path {
        match self {
            Owner::Vpc { key, .. } => attachment_path(key).attr("vpc_id"),
            Owner::DataCenter => root().attr("data_center").attr("cidr_blocks"),
            Owner::TgwBlocks => root().attr(TGW_CIDR_BLOCKS),
            Owner::AllowedPrefixes => root().attr("data_center").attr("allowed_prefixes"),
            Owner::Spoke { name } => root().attr("spokes").key(name).attr("cidr_blocks"),
        }
    }
}

/// Overlaps between networks: every VPC CIDR (from `vpc_cidrs`, keyed by VPC id), the data
/// center, the gateway's blocks, and the allowed prefixes against the data center (they are
/// meant to cover VPCs, but advertising a data-center network back to it would loop).
fn overlaps(
    config: &Config,
    vpc_cidrs: &BTreeMap<String, BTreeSet<String>>,
    diagnostics: &mut Diagnostics,
) {
    let mut items: Vec<Labelled<Owner>> = Vec::new();
    let mut add = |owner: Owner, cidrs: &[String]| {
        for cidr in cidrs {
            if let Ok(prefix) = parse_canonical(cidr) {
                items.push(Labelled {
                    label: owner.clone(),
                    prefix,
                });
            }
        }
    };
    if let Maybe::Known(attachments) = &config.vpc_attachments {
        for (key, attachment) in attachments {
            if let Maybe::Known(vpc_id) = &attachment.vpc_id
                && let Some(cidrs) = vpc_cidrs.get(vpc_id)
            {
                let cidrs: Vec<String> = cidrs.iter().cloned().collect();
                add(
                    Owner::Vpc {
                        key: key.clone(),
                        vpc_id: vpc_id.clone(),
                    },
                    &cidrs,
                );
            }
        }
    }
    if let Maybe::Known(Some(dc)) = &config.data_center {
        if let Maybe::Known(cidrs) = &dc.cidr_blocks {
            add(Owner::DataCenter, cidrs);
        }
        if let Maybe::Known(Some(prefixes)) = &dc.allowed_prefixes {
            add(Owner::AllowedPrefixes, prefixes);
        }
    }
    if let Maybe::Known(blocks) = &config.transit_gateway_cidr_blocks {
        add(Owner::TgwBlocks, blocks);
    }
    if let Maybe::Known(spokes) = &config.spokes {
        for (name, spoke) in spokes {
            if let Maybe::Known(cidrs) = &spoke.cidr_blocks {
                add(Owner::Spoke { name: name.clone() }, cidrs);
            }
        }
    }
    let conflicts = |a: &Owner, b: &Owner| match (a, b) {
        (Owner::AllowedPrefixes, Owner::AllowedPrefixes) => false,
        (Owner::AllowedPrefixes, other) | (other, Owner::AllowedPrefixes) => {
            *other == Owner::DataCenter
        }
        (a, b) => a != b,
    };
    let mut reported = BTreeSet::new();
    for overlap in find_overlaps(&items, conflicts) {
        let (wider, narrower) = (&overlap.wider.label, &overlap.narrower.label);
        let range = overlap.range();
        // Report each pair of networks once per range, on the narrower one.
        if !reported.insert((narrower.path().to_string(), wider.path().to_string(), range)) {
            continue;
        }
        let advice = if matches!(wider, Owner::AllowedPrefixes)
            || matches!(narrower, Owner::AllowedPrefixes)
        {
            "Advertising a data-center network back to the data center would loop traffic: \
             narrow allowed_prefixes so they leave out the data center's networks."
        } else {
            "The Transit Gateway routes by destination, so two networks sharing addresses \
             cannot both be reached (and their routes would collide). Renumber one of them, or \
             drop the overlapping CIDR."
        };
        diagnostics.error_at(
            narrower.path(),
            "Overlapping networks",
            format!(
                "{} ({}) overlaps {} ({}) on {range}. {advice}",
                narrower.describe(),
                overlap.narrower.prefix,
                wider.describe(),
                overlap.wider.prefix,
            ),
        );
    }
}

/// Checks that need AWS: references exist and fit together, networks do not overlap, and no
/// route table already routes a mesh destination elsewhere.
pub(crate) fn live(config_value: &Value, facts: &LiveFacts) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let config = Config::parse(config_value);
    let where_ = match &facts.account {
        Some(account) => format!("account {account}, Region {}", facts.region),
        None => format!("Region {}", facts.region),
    };
    let networks = &facts.networks;
    let mut vpc_cidrs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut table_owner: BTreeMap<String, String> = BTreeMap::new();

    if let Maybe::Known(attachments) = &config.vpc_attachments {
        for (key, attachment) in attachments {
            let at = attachment_path(key);
            let Maybe::Known(vpc_id) = &attachment.vpc_id else {
                continue;
            };
            match networks.vpcs.get(vpc_id) {
                Some(vpc) => {
                    vpc_cidrs.insert(vpc_id.clone(), vpc.cidr_blocks.clone());
                }
                None => {
                    diagnostics.error_at(
                        at.attr("vpc_id"),
                        "VPC not found",
                        format!(
                            "{vpc_id} does not exist in {where_} (or these credentials cannot see \
                             it). Check the id and the provider's Region."
                        ),
                    );
                    continue;
                }
            }
            if let Maybe::Known(subnets) = &attachment.subnet_ids {
                let mut zones: BTreeMap<&str, &str> = BTreeMap::new();
                for subnet_id in subnets {
                    match networks.subnets.get(subnet_id) {
                        None => diagnostics.error_at(
                            at.attr("subnet_ids"),
                            "Subnet not found",
                            format!("{subnet_id} does not exist in {where_}."),
                        ),
                        Some(subnet) if &subnet.vpc_id != vpc_id => diagnostics.error_at(
                            at.attr("subnet_ids"),
                            "Subnet of another VPC",
                            format!(
                                "{subnet_id} belongs to {}, not to this attachment's VPC {vpc_id}. \
                                 Use subnets of {vpc_id}.",
                                subnet.vpc_id
                            ),
                        ),
                        Some(subnet) => {
                            if let Some(other) = zones.insert(subnet.zone_id(), subnet_id) {
                                diagnostics.error_at(
                                    at.attr("subnet_ids"),
                                    "Two subnets in one Availability Zone",
                                    format!(
                                        "{other} and {subnet_id} are both in {}; an attachment \
                                         takes one subnet per Availability Zone \
                                         (DuplicateSubnetsInSameZone). Keep one of them.",
                                        subnet.zone_id()
                                    ),
                                );
                            }
                        }
                    }
                }
            }
            if let Maybe::Known(tables) = &attachment.route_table_ids {
                for table_id in tables {
                    match networks.route_tables.get(table_id) {
                        None => diagnostics.error_at(
                            at.attr("route_table_ids"),
                            "Route table not found",
                            format!("{table_id} does not exist in {where_}."),
                        ),
                        Some(table) if &table.vpc_id != vpc_id => diagnostics.error_at(
                            at.attr("route_table_ids"),
                            "Route table of another VPC",
                            format!(
                                "{table_id} belongs to {}, not to {vpc_id}: a VPC's routes to the \
                                 hub go in its own route tables. List it under the attachment \
                                 of {} instead, or remove it.",
                                table.vpc_id, table.vpc_id
                            ),
                        ),
                        Some(_) => {
                            table_owner.insert(table_id.clone(), key.clone());
                        }
                    }
                }
            }
        }
    }

    // A spoke is another account: the hub's own VPCs are `vpc_attachments` (the hub would
    // otherwise take its own attachments for a spoke's, and share with itself).
    if let (Maybe::Known(spokes), Some(account)) = (&config.spokes, &facts.account) {
        for (name, spoke) in spokes {
            if spoke.account_id.known() != Some(&Some(account.clone())) {
                continue;
            }
            let detail = match spoke.client_vpn_endpoint_id {
                Maybe::Known(None) => format!(
                    "{account} is the account this hub is created in: a spoke is another \
                     account's VPC. Attach this account's VPCs with vpc_attachments, or write \
                     the spoke account's id."
                ),
                _ => format!(
                    "{account} is the account this hub is created in, and a Transit Gateway is \
                     not shared with its owner: leave account_id unset for a Client VPN \
                     endpoint of this account."
                ),
            };
            diagnostics.error_at(
                root().attr("spokes").key(name).attr("account_id"),
                "Spoke in the hub's own account",
                detail,
            );
        }
    }

    overlaps(&config, &vpc_cidrs, &mut diagnostics);
    route_conflict_errors(&config, &vpc_cidrs, &table_owner, facts, &mut diagnostics);
    spoke_warnings(config_value, facts, &mut diagnostics);

    if let Maybe::Known(Some(dc)) = &config.data_center {
        let at = root().attr("data_center");
        if let (Maybe::Known(Some(gateway)), Some(asn)) =
            (&dc.direct_connect_gateway_id, facts.direct_connect_asn)
        {
            match asn {
                None => diagnostics.error_at(
                    at.attr("direct_connect_gateway_id"),
                    "Direct Connect gateway not found",
                    format!("Direct Connect gateway {gateway} does not exist in this account."),
                ),
                Some(asn) => {
                    let hub_asn = match &config.amazon_side_asn {
                        Maybe::Known(Some(n)) => n.as_i64(),
                        Maybe::Known(None) => Some(super::model::DEFAULT_ASN),
                        Maybe::Unknown => None,
                    };
                    if hub_asn == Some(asn) {
                        diagnostics.error_at(
                            at.attr("direct_connect_gateway_id"),
                            "Same ASN on both sides",
                            format!(
                                "Direct Connect gateway {gateway} uses ASN {asn}, the same as the \
                                 hub's amazon_side_asn; AWS requires them to differ. Set \
                                 amazon_side_asn to another private ASN."
                            ),
                        );
                    }
                }
            }
        }
        if let (Maybe::Known(Some(gateway)), Some(associations)) = (
            &dc.direct_connect_gateway_id,
            &facts.direct_connect_associations,
        ) {
            direct_connect_handover(
                &config,
                gateway,
                associations,
                &vpc_cidrs,
                facts,
                &mut diagnostics,
            );
        }
        if let (Maybe::Known(Some(vpn)), Some(false)) = (&dc.vpn, facts.customer_gateway_exists)
            && let Maybe::Known(cgw) = &vpn.customer_gateway_id
        {
            diagnostics.error_at(
                at.attr("vpn").attr("customer_gateway_id"),
                "Customer gateway not found",
                format!("{cgw} does not exist in {where_}."),
            );
        }
    }
    diagnostics
}

/// A Direct Connect gateway advertises no prefix through two Transit Gateway associations, so
/// a hub cannot connect the data center beside another gateway that advertises an overlapping
/// prefix (its previous instance under `create_before_destroy`, above all): said at plan, before
/// anything is created, instead of failing half way through the apply.
fn direct_connect_handover(
    config: &Config,
    gateway: &str,
    associations: &[DirectConnectAssociation],
    vpc_cidrs: &BTreeMap<String, BTreeSet<String>>,
    facts: &LiveFacts,
    diagnostics: &mut Diagnostics,
) {
    let Maybe::Known(Some(dc)) = &config.data_center else {
        return;
    };
    let ours: BTreeSet<String> = match &dc.allowed_prefixes {
        Maybe::Known(Some(prefixes)) => prefixes.iter().cloned().collect(),
        Maybe::Unknown => return,
        // The default: every VPC CIDR of the hub and of its declared spokes.
        Maybe::Known(None) => vpc_cidrs
            .values()
            .flatten()
            .cloned()
            .chain(
                config
                    .spokes
                    .known()
                    .into_iter()
                    .flat_map(|m| m.values())
                    .filter_map(|s| s.cidr_blocks.known())
                    .flat_map(|c| c.iter().cloned()),
            )
            .collect(),
    };
    for blocked in handover::prefixes_in_the_way(associations, facts.tgw_id.as_deref(), &ours) {
        let pairs: Vec<String> = blocked
            .overlaps
            .iter()
            .take(5)
            .map(|(theirs, ours)| format!("{theirs} (this hub: {ours})"))
            .collect();
        let tgw = &blocked.transit_gateway_id;
        let whose = match facts.other_hubs.get(tgw) {
            Some(name) => format!("{tgw}, the Transit Gateway of the migration hub {name:?}"),
            None => tgw.clone(),
        };
        let detail = format!(
            "Direct Connect gateway {gateway} is associated with {whose} (association {}), which \
             advertises {}. A Direct Connect gateway does not advertise overlapping prefixes \
             through two Transit Gateway associations, so this hub cannot connect the data \
             center while that association exists: the link cannot be handed over without a gap.",
            blocked.association_id,
            pairs.join(", ")
        );
        let path = root().attr("data_center").attr("direct_connect_gateway_id");
        let (Maybe::Known(name), Maybe::Known(take_over)) = (&config.name, &config.take_over)
        else {
            continue;
        };
        let take_over = take_over.unwrap_or(false);
        let moves = match facts.other_hubs.get(tgw) {
            Some(other) => {
                handover::verdict(name, take_over, facts.new_hub, other) == Verdict::TakeOver
            }
            None => take_over,
        };
        if moves {
            diagnostics.warning_at(
                path,
                "Moving the data center link from another Transit Gateway",
                format!(
                    "{detail} This hub ({}) deletes association {} right before making its \
                     own, so the data center is disconnected until this hub's association is \
                     up; the VPCs stay connected. (A replacement without create_before_destroy \
                     destroys the old hub, and its association, first.)",
                    if take_over {
                        "take_over is set"
                    } else {
                        "a new hub of the same name: its replacement"
                    },
                    blocked.association_id
                ),
            );
        } else {
            diagnostics.error_at(
                path,
                "Data center link held by another Transit Gateway",
                format!(
                    "{detail} Remove data_center from the other hub first, set \
                     data_center.allowed_prefixes to prefixes that do not overlap, use another \
                     Direct Connect gateway, or set take_over = true to move the link to this \
                     hub (it deletes that association right before making its own: the data \
                     center is disconnected until this hub's association is up)."
                ),
            );
        }
    }
}

/// Other accounts' attachments the hub will not accept or propagate, each a warning naming
/// it: undeclared ones on `spokes`, mismatching ones on the spoke's `cidr_blocks`.
///
/// A hub that declares no spokes is warned only about attachments waiting for it
/// (`pendingAcceptance`): ones AWS accepted by itself (`auto_accept_shared_attachments`) are how
/// such a hub has always worked, and stay unremarked. While `spokes` has unknowns, nothing is
/// said (an unknown account would make its spoke's attachment look undeclared).
fn spoke_warnings(config_value: &Value, facts: &LiveFacts, diagnostics: &mut Diagnostics) {
    let Some((attachments, _)) = &facts.attachments else {
        return;
    };
    let configured = config_value.attr("spokes").cloned().unwrap_or(Value::Null);
    if !configured.is_wholly_known() {
        return;
    }
    let declared = super::state::declared_spokes(&configured);
    let attachments: Vec<ForeignAttachment> = attachments
        .iter()
        .filter(|a| !declared.is_empty() || a.state == "pendingAcceptance")
        .cloned()
        .collect();
    for (spoke, summary, detail) in spokes::warnings(&declared, &attachments) {
        let path = match spoke {
            Some(name) => root().attr("spokes").key(&name).attr("cidr_blocks"),
            None => root().attr("spokes"),
        };
        diagnostics.warning_at(path, summary, detail);
    }
}

/// A route table that already routes a mesh destination to something other than the hub
/// would make CreateRoute fail with `RouteAlreadyExists` half way through an apply.
fn route_conflict_errors(
    config: &Config,
    vpc_cidrs: &BTreeMap<String, BTreeSet<String>>,
    table_owner: &BTreeMap<String, String>,
    facts: &LiveFacts,
    diagnostics: &mut Diagnostics,
) {
    if config.mesh_routes == Maybe::Known(Some(false)) {
        return;
    }
    let Maybe::Known(attachments) = &config.vpc_attachments else {
        return;
    };
    let empty = BTreeSet::new();
    let mut vpcs = Vec::new();
    let mut known_tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (key, attachment) in attachments {
        let (Maybe::Known(vpc_id), Maybe::Known(tables)) =
            (&attachment.vpc_id, &attachment.route_table_ids)
        else {
            continue;
        };
        let cidrs = vpc_cidrs.get(vpc_id).unwrap_or(&empty).clone();
        // Tables of another VPC are reported on their own; they route nothing here.
        known_tables.insert(
            key.clone(),
            tables
                .iter()
                .filter(|t| table_owner.get(*t) == Some(key))
                .cloned()
                .collect(),
        );
        vpcs.push((key.clone(), cidrs));
    }
    let data_center: Option<BTreeSet<String>> = match &config.data_center {
        Maybe::Known(Some(dc)) => dc.cidr_blocks.known().map(|c| c.iter().cloned().collect()),
        _ => None,
    };
    let blocks: BTreeSet<String> = config
        .transit_gateway_cidr_blocks
        .known()
        .map(|b| b.iter().cloned().collect())
        .unwrap_or_default();
    let spokes: Vec<(String, BTreeSet<String>)> = config
        .spokes
        .known()
        .into_iter()
        .flat_map(|m| m.iter())
        .filter_map(|(name, s)| {
            Some((
                name.clone(),
                s.cidr_blocks.known()?.iter().cloned().collect(),
            ))
        })
        .collect();
    let networks = mesh::networks(
        vpcs.iter()
            .map(|(key, cidrs)| (key.as_str(), cidrs, &known_tables[key])),
        data_center.as_ref(),
        &blocks,
        spokes.iter().map(|(name, cidrs)| (name.as_str(), cidrs)),
    );
    let desired: Vec<Route> = mesh::vpc_routes(&networks)
        .into_iter()
        .filter_map(|r| {
            Some(Route {
                route_table: r.route_table_id,
                destination: r.destination.parse().ok()?,
            })
        })
        .collect();
    let observed: Vec<ObservedRoute> = facts
        .networks
        .route_tables
        .values()
        .flat_map(|table| {
            table.routes.iter().filter_map(|r| {
                Some(ObservedRoute {
                    route_table: table.id.clone(),
                    destination: r.destination.parse().ok()?,
                    target: r.target.clone(),
                })
            })
        })
        .collect();
    let our_target = facts.tgw_id.as_deref().unwrap_or("\u{0}no-gateway-yet");
    // (other gateway, its hub's name) → (attachment key, "table destination") taken over.
    let mut taken: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
    for conflict in route_conflicts(&desired, &observed, our_target).conflicting {
        let table = &conflict.route.route_table;
        let Some(key) = table_owner.get(table) else {
            continue;
        };
        let network = mesh::label_of(&networks, &conflict.route.destination).unwrap_or_default();
        let target = &conflict.existing_target;
        // Another hub's route: taken over in place, or refused (see `handover`).
        if let Some(other) = facts.other_hubs.get(target) {
            let (Maybe::Known(name), Maybe::Known(take_over)) = (&config.name, &config.take_over)
            else {
                continue;
            };
            let take_over = take_over.unwrap_or(false);
            match handover::verdict(name, take_over, facts.new_hub, other) {
                Verdict::TakeOver => taken
                    .entry((target.clone(), other.clone()))
                    .or_default()
                    .push((
                        key.clone(),
                        format!("{table} {}", conflict.route.destination),
                    )),
                // An existing hub leaves what another holds (it was taken from it, or the
                // table is new to it): no error, so its plans and its destroy still run.
                Verdict::Refuse if !facts.new_hub => diagnostics.warning_at(
                    attachment_path(key).attr("route_table_ids"),
                    "Route held by another hub",
                    format!(
                        "Route table {table} routes {} (network {network:?}) to {target}, the \
                         Transit Gateway of another migration hub ({other:?}), which holds that \
                         route now. This hub leaves it and does not list it in its state. Set \
                         take_over = true to take it back, or remove {table} from \
                         route_table_ids.",
                        conflict.route.destination
                    ),
                ),
                Verdict::Refuse => diagnostics.error_at(
                    attachment_path(key).attr("route_table_ids"),
                    "Route owned by another hub",
                    format!(
                        "Route table {table} routes {} (network {network:?}) to {target}, the \
                         Transit Gateway of another migration hub ({other:?}), which owns that \
                         route. Two hubs on one route table would take it from each other. \
                         Remove {table} from one hub's route_table_ids, or set take_over = true \
                         on the hub that should own it (it re-targets the route in place, and \
                         the other hub then leaves it).",
                        conflict.route.destination
                    ),
                ),
            }
            continue;
        }
        let whose = if target.starts_with("tgw-") {
            format!("another Transit Gateway, {target}")
        } else {
            target.clone()
        };
        diagnostics.error_at(
            attachment_path(key).attr("route_table_ids"),
            "Route in the way",
            format!(
                "Route table {table} already routes {} (network {network:?}) to {whose}; the \
                 hub's route to it would fail with RouteAlreadyExists. Delete or narrow that \
                 route, or remove {table} from route_table_ids.",
                conflict.route.destination
            ),
        );
    }
    for ((target, other), routes) in taken {
        let why = if config.take_over == Maybe::Known(Some(true)) {
            "take_over is set".to_string()
        } else {
            format!("this new hub has the same name, {other:?}: its replacement")
        };
        let shown: Vec<&str> = routes.iter().take(5).map(|(_, r)| r.as_str()).collect();
        let more = routes.len().saturating_sub(shown.len());
        diagnostics.warning_at(
            attachment_path(&routes[0].0).attr("route_table_ids"),
            "Taking over routes from another hub",
            format!(
                "{} route(s) of these route tables point at {target}, the Transit Gateway of the \
                 migration hub {other:?} ({why}): {}{}. Once its attachments are available, \
                 this hub re-targets them to its own Transit Gateway in place (ReplaceRoute), so \
                 no route goes missing, and the other hub leaves them when it is destroyed. (A \
                 replacement without create_before_destroy destroys the old hub and its routes \
                 first; this hub then creates them again.)",
                routes.len(),
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
        );
    }
}

/// Checks of the change from the prior state to the configuration.
pub(crate) fn transition(prior: Option<&Stored>, config_value: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let Some(prior) = prior else {
        return diagnostics;
    };
    let config = Config::parse(config_value);
    let prior_asn = prior.amazon_side_asn.as_ref().and_then(Number::as_i64);
    let planned_asn = match &config.amazon_side_asn {
        Maybe::Known(Some(n)) => n.as_i64(),
        Maybe::Known(None) => Some(super::model::DEFAULT_ASN),
        Maybe::Unknown => None,
    };
    let prior_dc = prior.data_center.is_some();
    let keeps_dc = matches!(config.data_center, Maybe::Known(Some(_)) | Maybe::Unknown);
    if let (Some(before), Some(after)) = (prior_asn, planned_asn)
        && before != after
        && prior_dc
        && keeps_dc
    {
        diagnostics.error_at(
            root().attr("amazon_side_asn"),
            "ASN cannot change while the data center is attached",
            format!(
                "AWS refuses to change the ASN of a Transit Gateway that has a VPN or Direct \
                 Connect attachment ({before} → {after}). Apply once without data_center, then \
                 change amazon_side_asn and add data_center back (the data center is \
                 disconnected in between)."
            ),
        );
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::typed::FromValue;
    use crate::protocol::diagnostics::Severity;
    use crate::resources::hub_network::topology::{RouteTable, Subnet, Vpc, VpcRoute};

    fn strings(items: &[&str]) -> Value {
        Value::Set(items.iter().map(|s| Value::string(*s)).collect())
    }

    fn attachment(vpc: &str, subnets: &[&str], tables: &[&str]) -> Value {
        Value::object([
            ("vpc_id", Value::string(vpc)),
            ("subnet_ids", strings(subnets)),
            ("route_table_ids", strings(tables)),
        ])
    }

    fn hub(attachments: Vec<(&str, Value)>, extra: Vec<(&str, Value)>) -> Value {
        let mut object = BTreeMap::from([
            ("name".to_string(), Value::string("hub")),
            (
                "vpc_attachments".to_string(),
                Value::Map(
                    attachments
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                ),
            ),
        ]);
        object.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
        Value::Object(object)
    }

    fn errors(diagnostics: &Diagnostics) -> Vec<(String, String)> {
        of_severity(diagnostics, Severity::Error)
    }

    /// (attribute path, detail) of every diagnostic of `severity`.
    fn of_severity(diagnostics: &Diagnostics, severity: Severity) -> Vec<(String, String)> {
        diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .map(|d| {
                (
                    d.attribute
                        .as_ref()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    d.detail.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn principals_accept_accounts_and_arns_and_hint_bare_ids() {
        assert_eq!(principal_problem("111122223333"), None);
        assert_eq!(
            principal_problem("arn:aws:organizations::123456789012:organization/o-abcdefghij"),
            None
        );
        assert_eq!(
            principal_problem(
                "arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-cdefgh34"
            ),
            None
        );
        let bare = principal_problem("o-abcdefghij").unwrap();
        assert!(bare.contains(":organization/o-abcdefghij"), "{bare}");
        let bare = principal_problem("ou-ab12-cdefgh34").unwrap();
        assert!(
            bare.contains(":ou/<o-organization-id>/ou-ab12-cdefgh34"),
            "{bare}"
        );
        assert!(
            principal_problem("1111-2222-3333")
                .unwrap()
                .contains("12-digit")
        );
    }

    #[test]
    fn offline_errors_land_on_their_attributes() {
        let config = hub(
            vec![
                ("a", attachment("vpc-1", &["subnet-1"], &[])),
                ("b", attachment("vpc-1", &[], &["igw-1"])),
                ("data_center", attachment("vpc-2", &["subnet-2"], &[])),
            ],
            vec![
                ("amazon_side_asn", Value::number(65535)),
                (
                    "transit_gateway_cidr_blocks",
                    strings(&[
                        "10.99.0.0/24",
                        "10.99.1.1/24",
                        "10.98.0.0/25",
                        "169.254.0.0/24",
                    ]),
                ),
                ("share_with", strings(&["o-abcdefghij"])),
                (
                    "data_center",
                    Value::object([
                        ("cidr_blocks", strings(&["192.168.0.0/16", "10.99.0.0/16"])),
                        ("direct_connect_gateway_id", Value::string("dx-1")),
                        (
                            "vpn",
                            Value::object([("customer_gateway_id", Value::string("cgw-1"))]),
                        ),
                    ]),
                ),
                (
                    "tags",
                    Value::Map(BTreeMap::from([("Name".to_string(), Value::string("x"))])),
                ),
            ],
        );
        let found = errors(&offline(&config));
        let at = |path: &str| {
            found
                .iter()
                .filter(|(p, _)| p == path)
                .map(|(_, d)| d.as_str())
                .collect::<Vec<_>>()
        };
        assert!(at("amazon_side_asn")[0].contains("65535"), "{found:?}");
        let blocks = at("transit_gateway_cidr_blocks");
        assert!(
            blocks.iter().any(|d| d.contains("use 10.99.1.0/24")),
            "{blocks:?}"
        );
        assert!(
            blocks
                .iter()
                .any(|d| d.contains("10.98.0.0/25") && d.contains("/24 or larger"))
        );
        assert!(blocks.iter().any(|d| d.contains("169.254.0.0/16")));
        assert!(at("share_with")[0].contains("organization/o-abcdefghij"));
        assert!(at(r#"vpc_attachments["b"].vpc_id"#)[0].contains(r#"vpc_attachments["a"]"#));
        assert_eq!(at(r#"vpc_attachments["b"].subnet_ids"#).len(), 1);
        assert!(at(r#"vpc_attachments["b"].route_table_ids"#)[0].contains("igw-1"));
        assert!(at(r#"vpc_attachments["data_center"]"#)[0].contains("cannot be a key"));
        assert!(at("data_center")[0].contains("not both"));
        assert!(at(r#"tags["Name"]"#)[0].contains("`name`"));
        // The data center overlaps the gateway's own block: reported on the narrower one.
        let overlap = at("transit_gateway_cidr_blocks");
        assert!(
            overlap
                .iter()
                .any(|d| d.contains("overlaps the data center") && d.contains("on 10.99.0.0/24")),
            "{overlap:?}"
        );
    }

    #[test]
    fn unknown_values_are_not_judged() {
        let config = hub(
            vec![(
                "a",
                Value::object([
                    ("vpc_id", Value::unknown()),
                    ("subnet_ids", Value::unknown()),
                    ("route_table_ids", Value::Null),
                ]),
            )],
            vec![
                ("amazon_side_asn", Value::unknown()),
                ("share_with", Value::unknown()),
            ],
        );
        assert!(offline(&config).is_empty());
    }

    fn facts() -> LiveFacts {
        let vpc = |id: &str, cidrs: &[&str]| {
            (
                id.to_string(),
                Vpc {
                    id: id.into(),
                    owner_id: "111122223333".into(),
                    cidr_blocks: cidrs.iter().map(|c| c.to_string()).collect(),
                },
            )
        };
        let subnet = |id: &str, vpc: &str, az: &str| {
            (
                id.to_string(),
                Subnet {
                    id: id.into(),
                    vpc_id: vpc.into(),
                    availability_zone: String::new(),
                    availability_zone_id: Some(az.into()),
                },
            )
        };
        let table = |id: &str, vpc: &str, routes: &[(&str, &str)]| {
            (
                id.to_string(),
                RouteTable {
                    id: id.into(),
                    vpc_id: vpc.into(),
                    routes: routes
                        .iter()
                        .map(|(d, t)| VpcRoute {
                            destination: d.to_string(),
                            target: t.to_string(),
                            state: "active".into(),
                        })
                        .collect(),
                },
            )
        };
        LiveFacts {
            networks: Networks {
                vpcs: BTreeMap::from([
                    vpc("vpc-a", &["10.0.0.0/16", "100.64.0.0/24"]),
                    vpc("vpc-b", &["10.1.0.0/16"]),
                    vpc("vpc-c", &["100.64.0.0/16"]),
                ]),
                subnets: BTreeMap::from([
                    subnet("subnet-a1", "vpc-a", "euw1-az1"),
                    subnet("subnet-a2", "vpc-a", "euw1-az1"),
                    subnet("subnet-b1", "vpc-b", "euw1-az1"),
                ]),
                route_tables: BTreeMap::from([
                    table(
                        "rtb-a",
                        "vpc-a",
                        &[("10.0.0.0/16", "local"), ("10.1.0.0/16", "pcx-1")],
                    ),
                    table("rtb-b", "vpc-b", &[("10.0.0.0/16", "tgw-hub")]),
                ]),
            },
            direct_connect_asn: Some(Some(64512)),
            customer_gateway_exists: None,
            tgw_id: Some("tgw-hub".into()),
            new_hub: false,
            direct_connect_associations: None,
            other_hubs: BTreeMap::new(),
            account: Some("111122223333".into()),
            region: "eu-west-1".into(),
            attachments: None,
        }
    }

    #[test]
    fn live_errors_name_both_networks_and_the_route_in_the_way() {
        let config = hub(
            vec![
                (
                    "a",
                    attachment("vpc-a", &["subnet-a1", "subnet-a2"], &["rtb-a"]),
                ),
                (
                    "b",
                    attachment("vpc-b", &["subnet-a1", "subnet-x"], &["rtb-b"]),
                ),
                ("c", attachment("vpc-c", &[], &[])),
                ("d", attachment("vpc-missing", &[], &[])),
            ],
            vec![(
                "data_center",
                Value::object([
                    ("cidr_blocks", strings(&["192.168.0.0/16"])),
                    ("direct_connect_gateway_id", Value::string("dx-1")),
                    (
                        "allowed_prefixes",
                        strings(&["10.0.0.0/8", "192.168.0.0/24"]),
                    ),
                ]),
            )],
        );
        let found = errors(&live(&config, &facts()));
        let at = |path: &str| {
            found
                .iter()
                .filter(|(p, _)| p == path)
                .map(|(_, d)| d.as_str())
                .collect::<Vec<_>>()
        };
        assert!(
            at(r#"vpc_attachments["a"].subnet_ids"#)[0]
                .contains("subnet-a1 and subnet-a2 are both in euw1-az1")
        );
        let b_subnets = at(r#"vpc_attachments["b"].subnet_ids"#);
        assert!(
            b_subnets
                .iter()
                .any(|d| d.contains("subnet-a1 belongs to vpc-a")),
            "{b_subnets:?}"
        );
        assert!(
            b_subnets
                .iter()
                .any(|d| d.contains("subnet-x does not exist"))
        );
        assert!(
            at(r#"vpc_attachments["d"].vpc_id"#)[0]
                .contains("vpc-missing does not exist in account 111122223333")
        );
        let overlap = at(r#"vpc_attachments["a"].vpc_id"#);
        assert!(
            overlap.iter().any(|d| d.contains("VPC vpc-a")
                && d.contains("VPC vpc-c")
                && d.contains("on 100.64.0.0/24")),
            "{overlap:?}"
        );
        let advertised = at("data_center.allowed_prefixes");
        assert!(
            advertised
                .iter()
                .any(|d| d.contains("allowed prefixes") && d.contains("192.168.0.0/24")),
            "{advertised:?}"
        );
        let in_the_way = at(r#"vpc_attachments["a"].route_table_ids"#);
        assert!(
            in_the_way
                .iter()
                .any(|d| d.contains("rtb-a already routes 10.1.0.0/16") && d.contains("pcx-1")),
            "{in_the_way:?}"
        );
        // rtb-b already routes 10.0.0.0/16 to the hub's own gateway: adopted, not in the way.
        assert!(
            !found
                .iter()
                .any(|(_, d)| d.contains("rtb-b already routes")),
            "{found:?}"
        );
        assert!(at("data_center.direct_connect_gateway_id")[0].contains("ASN 64512"));

        let misplaced = hub(
            vec![("b", attachment("vpc-b", &["subnet-b1"], &["rtb-a"]))],
            vec![],
        );
        let found = errors(&live(&misplaced, &facts()));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, r#"vpc_attachments["b"].route_table_ids"#);
        assert!(found[0].1.contains("rtb-a belongs to vpc-a"), "{found:?}");
    }

    #[test]
    fn another_hubs_route_is_taken_over_by_its_replacement_or_when_told_else_refused() {
        let mut facts = facts();
        facts.tgw_id = None;
        facts.new_hub = true;
        let (_, table) = facts
            .networks
            .route_tables
            .iter_mut()
            .find(|(id, _)| *id == "rtb-b")
            .unwrap();
        table.routes[0].target = "tgw-old".into();
        let config = |take_over: Value| {
            hub(
                vec![
                    ("a", attachment("vpc-a", &["subnet-a1"], &[])),
                    ("b", attachment("vpc-b", &["subnet-b1"], &["rtb-b"])),
                ],
                vec![("take_over", take_over)],
            )
        };
        let about_rtb_b = |config: &Value, facts: &LiveFacts| {
            live(config, facts)
                .iter()
                .filter(|d| d.detail.contains("rtb-b"))
                .map(|d| (d.severity, d.summary.clone(), d.detail.clone()))
                .collect::<Vec<_>>()
        };
        // The replacement: a new hub of the same name takes the route over, with a warning.
        facts.other_hubs.insert("tgw-old".into(), "hub".into());
        let found = about_rtb_b(&config(Value::Null), &facts);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Severity::Warning, "{found:?}");
        assert_eq!(found[0].1, "Taking over routes from another hub");
        assert!(
            found[0].2.contains("rtb-b 10.0.0.0/16") && found[0].2.contains("tgw-old"),
            "{found:?}"
        );
        // An existing hub leaves what another holds (taken from it): a warning naming
        // take_over, so that its plans and its destroy still run.
        facts.new_hub = false;
        let found = about_rtb_b(&config(Value::Null), &facts);
        assert_eq!(
            (found[0].0, found[0].1.as_str()),
            (Severity::Warning, "Route held by another hub"),
            "{found:?}"
        );
        assert!(found[0].2.contains("take_over = true"), "{found:?}");
        let held = handover::held_by_others(&facts, false);
        assert!(
            held.contains(&("rtb-b".to_string(), "10.0.0.0/16".to_string())),
            "{held:?}"
        );
        assert!(handover::held_by_others(&facts, true).is_empty());
        // Another name: refused even for a new hub, unless take_over is set.
        facts.new_hub = true;
        facts.other_hubs.insert("tgw-old".into(), "another".into());
        let found = about_rtb_b(&config(Value::Null), &facts);
        assert_eq!(found[0].0, Severity::Error, "{found:?}");
        assert!(found[0].2.contains("(\"another\")"), "{found:?}");
        let found = about_rtb_b(&config(Value::Bool(true)), &facts);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Severity::Warning, "{found:?}");
        assert!(found[0].2.contains("take_over is set"), "{found:?}");
        // Unknown take_over: the apply decides.
        assert!(about_rtb_b(&config(Value::unknown()), &facts).is_empty());
    }

    #[test]
    fn a_direct_connect_gateway_held_by_another_hub_is_an_error_unless_moved() {
        let mut facts = facts();
        let association = |tgw: &str, prefixes: &[&str]| DirectConnectAssociation {
            id: format!("assoc-{tgw}"),
            direct_connect_gateway_id: "dxgw-1".into(),
            associated_gateway_id: tgw.into(),
            state: "associated".into(),
            allowed_prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
        };
        facts.direct_connect_asn = Some(Some(64999));
        facts.other_hubs.insert("tgw-old".into(), "hub".into());
        let config = |allowed: Option<&[&str]>, take_over: Value| {
            let mut dc = vec![
                ("cidr_blocks", strings(&["192.168.0.0/16"])),
                ("direct_connect_gateway_id", Value::string("dxgw-1")),
            ];
            if let Some(allowed) = allowed {
                dc.push(("allowed_prefixes", strings(allowed)));
            }
            hub(
                vec![("a", attachment("vpc-a", &["subnet-a1"], &[]))],
                vec![("data_center", Value::object(dc)), ("take_over", take_over)],
            )
        };
        let on_gateway = |config: &Value, facts: &LiveFacts| {
            live(config, facts)
                .iter()
                .filter(|d| {
                    d.attribute.as_ref().map(ToString::to_string).as_deref()
                        == Some("data_center.direct_connect_gateway_id")
                })
                .map(|d| (d.severity, d.summary.clone(), d.detail.clone()))
                .collect::<Vec<_>>()
        };
        // The old hub advertises vpc-a's CIDR (10.0.0.0/16): the default prefixes overlap.
        facts.direct_connect_associations = Some(vec![
            association("tgw-old", &["10.0.0.0/16"]),
            association("tgw-hub", &["10.0.0.0/16"]),
        ]);
        let found = on_gateway(&config(None, Value::Null), &facts);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Severity::Error);
        assert!(
            found[0]
                .2
                .contains("tgw-old, the Transit Gateway of the migration hub \"hub\"")
                && found[0].2.contains("10.0.0.0/16 (this hub: 10.0.0.0/16)")
                && found[0].2.contains("take_over = true"),
            "{found:?}"
        );
        // Told to take it over: a warning saying the data center is cut meanwhile.
        let found = on_gateway(&config(None, Value::Bool(true)), &facts);
        assert_eq!(
            (found[0].0, found[0].1.as_str()),
            (
                Severity::Warning,
                "Moving the data center link from another Transit Gateway"
            ),
            "{found:?}"
        );
        assert!(on_gateway(&config(None, Value::unknown()), &facts).is_empty());
        // A new hub of the same name (its replacement) moves it without being told.
        facts.new_hub = true;
        let found = on_gateway(&config(None, Value::Null), &facts);
        assert_eq!(found[0].0, Severity::Warning, "{found:?}");
        assert!(found[0].2.contains("its replacement"), "{found:?}");
        facts.new_hub = false;
        // Prefixes of its own that do not overlap are fine.
        assert!(on_gateway(&config(Some(&["172.16.0.0/12"]), Value::Null), &facts).is_empty());
        // Not looked up (the link is already this hub's): nothing to say.
        facts.direct_connect_associations = None;
        assert!(on_gateway(&config(None, Value::Null), &facts).is_empty());
    }

    fn spoke(account: &str, cidrs: &[&str]) -> Value {
        Value::object([
            ("account_id", Value::string(account)),
            ("cidr_blocks", strings(cidrs)),
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

    #[test]
    fn spokes_are_checked_offline_by_account_cidr_form_and_overlaps() {
        let config = hub(
            vec![],
            vec![
                (
                    "spokes",
                    spokes(vec![
                        ("short", spoke("1234", &["10.50.0.0/16"])),
                        (
                            "org",
                            spoke(
                                "arn:aws:organizations::123456789012:organization/o-abcdefghij",
                                &["10.51.0.0/16"],
                            ),
                        ),
                        ("sloppy", spoke("222233334444", &["10.52.1.0/16"])),
                        ("empty", spoke("222233334444", &[])),
                        ("branch", spoke("333344445555", &["10.60.0.0/16"])),
                        ("lab", spoke("444455556666", &["10.60.128.0/20"])),
                        ("dc", spoke("555566667777", &["192.168.10.0/24"])),
                    ]),
                ),
                (
                    "data_center",
                    Value::object([
                        ("cidr_blocks", strings(&["192.168.0.0/16"])),
                        ("direct_connect_gateway_id", Value::string("dx-1")),
                    ]),
                ),
            ],
        );
        let found = errors(&offline(&config));
        let at = |path: &str| {
            found
                .iter()
                .filter(|(p, _)| p == path)
                .map(|(_, d)| d.as_str())
                .collect::<Vec<_>>()
        };
        assert!(
            at(r#"spokes["short"].account_id"#)[0].contains("12 digits"),
            "{found:?}"
        );
        assert!(
            at(r#"spokes["org"].account_id"#)[0].contains("go in share_with"),
            "{found:?}"
        );
        let sloppy = at(r#"spokes["sloppy"].cidr_blocks"#);
        assert_eq!(sloppy.len(), 1, "{found:?}");
        assert!(sloppy[0].contains("10.52.0.0/16"), "{sloppy:?}");
        assert!(
            at(r#"spokes["empty"].cidr_blocks"#)[0].contains("List the networks"),
            "{found:?}"
        );
        // Overlaps name both networks by attribute, on the narrower one.
        let lab = at(r#"spokes["lab"].cidr_blocks"#);
        assert_eq!(lab.len(), 1, "{found:?}");
        assert!(
            lab[0].contains(r#"spoke "lab" (spokes["lab"].cidr_blocks)"#)
                && lab[0].contains(r#"spoke "branch" (spokes["branch"].cidr_blocks)"#)
                && lab[0].contains("on 10.60.128.0/20"),
            "{lab:?}"
        );
        let dc = at(r#"spokes["dc"].cidr_blocks"#);
        assert!(
            dc.iter().any(|d| d.contains("the data center")),
            "{found:?}"
        );
        // Nothing else: well-formed spokes are not errors.
        assert_eq!(found.len(), 6, "{found:?}");

        // Unknown accounts and CIDRs wait for apply.
        let unknown = hub(
            vec![],
            vec![(
                "spokes",
                spokes(vec![(
                    "later",
                    Value::object([
                        ("account_id", Value::unknown()),
                        ("cidr_blocks", Value::unknown()),
                    ]),
                )]),
            )],
        );
        assert!(offline(&unknown).is_empty());
    }

    #[test]
    fn spokes_must_not_overlap_hub_vpcs_nor_be_the_hub_s_own_account() {
        let config = hub(
            vec![("b", attachment("vpc-b", &["subnet-b1"], &[]))],
            vec![(
                "spokes",
                spokes(vec![
                    ("inside", spoke("222233334444", &["10.1.4.0/24"])),
                    ("home", spoke("111122223333", &["10.70.0.0/16"])),
                ]),
            )],
        );
        let found = errors(&live(&config, &facts()));
        let inside: Vec<_> = found
            .iter()
            .filter(|(p, _)| p == r#"spokes["inside"].cidr_blocks"#)
            .collect();
        assert_eq!(inside.len(), 1, "{found:?}");
        assert!(
            inside[0].1.contains(r#"vpc_attachments["b"]"#) && inside[0].1.contains("vpc-b"),
            "{inside:?}"
        );
        let home: Vec<_> = found
            .iter()
            .filter(|(p, _)| p == r#"spokes["home"].account_id"#)
            .collect();
        assert_eq!(home.len(), 1, "{found:?}");
        assert!(home[0].1.contains("vpc_attachments"), "{home:?}");
        assert_eq!(found.len(), 2, "{found:?}");
    }

    fn endpoint_spoke(account: Option<&str>, endpoint: &str, cidrs: &[&str]) -> Value {
        Value::object([
            ("account_id", account.map_or(Value::Null, Value::string)),
            ("cidr_blocks", strings(cidrs)),
            ("client_vpn_endpoint_id", Value::string(endpoint)),
        ])
    }

    #[test]
    fn client_vpn_spokes_need_an_endpoint_id_once_each_and_no_account_only_when_they_are_ours() {
        let config = hub(
            vec![("b", attachment("vpc-b", &["subnet-b1"], &[]))],
            vec![(
                "spokes",
                spokes(vec![
                    (
                        "staff",
                        endpoint_spoke(None, "cvpn-endpoint-0a1", &["172.16.0.0/22"]),
                    ),
                    (
                        "again",
                        endpoint_spoke(None, "cvpn-endpoint-0a1", &["172.17.0.0/22"]),
                    ),
                    ("typo", endpoint_spoke(None, "cvpn-0a1", &["172.18.0.0/22"])),
                    (
                        "own",
                        endpoint_spoke(
                            Some("111122223333"),
                            "cvpn-endpoint-0c3",
                            &["172.19.0.0/22"],
                        ),
                    ),
                    (
                        "clients_in_a_vpc",
                        endpoint_spoke(None, "cvpn-endpoint-0d4", &["10.1.4.0/24"]),
                    ),
                    (
                        "vpc_without_account",
                        Value::object([
                            ("account_id", Value::Null),
                            ("cidr_blocks", strings(&["10.80.0.0/16"])),
                            ("client_vpn_endpoint_id", Value::Null),
                        ]),
                    ),
                ]),
            )],
        );
        let mut found = errors(&offline(&config));
        found.extend(errors(&live(&config, &facts())));
        let at = |path: &str| {
            found
                .iter()
                .filter(|(p, _)| p == path)
                .map(|(_, d)| d.as_str())
                .collect::<Vec<_>>()
        };
        // Map keys are sorted: "again" comes first and keeps the endpoint, "staff" is the
        // second declaration.
        let twice = at(r#"spokes["staff"].client_vpn_endpoint_id"#);
        assert_eq!(twice.len(), 1, "{found:?}");
        assert!(twice[0].contains(r#"spoke "again""#), "{twice:?}");
        assert!(
            at(r#"spokes["typo"].client_vpn_endpoint_id"#)[0].contains("cvpn-endpoint-"),
            "{found:?}"
        );
        assert!(
            at(r#"spokes["own"].account_id"#)[0].contains("leave account_id unset"),
            "{found:?}"
        );
        let inside = at(r#"spokes["clients_in_a_vpc"].cidr_blocks"#);
        assert_eq!(inside.len(), 1, "{found:?}");
        assert!(inside[0].contains(r#"vpc_attachments["b"]"#), "{inside:?}");
        assert!(
            at(r#"spokes["vpc_without_account"].account_id"#)[0].contains("12 digits"),
            "{found:?}"
        );
        assert_eq!(found.len(), 5, "{found:?}");
    }

    #[test]
    fn other_accounts_attachments_are_warnings_on_the_spoke_or_on_spokes() {
        let foreign = |id: &str, owner: &str, learned: &[&str]| ForeignAttachment {
            id: id.into(),
            resource_type: "vpc".into(),
            resource_id: format!("vpc-of-{id}"),
            resource_owner_id: owner.into(),
            state: "available".into(),
            associated_route_table: None,
            propagated_cidrs: learned.iter().map(|c| c.to_string()).collect(),
        };
        let mut facts = facts();
        facts.attachments = Some((
            vec![
                foreign("tgw-attach-ok", "222233334444", &["10.50.0.0/16"]),
                foreign("tgw-attach-wide", "222233334444", &["10.80.0.0/16"]),
                foreign("tgw-attach-stranger", "999988887777", &[]),
            ],
            BTreeSet::new(),
        ));
        let config = hub(
            vec![],
            vec![(
                "spokes",
                spokes(vec![("branch", spoke("222233334444", &["10.50.0.0/16"]))]),
            )],
        );
        let warnings = of_severity(&live(&config, &facts), Severity::Warning);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        let on = |path: &str| {
            warnings
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, d)| d.clone())
                .unwrap_or_else(|| panic!("no warning on {path}: {warnings:?}"))
        };
        let wide = on(r#"spokes["branch"].cidr_blocks"#);
        assert!(
            wide.contains("tgw-attach-wide") && wide.contains("10.80.0.0/16"),
            "{wide}"
        );
        let stranger = on("spokes");
        assert!(
            stranger.contains("tgw-attach-stranger") && stranger.contains("999988887777"),
            "{stranger}"
        );
        // A hub without spokes is told only of attachments waiting for it; with unknown spokes,
        // nothing is said yet.
        let mut waiting = foreign("tgw-attach-waiting", "999988887777", &[]);
        waiting.state = "pendingAcceptance".into();
        facts.attachments = Some((
            vec![foreign("tgw-attach-stranger", "999988887777", &[]), waiting],
            BTreeSet::new(),
        ));
        let warned = |config: &Value, facts: &LiveFacts| -> Vec<String> {
            of_severity(&live(config, facts), Severity::Warning)
                .into_iter()
                .map(|(_, detail)| detail)
                .collect()
        };
        let without = hub(vec![], vec![]);
        let found = warned(&without, &facts);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("tgw-attach-waiting"), "{found:?}");
        let unknown = hub(vec![], vec![("spokes", Value::unknown())]);
        assert!(warned(&unknown, &facts).is_empty());
        // Without a read of the gateway, nothing to say.
        facts.attachments = None;
        assert!(
            live(&config, &facts)
                .iter()
                .all(|d| d.severity != Severity::Warning)
        );
    }

    #[test]
    fn the_asn_cannot_change_under_an_attached_data_center() {
        let prior = Stored::from_value(&Value::object([
            ("amazon_side_asn", Value::number(64512)),
            (
                "data_center",
                Value::object([("cidr_blocks", strings(&["192.168.0.0/16"]))]),
            ),
        ]))
        .unwrap();
        let mut config = hub(vec![], vec![("amazon_side_asn", Value::number(64600))]);
        assert!(
            transition(Some(&prior), &config).is_empty(),
            "the data center goes in the same apply"
        );
        if let Value::Object(o) = &mut config {
            o.insert(
                "data_center".into(),
                Value::object([("cidr_blocks", strings(&["192.168.0.0/16"]))]),
            );
        }
        let found = errors(&transition(Some(&prior), &config));
        assert_eq!(found[0].0, "amazon_side_asn");
    }
}
