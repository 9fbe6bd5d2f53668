//! Every check of a configuration, each reported on the attribute it is about, saying what is
//! wrong and what to do.
//!
//! [`check_config`] needs nothing but the configuration (it runs in ValidateResourceConfig and
//! with no AWS access at all). [`check_against_aws`] compares the configuration with the
//! endpoint as observed — the longest-prefix shadowing check also runs without AWS, on the
//! configured groups alone. Values unknown at plan time are checked when the apply knows them.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::{IpNet, Ipv4Net};

use super::model::{
    Config, GroupConfig, Maybe, Phase, RouteKey, SidError, group_key_problem, parse_sid,
    rule_description,
};
use super::observed::{DirectoryLookup, NameProblem, Observation};
use super::schema::{DESCRIPTION_MAX_CHARS, ROUTES_PER_ASSOCIATION, RULES_PER_ENDPOINT};
use crate::netplan::Labelled;
use crate::netplan::cidr::parse_canonical;
use crate::netplan::coverage::{disjoint_from, uncovered};
use crate::netplan::shadowing::shadowed_rules;
use crate::protocol::cty::Path;
use crate::protocol::diagnostics::Diagnostics;

const AD_AUTHENTICATION: &str = "directory-service-authentication";

fn groups_path(key: &str) -> Path {
    Path::root().attr("groups").key(key)
}

/// Whether `id` is `prefix` followed by AWS's hexadecimal ID digits.
fn is_aws_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|digits| {
        (8..=17).contains(&digits.len())
            && digits
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// A configured network, parsed, or why it cannot be used.
pub(crate) fn parse_network(text: &str) -> Result<Ipv4Net, String> {
    match parse_canonical(text) {
        Ok(IpNet::V4(net)) => Ok(net),
        Ok(IpNet::V6(_)) => Err(format!(
            "{text} is an IPv6 network; Client VPN authorization rules take IPv4 CIDRs only"
        )),
        Err(error) => Err(error.to_string()),
    }
}

fn is_internet(net: &Ipv4Net) -> bool {
    net.prefix_len() == 0
}

/// Checks that need only the configuration.
pub(crate) fn check_config(config: &Config) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    if let Maybe::Known(id) = &config.endpoint_id
        && !is_aws_id(id, "cvpn-endpoint-")
    {
        diagnostics.error_at(
            Path::root().attr("client_vpn_endpoint_id"),
            "Invalid Client VPN endpoint ID",
            format!(
                "{id:?} is not a Client VPN endpoint ID: expected `cvpn-endpoint-` followed by \
                 17 hexadecimal digits, as in `aws_ec2_client_vpn_endpoint.<name>.id`."
            ),
        );
    }
    if let Maybe::Known(Some(id)) = &config.directory_id
        && !is_aws_id(id, "d-")
    {
        diagnostics.error_at(
            Path::root().attr("directory_id"),
            "Invalid directory ID",
            format!(
                "{id:?} is not a Directory Service directory ID: expected `d-` followed by 10 \
                 hexadecimal digits. Leave it unset to use the endpoint's directory."
            ),
        );
    }
    if let Maybe::Known(Some(ids)) = &config.route_subnet_ids {
        for id in ids.iter().filter(|id| !is_aws_id(id, "subnet-")) {
            diagnostics.error_at(
                Path::root().attr("route_subnet_ids"),
                "Invalid subnet ID",
                format!(
                    "{id:?} is not a subnet ID: expected `subnet-` followed by 17 hexadecimal \
                     digits."
                ),
            );
        }
    }
    let Maybe::Known(groups) = &config.groups else {
        return diagnostics;
    };
    let mut sids: BTreeMap<String, &str> = BTreeMap::new();
    for (key, group) in groups {
        check_group(
            key,
            group,
            config.allow_internet.known().copied(),
            &mut diagnostics,
        );
        if let Maybe::Known(Some(sid)) = &group.sid
            && let Ok(sid) = parse_sid(sid)
        {
            if let Some(first) = sids.get(&sid) {
                diagnostics.error_at(
                    groups_path(key).attr("sid"),
                    "Duplicate group SID",
                    format!(
                        "Groups {first:?} and {key:?} both have the SID {sid}. Client VPN keeps \
                         one rule per group and network, so merge their networks into one group."
                    ),
                );
            } else {
                sids.insert(sid, key);
            }
        }
    }
    diagnostics
}

fn check_group(
    key: &str,
    group: &GroupConfig,
    allow_internet: Option<bool>,
    diagnostics: &mut Diagnostics,
) {
    let path = groups_path(key);
    if let Some(problem) = group_key_problem(key) {
        diagnostics.error_at(
            path.clone(),
            "Invalid group key",
            format!(
                "{}. Rule descriptions carry the key so that an import can find the group again.",
                capitalize(&problem)
            ),
        );
    }
    match (&group.sid, &group.name) {
        (Maybe::Known(None), Maybe::Known(None)) => diagnostics.error_at(
            path.clone(),
            "Group has neither sid nor name",
            format!(
                "Group {key:?} needs the SID of its Active Directory group (`sid = \
                 \"S-1-5-21-…\"`) or, with AWS Managed Microsoft AD, its name (`name = \
                 \"Migration Engineers\"`) to look the SID up."
            ),
        ),
        (Maybe::Known(Some(_)), Maybe::Known(Some(_))) => diagnostics.error_at(
            path.attr("name"),
            "Both sid and name are set",
            format!(
                "Group {key:?} sets both `sid` and `name`; set only one. `sid` is used as \
                 given; `name` is looked up in the directory and its SID reported in `sid`."
            ),
        ),
        _ => {}
    }
    if let Maybe::Known(Some(sid)) = &group.sid {
        match parse_sid(sid) {
            Ok(_) => {}
            Err(SidError::NotASid) => diagnostics.error_at(
                path.attr("sid"),
                "Invalid SID",
                format!(
                    "{sid:?} is not a security identifier. An Active Directory group's SID looks \
                     like `S-1-5-21-1004336348-1177238915-682003330-1104` (PowerShell: \
                     `Get-ADGroup <name> | Select SID`)."
                ),
            ),
            Err(SidError::NotCanonical { canonical }) => diagnostics.error_at(
                path.attr("sid"),
                "SID not in canonical form",
                format!(
                    "Write {sid:?} as {canonical:?}: Client VPN compares the SIDs of a user's \
                     groups as text, so any other spelling would never match."
                ),
            ),
        }
    }
    if let Maybe::Known(Some(name)) = &group.name
        && name.trim().is_empty()
    {
        diagnostics.error_at(
            path.attr("name"),
            "Empty group name",
            "Give the group's name (its sAMAccountName) or its `sid`.",
        );
    }
    if let Maybe::Known(networks) = &group.networks {
        for text in networks.iter().filter_map(Maybe::known) {
            match parse_network(text) {
                Err(why) => diagnostics.error_at(
                    path.attr("networks"),
                    "Invalid network",
                    format!("In group {key:?}: {why}."),
                ),
                Ok(net) if is_internet(&net) && allow_internet == Some(false) => diagnostics
                    .error_at(
                        path.attr("networks"),
                        "Internet access not allowed",
                        format!(
                            "Group {key:?} lists {net}, which authorizes its users for every \
                             destination, including the internet through the VPC. Set \
                             `allow_internet = true` if that is intended, or list the networks \
                             the group needs."
                        ),
                    ),
                Ok(_) => {}
            }
        }
    }
    if let Maybe::Known(Some(description)) = &group.description {
        let full = rule_description(key, Some(description)).unwrap_or_default();
        let length = full.chars().count();
        if length > DESCRIPTION_MAX_CHARS {
            diagnostics.error_at(
                path.attr("description"),
                "Description too long",
                format!(
                    "The rules of group {key:?} would be described as \"{key}: …\" with {length} \
                     characters; AWS allows {DESCRIPTION_MAX_CHARS}. Shorten the description or \
                     the key."
                ),
            );
        }
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Diagnostics for names that did not resolve, and for names that resolved to a SID another
/// group already has.
pub(crate) fn check_names(
    config: &Config,
    problems: &[(String, NameProblem)],
    resolved: &BTreeMap<String, String>,
) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    for (key, problem) in problems {
        let path = groups_path(key).attr("name");
        let (summary, detail) = match problem {
            NameProblem::NoDirectory => (
                "No directory to look the group up in",
                format!(
                    "Group {key:?} is given by name, but the endpoint has no Active Directory \
                     authentication and `directory_id` is not set. Give the group's `sid`."
                ),
            ),
            NameProblem::DirectoryMissing(id) => (
                "Directory not found",
                format!(
                    "Group {key:?} is given by name, but directory {id} does not exist in this \
                     account and Region. Check `directory_id`, or give the group's `sid`."
                ),
            ),
            NameProblem::NotManagedAd { directory_id, kind } => (
                "Group names need AWS Managed Microsoft AD",
                format!(
                    "Group {key:?} is given by name, but directory {directory_id} is {kind}: \
                     only AWS Managed Microsoft AD offers the Directory Service Data API that \
                     looks names up. SIDs must be given: set `sid` (PowerShell: `Get-ADGroup \
                     <name> | Select SID`) instead of `name`."
                ),
            ),
            NameProblem::NotFound { directory_id, name } => (
                "Group not found",
                format!(
                    "Directory {directory_id} has no group named {name:?} (the name is the \
                     group's sAMAccountName, its pre-Windows 2000 name). Check the spelling, or \
                     give the group's `sid`."
                ),
            ),
        };
        diagnostics.error_at(path, summary, detail);
    }
    let mut by_sid: BTreeMap<&str, &str> = BTreeMap::new();
    if let Maybe::Known(groups) = &config.groups {
        for (key, group) in groups {
            if let Maybe::Known(Some(sid)) = &group.sid {
                by_sid.insert(sid, key);
            }
        }
    }
    for (key, sid) in resolved {
        if let Some(other) = by_sid.get(sid.as_str()) {
            diagnostics.error_at(
                groups_path(key).attr("name"),
                "Duplicate group SID",
                format!(
                    "The name of group {key:?} resolves to {sid}, the SID of group {other:?}. \
                     Merge their networks into one group."
                ),
            );
        } else {
            by_sid.insert(sid, key);
        }
    }
    diagnostics
}

/// The known parts of one group, for the checks that compare groups with AWS.
#[derive(Clone, Debug)]
struct KnownGroup<'a> {
    key: &'a str,
    sid: Option<String>,
    /// The valid networks among those known.
    networks: Vec<Ipv4Net>,
    /// Whether every network is known (so the group's coverage can be judged).
    complete: bool,
}

fn known_groups<'a>(
    config: &'a Config,
    resolved: &BTreeMap<String, String>,
) -> Vec<KnownGroup<'a>> {
    let Maybe::Known(groups) = &config.groups else {
        return Vec::new();
    };
    groups
        .iter()
        .map(|(key, group)| {
            let sid = match &group.sid {
                Maybe::Known(Some(sid)) => parse_sid(sid).ok(),
                _ => resolved.get(key).cloned(),
            };
            let (networks, complete) = match &group.networks {
                Maybe::Known(items) => (
                    items
                        .iter()
                        .filter_map(|n| parse_network(n.known()?).ok())
                        .collect(),
                    items.iter().all(|n| n.known().is_some()),
                ),
                Maybe::Unknown => (Vec::new(), false),
            };
            KnownGroup {
                key,
                sid,
                networks,
                complete,
            }
        })
        .collect()
}

/// Who holds a rule, for the shadowing check: one of this resource's groups, or a group only
/// known by its SID.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Holder {
    Group(String),
    Sid(String),
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Holder::Group(key) => write!(f, "group {key:?}"),
            Holder::Sid(sid) => write!(f, "the group with SID {sid} (not managed here)"),
        }
    }
}

fn join_holders(holders: &[Holder]) -> String {
    let names: Vec<String> = holders.iter().map(ToString::to_string).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Everything the checks against AWS look at.
pub(crate) struct Context<'a> {
    pub config: &'a Config,
    pub resolved: &'a BTreeMap<String, String>,
    pub observation: Option<&'a Observation>,
    /// SIDs and routes the prior state owns (rules and routes that will be removed are not
    /// someone else's).
    pub owned_sids: BTreeSet<String>,
    pub owned_routes: BTreeSet<RouteKey>,
    pub stage: Stage,
}

/// When the checks run. A route subnet that is not associated yet is an error when the apply
/// runs, but only a warning in the plan if it could still be associated before then (its
/// association may be created by the same configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    Plan,
    Apply,
}

/// Checks against the endpoint as observed (and, without AWS, the shadowing among the
/// configured groups).
pub(crate) fn check_against_aws(context: &Context<'_>) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let groups = known_groups(context.config, context.resolved);
    let our_sids: BTreeSet<String> = groups
        .iter()
        .filter_map(|g| g.sid.clone())
        .chain(context.owned_sids.iter().cloned())
        .collect();
    check_shadowing(&groups, context.observation, &our_sids, &mut diagnostics);
    let Some(observation) = context.observation else {
        return diagnostics;
    };
    check_endpoint(context.config, observation, &mut diagnostics);
    check_client_cidr(&groups, observation, &mut diagnostics);
    check_routes(context, &groups, observation, &our_sids, &mut diagnostics);
    check_rule_quota(&groups, observation, &our_sids, &mut diagnostics);
    diagnostics
}

fn check_shadowing(
    groups: &[KnownGroup<'_>],
    observation: Option<&Observation>,
    our_sids: &BTreeSet<String>,
    diagnostics: &mut Diagnostics,
) {
    let mut rules: Vec<Labelled<Holder>> = groups
        .iter()
        .flat_map(|g| {
            g.networks.iter().map(|n| Labelled {
                label: Holder::Group(g.key.to_string()),
                prefix: IpNet::V4(*n),
            })
        })
        .collect();
    if let Some(observation) = observation {
        // Rules of other groups take addresses away too; rules for all groups do not (every
        // user is in "all groups").
        rules.extend(observation.rules.iter().filter_map(|r| {
            let key = r.key()?;
            (!our_sids.contains(&key.sid) && r.phase() != Phase::Leaving).then_some(Labelled {
                label: Holder::Sid(key.sid),
                prefix: IpNet::V4(key.cidr),
            })
        }));
    }
    for shadowed in shadowed_rules(&rules) {
        let Holder::Group(key) = &shadowed.group else {
            continue;
        };
        diagnostics.warning_at(
            groups_path(key).attr("networks"),
            "Network partly taken by another group's rule",
            format!(
                "Group {key:?} is authorized for {authorized}, but its users cannot reach \
                 {lost}: only {takers} {has} a rule for that more specific range, and Client \
                 VPN authorizes each destination by the most specific matching rule across all \
                 groups (AWS: \"Authorization rules for Active Directory groups not working as \
                 expected\"). Add {lost} to the networks of {key:?} if its users need it.",
                authorized = shadowed.authorized,
                lost = shadowed.lost,
                takers = join_holders(&shadowed.taken_by),
                has = if shadowed.taken_by.len() == 1 {
                    "has"
                } else {
                    "have"
                },
            ),
        );
    }
}

fn check_endpoint(config: &Config, observation: &Observation, diagnostics: &mut Diagnostics) {
    let endpoint = &observation.endpoint;
    let endpoint_path = Path::root().attr("client_vpn_endpoint_id");
    if !endpoint
        .authentication
        .iter()
        .any(|a| a == AD_AUTHENTICATION)
    {
        diagnostics.error_at(
            endpoint_path.clone(),
            "Endpoint does not use Active Directory authentication",
            format!(
                "Endpoint {} authenticates with {}; rules per Active Directory group SID only \
                 match users of an endpoint with Active Directory authentication \
                 (`authentication_options {{ type = \"directory-service-authentication\" }}`).",
                endpoint.id,
                if endpoint.authentication.is_empty() {
                    "no method AWS reported".to_string()
                } else {
                    endpoint.authentication.join(" and ")
                },
            ),
        );
    }
    let configured = config.directory_id.known().cloned().flatten();
    let directory_path = if configured.is_some() {
        Path::root().attr("directory_id")
    } else {
        endpoint_path.clone()
    };
    if let (Some(configured), Some(used)) = (&configured, &endpoint.directory_id)
        && configured != used
    {
        diagnostics.warning_at(
            Path::root().attr("directory_id"),
            "Not the endpoint's directory",
            format!(
                "Endpoint {} authenticates users against directory {used}, not {configured}. \
                 Rules only match the SIDs of groups in the directory users log in with; use \
                 {used}, or leave `directory_id` unset.",
                endpoint.id
            ),
        );
    }
    match &observation.directory {
        DirectoryLookup::None => {}
        DirectoryLookup::Missing(id) => diagnostics.warning_at(
            directory_path,
            "Directory not found",
            format!(
                "Directory {id} does not exist in this account and Region (or is shared from \
                 another account), so its type and stage cannot be checked."
            ),
        ),
        DirectoryLookup::Found(directory) => {
            if directory.stage != "Active" {
                diagnostics.warning_at(
                    directory_path.clone(),
                    "Directory not active",
                    format!(
                        "Directory {} is {}: users cannot log in to the VPN until it is Active.",
                        directory.id, directory.stage
                    ),
                );
            }
            if directory.kind == "SimpleAD" {
                diagnostics.warning_at(
                    directory_path,
                    "Simple AD directory",
                    format!(
                        "Directory {} is Simple AD. AWS documents Client VPN Active Directory \
                         authentication for AWS Managed Microsoft AD and AD Connector only.",
                        directory.id
                    ),
                );
            }
        }
    }
    let everyone: Vec<&str> = observation
        .rules
        .iter()
        .filter(|r| r.access_all && r.phase() != Phase::Leaving)
        .map(|r| r.destination_cidr.as_str())
        .collect();
    if !everyone.is_empty() {
        diagnostics.warning_at(
            endpoint_path.clone(),
            "Rules authorize all groups",
            format!(
                "Endpoint {} has rules that authorize every user, whatever their groups, for \
                 {}. This resource never creates such rules and does not remove them; revoke \
                 them (`aws ec2 revoke-client-vpn-ingress --revoke-all-groups`) so that access \
                 is per group only.",
                endpoint.id,
                everyone.join(", ")
            ),
        );
    }
}

fn check_client_cidr(
    groups: &[KnownGroup<'_>],
    observation: &Observation,
    diagnostics: &mut Diagnostics,
) {
    let Some(client) = observation.endpoint.client_cidr() else {
        return;
    };
    for group in groups {
        for net in &group.networks {
            if !is_internet(net)
                && (net.contains(&client.network()) || client.contains(&net.network()))
            {
                diagnostics.error_at(
                    groups_path(group.key).attr("networks"),
                    "Network overlaps the client CIDR",
                    format!(
                        "{net} in group {:?} overlaps the endpoint's client CIDR {client}, the \
                         addresses VPN clients get: traffic to it would never leave the \
                         client's tunnel. Use a network outside {client}.",
                        group.key
                    ),
                );
            }
        }
    }
}

fn check_routes(
    context: &Context<'_>,
    groups: &[KnownGroup<'_>],
    observation: &Observation,
    our_sids: &BTreeSet<String>,
    diagnostics: &mut Diagnostics,
) {
    let config = context.config;
    let path = Path::root().attr("route_subnet_ids");
    let usable: BTreeSet<&str> = observation
        .usable_subnets()
        .map(|a| a.subnet_id.as_str())
        .collect();
    // An endpoint attached to a Transit Gateway routes through its attachment, in every
    // Availability Zone it was given: no subnet to name, no redundancy to judge.
    let on_transit_gateway = observation.endpoint.transit_gateway_id.as_deref();
    if let (Some(tgw), Some(Some(ids))) = (on_transit_gateway, config.route_subnet_ids.known()) {
        let attachment = observation
            .endpoint
            .transit_gateway_attachment_id
            .as_deref()
            .unwrap_or("its attachment");
        let named: Vec<&str> = ids
            .iter()
            .map(String::as_str)
            .filter(|id| *id != attachment)
            .collect();
        if !named.is_empty() {
            diagnostics.error_at(
                path,
                "Endpoint attached to a Transit Gateway",
                format!(
                    "Endpoint {} is attached to Transit Gateway {tgw}: its routes go through \
                     its attachment {attachment}, not through subnets, so {} cannot carry them. \
                     Leave `route_subnet_ids` unset.",
                    observation.endpoint.id,
                    named.join(", ")
                ),
            );
            return;
        }
    }
    let route_subnets: Option<BTreeSet<String>> = match config.route_subnet_ids.known() {
        Some(Some(ids)) => {
            for id in ids.iter().filter(|id| !usable.contains(id.as_str())) {
                check_unassociated(id, context.stage, observation, &usable, diagnostics);
            }
            Some(ids.clone())
        }
        Some(None) => Some(usable.iter().map(|s| s.to_string()).collect()),
        None => None,
    };
    let manage_routes = config.manage_routes.known().copied();
    let networks: Vec<Ipv4Net> = groups
        .iter()
        .flat_map(|g| g.networks.iter().copied())
        .collect();

    if manage_routes == Some(true)
        && let Some(subnets) = &route_subnets
    {
        // Redundancy is judged on the subnets routes will use: associated ones, and those that
        // can still be associated (the others are errors above).
        let in_vpc = |id: &str| {
            observation.subnets.get(id).filter(|s| {
                observation
                    .endpoint
                    .vpc_id
                    .as_ref()
                    .is_none_or(|vpc| *vpc == s.vpc_id)
            })
        };
        let associated: Vec<&String> = subnets
            .iter()
            .filter(|s| usable.contains(s.as_str()) || in_vpc(s).is_some())
            .collect();
        let zones: BTreeSet<&str> = associated
            .iter()
            .filter_map(|s| in_vpc(s).map(|subnet| subnet.availability_zone.as_str()))
            .collect();
        if subnets.is_empty() {
            if !networks.is_empty() {
                diagnostics.warning_at(
                    path.clone(),
                    "No subnet to route through",
                    format!(
                        "Endpoint {} has no associated subnet, so no route can be created and \
                         every authorized network is unreachable. Associate subnets in two \
                         Availability Zones.",
                        observation.endpoint.id
                    ),
                );
            }
        } else if on_transit_gateway.is_none() && !associated.is_empty() && zones.len() < 2 {
            diagnostics.warning_at(
                path.clone(),
                "Routes without redundancy",
                format!(
                    "Every route goes through {} in {}: if that Availability Zone fails, the \
                     networks are unreachable. Associate a subnet in a second Availability Zone \
                     and route through both.",
                    associated
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    zones
                        .iter()
                        .next()
                        .copied()
                        .unwrap_or("one Availability Zone"),
                ),
            );
        }
    }

    // Routes that will exist after the apply.
    let routes_after: Vec<Ipv4Net> = observation
        .routes
        .iter()
        .filter(|r| r.phase() != Phase::Leaving)
        .filter_map(|r| r.key())
        .filter(|k| !context.owned_routes.contains(k) || manage_routes != Some(true))
        .map(|k| k.destination)
        .chain(match (manage_routes, &route_subnets) {
            (Some(true), Some(subnets)) if !subnets.is_empty() => networks.clone(),
            _ => Vec::new(),
        })
        .map(|n| n.trunc())
        .collect();
    let as_ipnet = |nets: &[Ipv4Net]| nets.iter().map(|n| IpNet::V4(*n)).collect::<Vec<_>>();
    let reachable_known = manage_routes.is_some() && route_subnets.is_some();
    if reachable_known
        && !(manage_routes == Some(true) && route_subnets.as_ref().is_some_and(|s| s.is_empty()))
    {
        let cover = as_ipnet(&routes_after);
        for group in groups {
            let unreachable = uncovered(&as_ipnet(&group.networks), &cover);
            if !unreachable.is_empty() {
                diagnostics.warning_at(
                    groups_path(group.key).attr("networks"),
                    "Authorized network without a route",
                    format!(
                        "Group {:?} is authorized for {}, but no route on endpoint {} leads \
                         there, so its users cannot reach {}. {}",
                        group.key,
                        list(&unreachable),
                        observation.endpoint.id,
                        if unreachable.len() == 1 { "it" } else { "them" },
                        if manage_routes == Some(true) {
                            "Check `route_subnet_ids`."
                        } else {
                            "Add the routes, or set `manage_routes = true`."
                        }
                    ),
                );
            }
        }
    }

    // Routes of others that no rule authorizes.
    let all_known = groups.iter().all(|g| g.complete && g.sid.is_some());
    if all_known {
        let authorized: Vec<IpNet> = networks
            .iter()
            .map(|n| IpNet::V4(*n))
            .chain(
                observation
                    .rules
                    .iter()
                    .filter(|r| r.phase() != Phase::Leaving)
                    .filter(|r| r.access_all || r.key().is_some_and(|k| !our_sids.contains(&k.sid)))
                    .filter_map(|r| r.destination_cidr.parse::<Ipv4Net>().ok())
                    .map(IpNet::V4),
            )
            .collect();
        let foreign: Vec<IpNet> = observation
            .routes
            .iter()
            .filter(|r| !r.added_by_association() && r.phase() != Phase::Leaving)
            .filter_map(|r| r.key())
            .filter(|k| !context.owned_routes.contains(k))
            .map(|k| IpNet::V4(k.destination))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let unusable = disjoint_from(&foreign, &authorized);
        if !unusable.is_empty() {
            diagnostics.warning_at(
                Path::root().attr("client_vpn_endpoint_id"),
                "Routes without authorization",
                format!(
                    "Endpoint {} routes {} but no rule authorizes any group for {}, so no \
                     traffic can use {}. Authorize a group for {} or delete the {}.",
                    observation.endpoint.id,
                    list(&unusable),
                    if unusable.len() == 1 { "it" } else { "them" },
                    if unusable.len() == 1 {
                        "the route"
                    } else {
                        "the routes"
                    },
                    if unusable.len() == 1 { "it" } else { "them" },
                    if unusable.len() == 1 {
                        "route"
                    } else {
                        "routes"
                    },
                ),
            );
        }
    }

    // 100 routes per associated subnet, counting routes this resource does not manage.
    if let (Some(true), Some(subnets)) = (manage_routes, &route_subnets)
        && groups.iter().all(|g| g.complete)
    {
        let destinations: BTreeSet<Ipv4Net> = networks.iter().copied().collect();
        for subnet in subnets {
            let others = observation
                .routes
                .iter()
                .filter(|r| &r.subnet_id == subnet && r.phase() != Phase::Leaving)
                .filter_map(|r| r.key())
                .filter(|k| {
                    !context.owned_routes.contains(k) && !destinations.contains(&k.destination)
                })
                .count();
            let total = others + destinations.len();
            if total > ROUTES_PER_ASSOCIATION {
                diagnostics.error_at(
                    path.clone(),
                    "Too many routes through one subnet",
                    format!(
                        "{subnet} would carry {total} routes ({} from this resource, {others} \
                         others); Client VPN allows {ROUTES_PER_ASSOCIATION} per associated \
                         subnet. Summarize networks into wider CIDRs, or spread groups over \
                         more endpoints.",
                        destinations.len()
                    ),
                );
            }
        }
    }
}

/// A configured route subnet that is not associated: an error when it cannot be (it does not
/// exist, is in another VPC, or its Availability Zone already has an associated subnet) or the
/// apply is running; otherwise a warning, since its association may be created by this same
/// configuration before this resource is applied.
fn check_unassociated(
    id: &str,
    stage: Stage,
    observation: &Observation,
    usable: &BTreeSet<&str>,
    diagnostics: &mut Diagnostics,
) {
    let path = Path::root().attr("route_subnet_ids");
    let endpoint = &observation.endpoint;
    let associated = if usable.is_empty() {
        "there are none".to_string()
    } else {
        usable.iter().copied().collect::<Vec<_>>().join(", ")
    };
    let state = observation
        .association(id)
        .map(|a| format!(" (its association is {})", a.status))
        .unwrap_or_default();
    let impossible = match observation.subnets.get(id) {
        None => Some(format!("{id} does not exist in this account and Region.")),
        Some(subnet)
            if endpoint
                .vpc_id
                .as_ref()
                .is_some_and(|v| *v != subnet.vpc_id) =>
        {
            Some(format!(
                "{id} is in {}, but endpoint {} is in {}; routes go through subnets of the \
                 endpoint's VPC.",
                subnet.vpc_id,
                endpoint.id,
                endpoint.vpc_id.as_deref().unwrap_or_default()
            ))
        }
        Some(subnet) => usable
            .iter()
            .find(|other| {
                observation
                    .subnets
                    .get(**other)
                    .is_some_and(|o| o.availability_zone == subnet.availability_zone)
            })
            .map(|other| {
                format!(
                    "{id} is in {zone}, where {other} is already associated, and an endpoint \
                     has at most one subnet per Availability Zone. Route through {other} \
                     instead.",
                    zone = subnet.availability_zone
                )
            }),
    };
    match (impossible, stage) {
        (Some(why), _) => diagnostics.error_at(
            path,
            "Route subnet cannot be associated",
            format!("{why} Associated subnets: {associated}."),
        ),
        (None, Stage::Apply) => diagnostics.error_at(
            path,
            "Route subnet not associated",
            format!(
                "{id} is not associated with endpoint {}{state}; routes can only go through \
                 associated subnets ({associated}). Associate it first \
                 (`aws_ec2_client_vpn_network_association`), or leave `route_subnet_ids` unset to \
                 use every associated subnet.",
                endpoint.id
            ),
        ),
        (None, Stage::Plan) => diagnostics.warning_at(
            path,
            "Route subnet not associated yet",
            format!(
                "{id} is not associated with endpoint {}{state} (associated: {associated}). If \
                 its association is created in this configuration, make sure this resource is \
                 applied after it: reference it (`aws_ec2_client_vpn_network_association.<name>\
                 .subnet_id`) or add `depends_on`. The apply fails if the subnet is still not \
                 associated then.",
                endpoint.id
            ),
        ),
    }
}

fn list(nets: &[IpNet]) -> String {
    nets.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_rule_quota(
    groups: &[KnownGroup<'_>],
    observation: &Observation,
    our_sids: &BTreeSet<String>,
    diagnostics: &mut Diagnostics,
) {
    if !groups.iter().all(|g| g.complete) {
        return;
    }
    let ours: usize = groups.iter().map(|g| g.networks.len()).sum();
    let others = observation
        .rules
        .iter()
        .filter(|r| r.phase() != Phase::Leaving)
        .filter(|r| r.access_all || r.key().is_none_or(|k| !our_sids.contains(&k.sid)))
        .count();
    if ours + others > RULES_PER_ENDPOINT {
        diagnostics.error_at(
            Path::root().attr("groups"),
            "Too many authorization rules",
            format!(
                "Endpoint {} would have {} authorization rules ({ours} from this resource, \
                 {others} others); Client VPN allows {RULES_PER_ENDPOINT} per endpoint. \
                 Summarize networks into wider CIDRs, or spread groups over more endpoints.",
                observation.endpoint.id,
                ours + others
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::cty::Value;
    use crate::protocol::diagnostics::{Diagnostic, Severity};
    use crate::resources::client_vpn_group_access::observed::{
        Association, Directory, Endpoint, Route, Rule, Subnet,
    };

    const ENDPOINT: &str = "cvpn-endpoint-0123456789abcdef0";
    const SID_A: &str = "S-1-5-21-1004336348-1177238915-682003330-1104";
    const SID_B: &str = "S-1-5-21-1004336348-1177238915-682003330-1105";

    fn group(sid: Option<&str>, name: Option<&str>, networks: &[&str]) -> Value {
        Value::object([
            ("sid", sid.map_or(Value::Null, Value::string)),
            ("name", name.map_or(Value::Null, Value::string)),
            (
                "networks",
                Value::Set(networks.iter().map(|n| Value::string(*n)).collect()),
            ),
            ("description", Value::Null),
        ])
    }

    fn config(groups: Vec<(&str, Value)>, extra: Vec<(&str, Value)>) -> Config {
        let mut attributes = vec![
            ("client_vpn_endpoint_id", Value::string(ENDPOINT)),
            (
                "groups",
                Value::Map(
                    groups
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                ),
            ),
        ];
        attributes.extend(extra);
        Config::parse(&Value::object(attributes))
    }

    fn at(diagnostics: &Diagnostics, path: &str) -> Vec<Diagnostic> {
        diagnostics
            .iter()
            .filter(|d| d.attribute.as_ref().map(ToString::to_string).as_deref() == Some(path))
            .cloned()
            .collect()
    }

    #[test]
    fn offline_errors_name_their_attribute() {
        let config = config(
            vec![
                ("no_sid", group(None, None, &["10.0.0.0/16"])),
                ("both", group(Some(SID_A), Some("Eng"), &[])),
                ("bad_sid", group(Some("S-1-5-21-x"), None, &[])),
                ("lower", group(Some("s-1-5-21-1-2-3-4"), None, &[])),
                (
                    "nets",
                    group(Some(SID_B), None, &["10.0.0.1/16", "fd00::/8", "0.0.0.0/0"]),
                ),
                ("dup", group(Some(SID_B), None, &[])),
                ("a: b", group(Some("S-1-5-21-1-2-3-9"), None, &[])),
            ],
            vec![
                ("directory_id", Value::string("directory")),
                ("route_subnet_ids", Value::Set(vec![Value::string("sn-1")])),
            ],
        );
        let found = check_config(&config);
        assert!(found.iter().all(|d| d.severity == Severity::Error));
        assert_eq!(at(&found, r#"groups["no_sid"]"#).len(), 1);
        assert_eq!(at(&found, r#"groups["both"].name"#).len(), 1);
        assert_eq!(
            at(&found, r#"groups["bad_sid"].sid"#)[0].summary,
            "Invalid SID"
        );
        assert!(
            at(&found, r#"groups["lower"].sid"#)[0]
                .detail
                .contains("\"S-1-5-21-1-2-3-4\"")
        );
        let networks = at(&found, r#"groups["nets"].networks"#);
        assert_eq!(networks.len(), 3, "{networks:?}");
        assert!(
            networks
                .iter()
                .any(|d| d.detail.contains("use 10.0.0.0/16"))
        );
        assert!(networks.iter().any(|d| d.detail.contains("IPv6")));
        assert!(
            networks
                .iter()
                .any(|d| d.detail.contains("allow_internet = true"))
        );
        // Reported once, on the second group in key order, naming the first.
        assert_eq!(at(&found, r#"groups["dup"].sid"#).len(), 0);
        let duplicate = &at(&found, r#"groups["nets"].sid"#)[0];
        assert_eq!(duplicate.summary, "Duplicate group SID");
        assert!(duplicate.detail.contains("\"dup\""), "{}", duplicate.detail);
        assert_eq!(
            at(&found, r#"groups["a: b"]"#)[0].summary,
            "Invalid group key"
        );
        assert_eq!(at(&found, "directory_id").len(), 1);
        assert_eq!(at(&found, "route_subnet_ids").len(), 1);
    }

    #[test]
    fn internet_is_fine_when_allowed_and_unknowns_are_left_for_apply() {
        let allowed = config(
            vec![("all", group(Some(SID_A), None, &["0.0.0.0/0"]))],
            vec![("allow_internet", Value::Bool(true))],
        );
        assert!(check_config(&allowed).is_empty());
        let unknown = config(
            vec![(
                "g",
                Value::object([
                    ("sid", Value::unknown()),
                    ("name", Value::Null),
                    ("networks", Value::Set(vec![Value::unknown()])),
                    ("description", Value::Null),
                ]),
            )],
            vec![("client_vpn_endpoint_id", Value::unknown())],
        );
        assert!(check_config(&unknown).is_empty());
    }

    fn observation(rules: Vec<Rule>, routes: Vec<Route>) -> Observation {
        Observation {
            endpoint: Endpoint {
                id: ENDPOINT.into(),
                client_cidr_block: "172.16.0.0/22".into(),
                directory_id: Some("d-1234567890".into()),
                authentication: vec![AD_AUTHENTICATION.into()],
                transit_gateway_id: None,
                transit_gateway_attachment_id: None,
                status: "available".into(),
                vpc_id: Some("vpc-0123456789abcdef0".into()),
                tags: Default::default(),
            },
            associations: vec![Association {
                subnet_id: "subnet-0aaaaaaaaaaaaaaaa".into(),
                status: "associated".into(),
            }],
            rules,
            routes,
            directory: DirectoryLookup::Found(Directory {
                id: "d-1234567890".into(),
                kind: "SimpleAD".into(),
                stage: "Creating".into(),
            }),
            subnets: BTreeMap::from([
                (
                    "subnet-0aaaaaaaaaaaaaaaa".into(),
                    Subnet {
                        id: "subnet-0aaaaaaaaaaaaaaaa".into(),
                        vpc_id: "vpc-0123456789abcdef0".into(),
                        availability_zone: "eu-west-1a".into(),
                        availability_zone_id: None,
                    },
                ),
                (
                    "subnet-0bbbbbbbbbbbbbbbb".into(),
                    Subnet {
                        id: "subnet-0bbbbbbbbbbbbbbbb".into(),
                        vpc_id: "vpc-0123456789abcdef0".into(),
                        availability_zone: "eu-west-1b".into(),
                        availability_zone_id: None,
                    },
                ),
            ]),
            owner: None,
        }
    }

    fn check(config: &Config, observation: Option<&Observation>) -> Diagnostics {
        check_against_aws(&Context {
            config,
            resolved: &BTreeMap::new(),
            observation,
            owned_sids: BTreeSet::new(),
            owned_routes: BTreeSet::new(),
            stage: Stage::Plan,
        })
    }

    /// An endpoint attached to a Transit Gateway: its attachment stands in for associations.
    fn on_transit_gateway() -> Observation {
        let mut seen = observation(vec![], vec![]);
        seen.endpoint.transit_gateway_id = Some("tgw-0123456789abcdef0".into());
        seen.endpoint.transit_gateway_attachment_id = Some("tgw-attach-0123456789abcdef0".into());
        seen.endpoint.vpc_id = None;
        seen.associations = vec![Association {
            subnet_id: "tgw-attach-0123456789abcdef0".into(),
            status: "associated".into(),
        }];
        seen.subnets = BTreeMap::new();
        seen
    }

    #[test]
    fn a_transit_gateway_endpoint_has_no_redundancy_to_judge_and_refuses_subnets() {
        let groups = || vec![("a", group(Some(SID_A), None, &["10.0.0.0/16"]))];
        let seen = on_transit_gateway();
        let found = check(&config(groups(), vec![]), Some(&seen));
        assert!(at(&found, "route_subnet_ids").is_empty(), "{found:?}");
        // The same endpoint in VPC mode, one subnet associated: no redundancy.
        let in_vpc = check(
            &config(groups(), vec![]),
            Some(&observation(vec![], vec![])),
        );
        assert_eq!(
            at(&in_vpc, "route_subnet_ids")
                .iter()
                .map(|d| d.summary.as_str())
                .collect::<Vec<_>>(),
            ["Routes without redundancy"]
        );
        let named = config(
            groups(),
            vec![(
                "route_subnet_ids",
                Value::Set(vec![Value::string("subnet-0aaaaaaaaaaaaaaaa")]),
            )],
        );
        let refused = at(&check(&named, Some(&seen)), "route_subnet_ids");
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!(refused[0].severity, Severity::Error);
        assert_eq!(refused[0].summary, "Endpoint attached to a Transit Gateway");
        for part in [
            "subnet-0aaaaaaaaaaaaaaaa",
            "tgw-attach-0123456789abcdef0",
            "unset",
        ] {
            assert!(refused[0].detail.contains(part), "{part}: {refused:?}");
        }
        // Naming the attachment itself is what leaving it unset plans: accepted.
        let attachment = config(
            groups(),
            vec![(
                "route_subnet_ids",
                Value::Set(vec![Value::string("tgw-attach-0123456789abcdef0")]),
            )],
        );
        assert!(at(&check(&attachment, Some(&seen)), "route_subnet_ids").is_empty());
    }

    #[test]
    fn aws_documented_shadowing_example_warns_even_offline() {
        // AWS: group A on 10.0.0.0/16, group B on 10.0.1.0/24: A loses 10.0.1.0/24.
        let config = config(
            vec![
                ("a", group(Some(SID_A), None, &["10.0.0.0/16"])),
                ("b", group(Some(SID_B), None, &["10.0.1.0/24"])),
            ],
            vec![],
        );
        let found = check(&config, None);
        assert_eq!(found.0.len(), 1, "{found:?}");
        let warning = &found.0[0];
        assert_eq!(warning.severity, Severity::Warning);
        assert_eq!(
            warning.attribute.as_ref().unwrap().to_string(),
            r#"groups["a"].networks"#
        );
        for part in ["\"a\"", "10.0.0.0/16", "10.0.1.0/24", "group \"b\""] {
            assert!(
                warning.detail.contains(part),
                "{part} in {}",
                warning.detail
            );
        }
    }

    #[test]
    fn checks_against_the_endpoint() {
        let config = config(
            vec![
                (
                    "a",
                    group(Some(SID_A), None, &["10.0.0.0/16", "172.16.1.0/24"]),
                ),
                ("b", group(Some(SID_B), None, &["192.168.0.0/16"])),
            ],
            vec![
                ("directory_id", Value::string("d-9999999999")),
                ("manage_routes", Value::Bool(false)),
            ],
        );
        let seen = observation(
            vec![
                Rule {
                    group_id: None,
                    access_all: true,
                    destination_cidr: "10.50.0.0/16".into(),
                    description: None,
                    status: "active".into(),
                    message: None,
                },
                Rule {
                    group_id: Some("S-1-5-21-7-7-7-7".into()),
                    access_all: false,
                    destination_cidr: "10.0.5.0/24".into(),
                    description: None,
                    status: "active".into(),
                    message: None,
                },
            ],
            vec![
                Route {
                    destination_cidr: "10.0.0.0/16".into(),
                    subnet_id: "subnet-0aaaaaaaaaaaaaaaa".into(),
                    origin: "associate".into(),
                    status: "active".into(),
                    message: None,
                },
                Route {
                    destination_cidr: "10.77.0.0/16".into(),
                    subnet_id: "subnet-0aaaaaaaaaaaaaaaa".into(),
                    origin: "add-route".into(),
                    status: "active".into(),
                    message: None,
                },
            ],
        );
        let found = check(&config, Some(&seen));
        let summaries = |path: &str| -> Vec<String> {
            at(&found, path).into_iter().map(|d| d.summary).collect()
        };
        assert_eq!(
            summaries("directory_id"),
            [
                "Not the endpoint's directory",
                "Directory not active",
                "Simple AD directory"
            ]
        );
        let endpoint = summaries("client_vpn_endpoint_id");
        assert!(
            endpoint.contains(&"Rules authorize all groups".to_string()),
            "{endpoint:?}"
        );
        assert!(
            endpoint.contains(&"Routes without authorization".to_string()),
            "{endpoint:?}"
        );
        let a = summaries(r#"groups["a"].networks"#);
        assert!(
            a.contains(&"Network overlaps the client CIDR".to_string()),
            "{a:?}"
        );
        assert!(
            a.contains(&"Network partly taken by another group's rule".to_string()),
            "{a:?}"
        );
        assert!(
            a.contains(&"Authorized network without a route".to_string()),
            "{a:?}"
        );
        assert_eq!(
            summaries(r#"groups["b"].networks"#),
            ["Authorized network without a route"]
        );
        let shadow = &at(&found, r#"groups["a"].networks"#)
            .into_iter()
            .find(|d| d.summary.starts_with("Network partly"))
            .unwrap()
            .detail;
        assert!(shadow.contains("S-1-5-21-7-7-7-7"), "{shadow}");
    }

    #[test]
    fn route_subnets_and_quotas() {
        let networks: Vec<String> = (0..101).map(|i| format!("10.{i}.0.0/16")).collect();
        let refs: Vec<&str> = networks.iter().map(String::as_str).collect();
        let config = config(
            vec![("a", group(Some(SID_A), None, &refs))],
            vec![(
                "route_subnet_ids",
                Value::Set(vec![
                    Value::string("subnet-0aaaaaaaaaaaaaaaa"),
                    Value::string("subnet-0bbbbbbbbbbbbbbbb"),
                ]),
            )],
        );
        let others: Vec<Rule> = (0..100)
            .map(|i| Rule {
                group_id: Some("S-1-5-21-7-7-7-7".into()),
                access_all: false,
                destination_cidr: format!("10.200.{i}.0/24"),
                description: None,
                status: "active".into(),
                message: None,
            })
            .collect();
        let found = check(&config, Some(&observation(others, vec![])));
        let subnets: Vec<String> = at(&found, "route_subnet_ids")
            .into_iter()
            .map(|d| d.summary)
            .collect();
        assert!(
            subnets.contains(&"Route subnet not associated yet".to_string()),
            "a warning at plan time: {subnets:?}"
        );
        assert!(subnets.contains(&"Too many routes through one subnet".to_string()));
        assert!(
            !subnets.contains(&"Routes without redundancy".to_string()),
            "the second subnet, once associated, is in another Availability Zone"
        );
        let quota = at(&found, "groups");
        assert_eq!(quota.len(), 1);
        assert!(
            quota[0]
                .detail
                .contains("201 authorization rules (101 from this resource, 100 others)"),
            "{}",
            quota[0].detail
        );
    }

    #[test]
    fn unassociated_route_subnets_are_errors_when_they_cannot_be_associated() {
        let config = config(
            vec![("a", group(Some(SID_A), None, &["10.20.0.0/16"]))],
            vec![(
                "route_subnet_ids",
                Value::Set(vec![
                    Value::string("subnet-0bbbbbbbbbbbbbbbb"),
                    Value::string("subnet-0cccccccccccccccc"),
                    Value::string("subnet-0dddddddddddddddd"),
                    Value::string("subnet-0eeeeeeeeeeeeeeee"),
                ]),
            )],
        );
        let mut seen = observation(vec![], vec![]);
        seen.subnets.insert(
            "subnet-0dddddddddddddddd".into(),
            Subnet {
                id: "subnet-0dddddddddddddddd".into(),
                vpc_id: "vpc-0123456789abcdef0".into(),
                availability_zone: "eu-west-1a".into(),
                availability_zone_id: None,
            },
        );
        seen.subnets.insert(
            "subnet-0eeeeeeeeeeeeeeee".into(),
            Subnet {
                id: "subnet-0eeeeeeeeeeeeeeee".into(),
                vpc_id: "vpc-0fffffffffffffff0".into(),
                availability_zone: "eu-west-1c".into(),
                availability_zone_id: None,
            },
        );
        let run = |stage| {
            check_against_aws(&Context {
                config: &config,
                resolved: &BTreeMap::new(),
                observation: Some(&seen),
                owned_sids: BTreeSet::new(),
                owned_routes: BTreeSet::new(),
                stage,
            })
        };
        let planned = run(Stage::Plan);
        let found: Vec<(Severity, &str, bool)> = at(&planned, "route_subnet_ids")
            .iter()
            .map(|d| {
                let subject = ["bbbb", "cccc", "dddd", "eeee"]
                    .into_iter()
                    .find(|s| d.detail.starts_with(&format!("subnet-0{s}")))
                    .unwrap_or("?");
                (d.severity, subject, d.summary.contains("yet"))
            })
            .collect();
        assert!(
            found.contains(&(Severity::Warning, "bbbb", true)),
            "{found:?}"
        );
        for impossible in ["cccc", "dddd", "eeee"] {
            assert!(
                found.contains(&(Severity::Error, impossible, false)),
                "{impossible}: {found:?}"
            );
        }
        let detail = |needle: &str| {
            at(&planned, "route_subnet_ids")
                .into_iter()
                .find(|d| d.detail.starts_with(needle))
                .unwrap()
                .detail
        };
        assert!(detail("subnet-0cccc").contains("does not exist"));
        assert!(detail("subnet-0dddd").contains("subnet-0aaaaaaaaaaaaaaaa is already associated"));
        assert!(detail("subnet-0eeee").contains("vpc-0fffffffffffffff0"));
        let applied = run(Stage::Apply);
        let late = at(&applied, "route_subnet_ids")
            .into_iter()
            .find(|d| d.detail.starts_with("subnet-0bbbb"))
            .unwrap();
        assert_eq!(late.severity, Severity::Error);
        assert_eq!(late.summary, "Route subnet not associated");
    }

    #[test]
    fn names_that_cannot_resolve_say_sids_must_be_given() {
        let config = config(
            vec![("eng", group(None, Some("Engineers"), &["10.0.0.0/16"]))],
            vec![],
        );
        let found = check_names(
            &config,
            &[(
                "eng".into(),
                NameProblem::NotManagedAd {
                    directory_id: "d-1234567890".into(),
                    kind: "ADConnector".into(),
                },
            )],
            &BTreeMap::new(),
        );
        let error = &at(&found, r#"groups["eng"].name"#)[0];
        assert_eq!(error.severity, Severity::Error);
        assert!(
            error.detail.contains("SIDs must be given"),
            "{}",
            error.detail
        );
    }
}
