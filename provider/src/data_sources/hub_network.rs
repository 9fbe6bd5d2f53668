//! `data "migration_hub_network"`: what a spoke workspace, owned by another team, needs to know
//! of a hub it does not manage: the Transit Gateway, its share, its route table and its networks
//! by the names the hub gives them, so that `migration_hub_spoke` can be written from it
//! (`hub_cidr_blocks = data.migration_hub_network.hub.cidr_blocks`) instead of from values copied
//! between teams.
//!
//! With the **hub account's credentials** (a provider alias, ideally a read-only role in the
//! hub account) it answers everything. From an account the hub shares with, it answers what
//! AWS shows that account: the gateway (through the share), its owner and default route table,
//! and the share; the hub's attachments, VPCs, route tables and tags stay the hub account's
//! (AWS keeps tags per account), so the networks and the share's principals are null, with a
//! warning saying how to read them.
//!
//! The hub is found by exactly one of its gateway id, its share's ARN or its name (the gateway's
//! `Name` tag in the hub account; elsewhere the name of the share, which the hub names after
//! itself). In the hub account it is then read the way `terraform import` reads it
//! (`hub_network::observe` with `discover`); the networks are named as the hub resource names
//! them (`hub_network::state::attachment_key`).
//! `migration_reachability` reads hubs the same way and names their networks through
//! [`named_attachments`] and [`data_center_cidrs`] too.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use ipnet::IpNet;

use crate::aws::call::Aws;
use crate::aws::ec2::attachment::VpcAttachment;
use crate::aws::ec2::transit_gateway::TransitGateway;
use crate::aws::ram::{Received, ReceivedShare};
use crate::framework::context::Ctx;
use crate::framework::data_source::{DataSource, Read, ReadError};
use crate::framework::identity::Place;
use crate::framework::tags::{MANAGED_BY_TAG, OWNER_TAG};
use crate::framework::typed::Maybe;
use crate::protocol::cty::{Path, Type, Value};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::{Attribute, Block, Nesting, Presence, Schema};
use crate::resources::hub_network::model::{DATA_CENTER, decode_data_center_cidrs};
use crate::resources::hub_network::observe::{self as hub, Scope};
use crate::resources::hub_network::state::attachment_key;
use crate::resources::hub_network::topology::Topology;
use crate::typed_object;

pub(crate) struct HubNetwork;

typed_object! {
    pub(crate) struct Config {
        transit_gateway_id: Maybe<Option<String>>,
        resource_share_arn: Maybe<Option<String>>,
        name: Maybe<Option<String>>,
    }
}

typed_object! {
    #[derive(Debug, PartialEq, Eq)]
    pub(crate) struct NetworkState {
        vpc_id: String,
        attachment_id: String,
        cidr_blocks: BTreeSet<String>,
    }
}

typed_object! {
    #[derive(Debug, PartialEq, Eq)]
    pub(crate) struct State {
        transit_gateway_id: String,
        resource_share_arn: Option<String>,
        name: Option<String>,
        transit_gateway_arn: String,
        owner_account_id: String,
        route_table_id: Option<String>,
        shared_with: Option<BTreeSet<String>>,
        networks: Option<BTreeMap<String, NetworkState>>,
        data_center_cidr_blocks: Option<BTreeSet<String>>,
        cidr_blocks: Option<BTreeSet<String>>,
    }
}

const BY_ID: &str = "transit_gateway_id";
const BY_SHARE: &str = "resource_share_arn";
const BY_NAME: &str = "name";

/// How the configuration names the hub: exactly one of the three arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Lookup {
    Id(String),
    Share(String),
    Name(String),
}

impl Lookup {
    fn attribute(&self) -> &'static str {
        match self {
            Lookup::Id(_) => BY_ID,
            Lookup::Share(_) => BY_SHARE,
            Lookup::Name(_) => BY_NAME,
        }
    }

    fn value(&self) -> &str {
        match self {
            Lookup::Id(v) | Lookup::Share(v) | Lookup::Name(v) => v,
        }
    }

    fn path(&self) -> Path {
        Path::root().attr(self.attribute())
    }
}

/// The arguments set (known or not), in schema order.
fn arguments_set(config: &Config) -> Vec<(&'static str, Option<&str>)> {
    let mut set = Vec::new();
    for (name, value) in [
        (BY_ID, &config.transit_gateway_id),
        (BY_SHARE, &config.resource_share_arn),
        (BY_NAME, &config.name),
    ] {
        match value {
            Maybe::Known(Some(v)) => set.push((name, Some(v.as_str()))),
            Maybe::Known(None) => {}
            Maybe::Unknown => set.push((name, None)),
        }
    }
    set
}

const ONE_OF: &str = "Set exactly one of transit_gateway_id (migration_hub_network.<name>.id in \
                      the hub's workspace), resource_share_arn (its resource_share_arn) or name \
                      (its name).";

/// Offline: exactly one lookup, each in the form AWS gives it.
fn check(config: &Config) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let set = arguments_set(config);
    match set.as_slice() {
        [] => diagnostics.error(
            "No hub to look up",
            format!("None of transit_gateway_id, resource_share_arn and name is set. {ONE_OF}"),
        ),
        [_] => {}
        [(first, _), rest @ ..] => {
            for (name, _) in rest {
                diagnostics.error_at(
                    Path::root().attr(*name),
                    "Several hub lookups",
                    format!(
                        "Both {first} and {name} are set; the hub is looked up by one of them. \
                         {ONE_OF}"
                    ),
                );
            }
        }
    }
    for (name, value) in set {
        let Some(value) = value else { continue };
        let problem = match name {
            BY_ID if id_problem(value, "tgw-") => Some(format!(
                "{value:?} is not a Transit Gateway id (tgw- and hexadecimal digits). Use the \
                 hub's id (migration_hub_network.<name>.id in the hub's workspace)."
            )),
            BY_SHARE if !is_share_arn(value) => Some(format!(
                "{value:?} is not a RAM resource share ARN \
                 (arn:<partition>:ram:<region>:<account>:resource-share/<id>). Use the hub's \
                 resource_share_arn."
            )),
            BY_NAME if value.trim().is_empty() => Some(
                "The name is empty. Use the hub's name (migration_hub_network's name argument, \
                 its Transit Gateway's Name tag)."
                    .to_string(),
            ),
            _ => None,
        };
        if let Some(detail) = problem {
            diagnostics.error_at(Path::root().attr(name), "Invalid hub lookup", detail);
        }
    }
    diagnostics
}

/// Whether `value` is not an AWS id with this prefix followed by hexadecimal digits.
pub(crate) fn id_problem(value: &str, prefix: &str) -> bool {
    value
        .strip_prefix(prefix)
        .is_none_or(|rest| rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_share_arn(value: &str) -> bool {
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", _, "ram", _, _, resource]
        if resource.strip_prefix("resource-share/").is_some_and(|id| !id.is_empty()))
}

/// Prefixes AWS reported, canonical, sorted and without repeats (what is not a prefix, such as
/// a prefix-list route's destination, is left out).
pub(crate) fn prefixes<'a>(texts: impl IntoIterator<Item = &'a String>) -> Vec<IpNet> {
    let mut found: Vec<IpNet> = texts
        .into_iter()
        .filter_map(|t| t.parse::<IpNet>().ok().map(|net| net.trunc()))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The hub's VPC attachments (ordered by VPC id), each with the name the hub resource gives
/// it: its key in `vpc_attachments`, read back from the `migration:network` tag (or the
/// `Name` tag, or the VPC id), never `data_center`.
pub(crate) fn named_attachments(topology: &Topology) -> Vec<(String, &VpcAttachment)> {
    let hub_name = topology
        .tgw
        .as_ref()
        .and_then(|t| t.tags.get("Name"))
        .cloned()
        .unwrap_or_default();
    let mut taken = BTreeSet::from([DATA_CENTER.to_string()]);
    topology
        .attachments
        .values()
        .map(|attachment| {
            (
                attachment_key(None, attachment, &hub_name, &mut taken),
                attachment,
            )
        })
        .collect()
}

/// The data center's prefixes: `None` without a data center; empty when they cannot be told
/// (its attachment carries no `migration:data-center-cidrs` tag and the hub route table has no
/// static route to it). The hub tags the attachment with them; a static VPN also has them as
/// the hub route table's routes to it.
pub(crate) fn data_center_cidrs(topology: &Topology) -> Option<Vec<IpNet>> {
    let data_center = topology.data_center.as_ref()?;
    let attachment = data_center.attachment.as_ref();
    Some(
        match attachment.and_then(|a| decode_data_center_cidrs(&a.tags)) {
            Some(tagged) => prefixes(&tagged),
            None => prefixes(
                topology
                    .hub_routes
                    .values()
                    .filter(|r| {
                        r.attachment_id.is_some()
                            && r.attachment_id.as_deref() == attachment.map(|a| a.id.as_str())
                    })
                    .map(|r| &r.destination),
            ),
        },
    )
}

/// The warning for a data center whose prefixes cannot be told, on `attribute`.
pub(crate) fn unknown_data_center(warnings: &mut Diagnostics, attribute: &str, consequence: &str) {
    warnings.warning_at(
        Path::root().attr(attribute),
        "The data center's networks are unknown",
        format!(
            "The data center attachment carries no migration:data-center-cidrs tag (it was not \
             made by migration_hub_network) and the hub route table has no static route to it, \
             so {consequence}. Manage it with migration_hub_network's data_center to include it."
        ),
    );
}

fn texts(nets: &[IpNet]) -> BTreeSet<String> {
    nets.iter().map(ToString::to_string).collect()
}

/// What the data source answers for the hub `topology` holds.
fn state(topology: &Topology, warnings: &mut Diagnostics) -> State {
    let tgw = topology
        .tgw
        .as_ref()
        .expect("an observed hub has its gateway");
    let mut cidr_blocks = BTreeSet::new();
    let networks: BTreeMap<String, NetworkState> = named_attachments(topology)
        .into_iter()
        .map(|(name, attachment)| {
            let cidrs = topology
                .vpcs
                .get(&attachment.vpc_id)
                .map(|v| texts(&prefixes(&v.cidr_blocks)))
                .unwrap_or_default();
            cidr_blocks.extend(cidrs.iter().cloned());
            (
                name,
                NetworkState {
                    vpc_id: attachment.vpc_id.clone(),
                    attachment_id: attachment.id.clone(),
                    cidr_blocks: cidrs,
                },
            )
        })
        .collect();
    let data_center = data_center_cidrs(topology);
    if data_center.as_ref().is_some_and(Vec::is_empty) {
        unknown_data_center(
            warnings,
            "data_center_cidr_blocks",
            "data_center_cidr_blocks and cidr_blocks leave it out",
        );
    }
    let data_center = texts(&data_center.unwrap_or_default());
    cidr_blocks.extend(data_center.iter().cloned());
    State {
        transit_gateway_id: tgw.id.clone(),
        resource_share_arn: topology.share.as_ref().map(|s| s.arn.clone()),
        name: tgw.tags.get("Name").cloned(),
        transit_gateway_arn: tgw.arn.clone(),
        owner_account_id: tgw.owner_id.clone(),
        route_table_id: tgw.association_default_route_table_id.clone(),
        shared_with: Some(
            topology
                .share
                .as_ref()
                .map(|s| s.principals.clone())
                .unwrap_or_default(),
        ),
        networks: Some(networks),
        data_center_cidr_blocks: Some(data_center),
        cidr_blocks: Some(cidr_blocks),
    }
}

fn refuse(lookup: &Lookup, summary: &str, detail: String) -> ReadError {
    let mut diagnostics = Diagnostics::new();
    diagnostics.error_at(lookup.path(), summary, detail);
    ReadError::Invalid(diagnostics)
}

/// A gateway a lookup may name, with the share it reaches this account through when another
/// account owns it.
#[derive(Clone, Debug)]
struct Candidate {
    tgw: TransitGateway,
    received: Option<ReceivedShare>,
}

impl Candidate {
    fn own(tgw: TransitGateway) -> Candidate {
        Candidate {
            tgw,
            received: None,
        }
    }

    /// How it is named in an error: its id, then its `Name` (or its share's name) and owner.
    fn describe(&self) -> String {
        let tgw = &self.tgw;
        match &self.received {
            Some(share) => format!(
                "{} {:?} (account {}, shared with this account)",
                tgw.id, share.name, tgw.owner_id
            ),
            None => {
                let name = tgw
                    .tags
                    .get("Name")
                    .map_or(String::new(), |n| format!(" {n:?}"));
                format!("{}{name} (account {})", tgw.id, tgw.owner_id)
            }
        }
    }
}

/// The one gateway a lookup by name found, or the error naming what it found instead
/// (`hubs`: this account's hubs and those shared with it, for the error when none matched).
fn one_named(
    lookup: &Lookup,
    region: &str,
    mut found: Vec<Candidate>,
    hubs: &[Candidate],
) -> Result<Candidate, ReadError> {
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => {
            let names: Vec<String> = hubs.iter().map(Candidate::describe).collect();
            let seen = if names.is_empty() {
                format!("There is no hub at all in {region} for these credentials")
            } else {
                format!("The hubs there are: {}", names.join(", "))
            };
            Err(refuse(
                lookup,
                "Hub not found",
                format!(
                    "No Transit Gateway in {region} is named {:?} for these credentials, and no \
                     share of that name is shared with this account. {seen}. Use the hub's name \
                     as its workspace sets it (migration_hub_network's name), in the hub's \
                     Region, from the hub account or an account the hub shares with.",
                    lookup.value()
                ),
            ))
        }
        _ => Err(refuse(
            lookup,
            "Several hubs have this name",
            format!(
                "{} Transit Gateways in {region} are named {:?}: {}. Look the hub up by \
                 transit_gateway_id or resource_share_arn instead.",
                found.len(),
                lookup.value(),
                found
                    .iter()
                    .map(Candidate::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The gateway ids among a share's resource ARNs (`…:transit-gateway/tgw-…`).
fn gateways_in(resources: &BTreeSet<String>) -> Vec<String> {
    resources
        .iter()
        .filter_map(|arn| arn.split_once(":transit-gateway/").map(|(_, id)| id))
        .map(str::to_string)
        .collect()
}

/// The one gateway id a share looked up by ARN holds, or the error saying what it holds.
fn one_gateway(lookup: &Lookup, resources: &BTreeSet<String>) -> Result<String, ReadError> {
    let arn = lookup.value();
    match gateways_in(resources).as_slice() {
        [id] => Ok(id.clone()),
        [] => Err(refuse(
            lookup,
            "The share holds no Transit Gateway",
            format!(
                "Resource share {arn} holds {}, no Transit Gateway, so it is not a hub's share. \
                 Use the resource_share_arn of a migration_hub_network.",
                if resources.is_empty() {
                    "nothing".to_string()
                } else {
                    resources.iter().cloned().collect::<Vec<_>>().join(", ")
                }
            ),
        )),
        several => Err(refuse(
            lookup,
            "The share holds several Transit Gateways",
            format!(
                "Resource share {arn} holds {}, so it does not name one hub. Look the hub up by \
                 transit_gateway_id instead.",
                several.join(", ")
            ),
        )),
    }
}

/// The warning of an answer read from an account the hub shares with: what is left out, and
/// how to get it.
fn shared_view_warning(lookup: &Lookup, tgw: &TransitGateway, account: &str) -> Diagnostics {
    let mut warnings = Diagnostics::new();
    warnings.warning_at(
        lookup.path(),
        "The hub's networks are visible only to the hub account",
        format!(
            "Transit Gateway {} belongs to account {}; these credentials are account {account}'s, \
             which sees the gateway and its share but not the hub's attachments, VPCs or tags. \
             networks, data_center_cidr_blocks, cidr_blocks and shared_with are null. To read \
             them, give this data source a provider configured for account {} (provider = \
             migration.hub, an alias whose assume_role names a read-only role there).",
            tgw.id, tgw.owner_id, tgw.owner_id
        ),
    );
    warnings
}

/// What the data source answers for a gateway another account owns and shares with this one:
/// what RAM and EC2 show a receiving account.
fn shared_state(candidate: &Candidate) -> State {
    let tgw = &candidate.tgw;
    State {
        transit_gateway_id: tgw.id.clone(),
        resource_share_arn: candidate.received.as_ref().map(|s| s.arn.clone()),
        name: candidate.received.as_ref().map(|s| s.name.clone()),
        transit_gateway_arn: tgw.arn.clone(),
        owner_account_id: tgw.owner_id.clone(),
        route_table_id: tgw.association_default_route_table_id.clone(),
        shared_with: None,
        networks: None,
        data_center_cidr_blocks: None,
        cidr_blocks: None,
    }
}

/// The gateway as a candidate: one another account owns comes with the share it reaches this
/// account through.
async fn with_share(
    aws: &Aws<'_>,
    account: &str,
    tgw: TransitGateway,
) -> Result<Candidate, ReadError> {
    if tgw.owner_id == account {
        return Ok(Candidate::own(tgw));
    }
    let received = aws
        .received_shares(Received::Holding(&tgw.arn))
        .await?
        .into_iter()
        .next();
    Ok(Candidate { tgw, received })
}

impl HubNetwork {
    /// The gateway the lookup names; the share ARN when the lookup named one of this
    /// account's shares; the share it reaches this account through when another account owns
    /// it.
    async fn find(
        &self,
        ctx: &Ctx,
        lookup: &Lookup,
        account: &str,
    ) -> Result<(Candidate, Option<String>), ReadError> {
        let aws = ctx.aws();
        let region = ctx.region();
        let gone = |id: &str| {
            refuse(
                lookup,
                "Transit Gateway not found",
                format!(
                    "There is no Transit Gateway {id} in {region} for these credentials \
                     (deleted, in another Region, or another account's and not shared with \
                     account {account}, or shared so recently that EC2 does not show it yet). \
                     Use the hub's id (migration_hub_network.<name>.id) in the hub's Region, \
                     from the hub account or an account the hub shares with."
                ),
            )
        };
        match lookup {
            Lookup::Id(id) => {
                let tgw = aws
                    .find_transit_gateway(id)
                    .await?
                    .ok_or_else(|| gone(id))?;
                Ok((with_share(&aws, account, tgw).await?, None))
            }
            Lookup::Share(arn) => {
                if let Some(share) = aws.find_share(Some(arn), (OWNER_TAG, "")).await? {
                    let id = one_gateway(lookup, &share.resources)?;
                    let tgw = aws
                        .find_transit_gateway(&id)
                        .await?
                        .ok_or_else(|| gone(&id))?;
                    return Ok((Candidate::own(tgw), Some(share.arn)));
                }
                let Some(received) = aws
                    .received_shares(Received::Arn(arn))
                    .await?
                    .into_iter()
                    .next()
                else {
                    return Err(refuse(
                        lookup,
                        "Resource share not found",
                        format!(
                            "Account {account} neither owns nor receives an active resource \
                             share {arn} in {region} (deleted, in another Region, or not shared \
                             with this account: an invitation not accepted yet, or an \
                             Organization share still on its way). Use the hub's \
                             resource_share_arn, in the hub's Region, from the hub account or \
                             an account the hub shares with."
                        ),
                    ));
                };
                let id = one_gateway(lookup, &received.resources)?;
                let tgw = aws
                    .find_transit_gateway(&id)
                    .await?
                    .ok_or_else(|| gone(&id))?;
                Ok((
                    Candidate {
                        tgw,
                        received: Some(received),
                    },
                    None,
                ))
            }
            Lookup::Name(name) => {
                // The hub account sees its gateway's Name tag; an account the hub shares with
                // sees no tag of it, but the share, which the hub names after itself.
                let (tagged, received) = tokio::join!(
                    aws.transit_gateways_with_tag("Name", name),
                    aws.received_shares(Received::Named(name))
                );
                let mut found: Vec<Candidate> = Vec::new();
                for tgw in tagged? {
                    found.push(with_share(&aws, account, tgw).await?);
                }
                found.extend(self.shared_gateways(ctx, received?).await?);
                found.sort_by(|a, b| a.tgw.id.cmp(&b.tgw.id));
                found.dedup_by(|a, b| a.tgw.id == b.tgw.id);
                let hubs = if found.is_empty() {
                    let (own, received) = tokio::join!(
                        aws.transit_gateways_tagged(MANAGED_BY_TAG),
                        aws.received_shares(Received::All)
                    );
                    let mut hubs: Vec<Candidate> = own?
                        .into_iter()
                        .filter(|t| t.owner_id == account)
                        .map(Candidate::own)
                        .collect();
                    hubs.extend(self.shared_gateways(ctx, received?).await?);
                    hubs
                } else {
                    Vec::new()
                };
                Ok((one_named(lookup, region, found, &hubs)?, None))
            }
        }
    }

    /// The gateways these received shares hold that EC2 shows this account, each with its
    /// share.
    async fn shared_gateways(
        &self,
        ctx: &Ctx,
        shares: Vec<ReceivedShare>,
    ) -> Result<Vec<Candidate>, ReadError> {
        let aws = ctx.aws();
        let mut found = Vec::new();
        for share in shares {
            for id in gateways_in(&share.resources) {
                if let Some(tgw) = aws.find_transit_gateway(&id).await? {
                    found.push(Candidate {
                        tgw,
                        received: Some(share.clone()),
                    });
                }
            }
        }
        Ok(found)
    }
}

fn schema() -> Schema {
    let network = vec![
        Attribute::computed("vpc_id", Type::String).describe("The VPC."),
        Attribute::computed("attachment_id", Type::String)
            .describe("Its attachment to the hub's Transit Gateway (`tgw-attach-…`)."),
        Attribute::computed("cidr_blocks", Type::set(Type::String))
            .describe("The VPC's IPv4 CIDR blocks, primary and secondary."),
    ];
    let lookup = "Exactly one of `transit_gateway_id`, `resource_share_arn` and `name` names the \
                  hub.";
    let attributes = vec![
        Attribute::optional_computed(BY_ID, Type::String).describe(&format!(
            "The hub's Transit Gateway (`migration_hub_network.<name>.id` in the hub's \
             workspace). {lookup}"
        )),
        Attribute::optional_computed(BY_SHARE, Type::String).describe(&format!(
            "The RAM resource share the hub shares its gateway with (its \
             `resource_share_arn`), owned by this account or shared with it; it must hold \
             exactly one Transit Gateway. Null in the answer when the hub shares with nobody. \
             {lookup}"
        )),
        Attribute::optional_computed(BY_NAME, Type::String).describe(&format!(
            "The hub's name (`name` of `migration_hub_network`): its gateway's `Name` tag \
             in the hub account, and the name of its share in the accounts it shares with \
             (which see none of its tags). Exactly one gateway of the Region may carry it. \
             {lookup}"
        )),
        Attribute::computed("transit_gateway_arn", Type::String)
            .describe("The gateway's ARN (what RAM shares)."),
        Attribute::computed("owner_account_id", Type::String)
            .describe("The hub account: the account that owns the gateway."),
        Attribute::computed("route_table_id", Type::String).describe(
            "The hub route table: the gateway's default association route table, which \
             spokes' attachments are associated with and propagate into.",
        ),
        Attribute::computed("shared_with", Type::set(Type::String)).describe(
            "The principals the share names (accounts, organization or OU ARNs), associated or \
             waiting for their account to accept. Null when read from another account than the \
             hub's (RAM shows a receiver only the owner).",
        ),
        Attribute::nested("networks", Nesting::Map, Presence::Computed, network).describe(
            "The hub's VPCs, keyed by the names the hub gives them (its `vpc_attachments` \
             keys): `networks[\"staging\"].cidr_blocks`. Null when read from another account \
             than the hub's, which does not see the hub's attachments.",
        ),
        Attribute::computed("data_center_cidr_blocks", Type::set(Type::String)).describe(
            "The source data center's networks (the hub's `data_center.cidr_blocks`); empty \
             without a data center, null when read from another account than the hub's.",
        ),
        Attribute::computed("cidr_blocks", Type::set(Type::String)).describe(
            "Every network behind the hub, its VPCs' and the data center's: what a spoke routes \
             to the hub (`hub_cidr_blocks` of `migration_hub_spoke`). Null when read from \
             another account than the hub's.",
        ),
    ];
    Schema {
        version: 0,
        block: Block {
            attributes,
            blocks: Vec::new(),
            description: "A hub made by `migration_hub_network`, read from AWS: its Transit \
                          Gateway, share, route table and networks, for a spoke workspace \
                          another team owns. From an account the hub shares with it answers \
                          the gateway, its owner, route table and share; the networks need the \
                          hub account's credentials (a provider alias, ideally with a read-only \
                          role), since AWS shows them to the hub account only."
                .to_string(),
            deprecated: false,
        },
    }
}

#[async_trait]
impl DataSource for HubNetwork {
    const TYPE_NAME: &'static str = "migration_hub_network";
    type Config = Config;
    type State = State;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Config, _: &Value) -> Diagnostics {
        check(config)
    }

    async fn read(&self, ctx: &Ctx, config: &Config, _: &Value) -> Result<Read<State>, ReadError> {
        // The lifecycle validates first and reads only known configurations.
        let lookup = match arguments_set(config).as_slice() {
            [(BY_ID, Some(v))] => Lookup::Id(v.to_string()),
            [(BY_SHARE, Some(v))] => Lookup::Share(v.to_string()),
            [(BY_NAME, Some(v))] => Lookup::Name(v.to_string()),
            _ => return Err(ReadError::Invalid(check(config))),
        };
        let place = Place::of(ctx).await?;
        let (found, share_arn) = self.find(ctx, &lookup, &place.account_id).await?;
        if found.tgw.owner_id != place.account_id {
            let mut read: Read<State> = shared_state(&found).into();
            read.warnings = shared_view_warning(&lookup, &found.tgw, &place.account_id);
            return Ok(read);
        }
        let tgw = found.tgw;
        let scope = Scope {
            tgw_id: tgw.id.clone(),
            share_arn,
            discover: true,
            ..Scope::default()
        };
        let Some(topology) = Box::pin(hub::observe(&ctx.aws(), &scope)).await? else {
            return Err(refuse(
                &lookup,
                "Transit Gateway not found",
                format!("Transit Gateway {} was deleted while it was read.", tgw.id),
            ));
        };
        let mut warnings = Diagnostics::new();
        let mut read: Read<State> = state(&topology, &mut warnings).into();
        read.warnings = warnings;
        Ok(read)
    }
}

#[cfg(test)]
mod tests;
