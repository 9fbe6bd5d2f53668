//! What the hub's checks need from AWS beyond its own objects: the VPCs, subnets and route
//! tables the configuration names (one batched call each), the Direct Connect gateway's ASN
//! and the customer gateway when the data center is new, and which other migration hubs routes
//! in the way point at.
//!
//! A plan reads them right after Terraform refreshed the hub in the same process; what that
//! refresh read is not read again ([`RefreshCache`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::model::{self, Config, Desired, Link};
use super::observe::{self, Scope};
use super::stored::Stored;
use super::topology::Networks;
use super::topology::{self, RouteTable, Topology};
use super::validate::{self, LiveFacts};
use crate::aws::call::Aws;
use crate::aws::direct_connect::DirectConnectAssociation;
use crate::aws::retry::OpError;
use crate::framework::tags::{MANAGED_BY_TAG, UNCONFIRMED_TAG};

/// How long a refresh's reads may stand in for the plan's: Terraform plans each resource right
/// after refreshing it.
const REFRESH_REUSE: Duration = Duration::from_secs(30);

/// VPCs and route tables a refresh asked for, and what it found.
#[derive(Clone, Debug)]
struct Refreshed {
    at: Instant,
    vpc_ids: BTreeSet<String>,
    table_ids: BTreeSet<String>,
    networks: Networks,
    attachments: (Vec<topology::ForeignAttachment>, BTreeSet<String>),
}

/// What the refreshes of this process read, per Transit Gateway, for the plans that follow.
#[derive(Debug, Default)]
pub(crate) struct RefreshCache(Mutex<HashMap<String, Refreshed>>);

impl RefreshCache {
    /// Keeps what the refresh of `scope` found.
    pub(crate) fn remember(&self, scope: &Scope, topology: &Topology) {
        let mut vpc_ids = scope.vpc_ids.clone();
        vpc_ids.extend(topology.attachments.keys().cloned());
        let refreshed = Refreshed {
            at: Instant::now(),
            vpc_ids,
            table_ids: scope.route_table_ids.clone(),
            networks: Networks {
                vpcs: topology.vpcs.clone(),
                subnets: Default::default(),
                route_tables: topology.route_tables.clone(),
            },
            attachments: (
                topology.foreign_attachments.clone(),
                topology.propagations.clone(),
            ),
        };
        let mut entries = self.0.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|_, r| r.at.elapsed() < REFRESH_REUSE);
        entries.insert(scope.tgw_id.clone(), refreshed);
    }

    /// The refresh of `tgw_id`, if it just happened (used once).
    fn recall(&self, tgw_id: &str) -> Option<Refreshed> {
        let mut entries = self.0.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .remove(tgw_id)
            .filter(|r| r.at.elapsed() < REFRESH_REUSE)
    }
}

/// Plan-time facts: the VPCs, subnets and route tables of the configuration (one call each,
/// less what the refresh just read), and the data center's gateway when it is new.
pub(crate) async fn at_plan(
    aws: &Aws<'_>,
    cache: &RefreshCache,
    config: &Config,
    prior: Option<&Stored>,
) -> Result<LiveFacts, OpError> {
    let named = config.named_networks();
    let (mut vpcs, subnets, mut tables) = (named.vpcs, named.subnets, named.route_tables);
    let prior_dc = prior.and_then(|p| p.data_center.as_ref());
    let (mut direct_connect_asn, mut customer_gateway_exists) = (None, None);
    let mut direct_connect_associations = None;
    if let Some(Some(dc)) = config.data_center.known() {
        if let Some(Some(gateway)) = dc.direct_connect_gateway_id.known()
            && prior_dc.and_then(|dc| dc.direct_connect_gateway_id.as_ref()) != Some(gateway)
        {
            direct_connect_asn = Some(aws.direct_connect_gateway_asn(gateway).await?);
            if direct_connect_asn.is_some_and(|asn| asn.is_some()) {
                direct_connect_associations =
                    Some(aws.direct_connect_gateway_associations(gateway).await?);
            }
        }
        if let Some(Some(vpn)) = dc.vpn.known()
            && let Some(cgw) = vpn.customer_gateway_id.known()
            && prior_dc
                .and_then(|dc| dc.vpn.as_ref())
                .and_then(|vpn| vpn.customer_gateway_id.as_ref())
                != Some(cgw)
        {
            customer_gateway_exists = Some(aws.customer_gateway_exists(cgw).await?);
        }
    }
    let tgw_id = prior.and_then(|p| p.id.clone());
    // What the refresh just read is not read again.
    let mut networks = Networks::default();
    let mut attachments = None;
    if let Some(refreshed) = tgw_id.as_deref().and_then(|id| cache.recall(id)) {
        vpcs.retain(|v| !refreshed.vpc_ids.contains(v));
        tables.retain(|t| !refreshed.table_ids.contains(t));
        networks = refreshed.networks;
        attachments = Some(refreshed.attachments);
    }
    let fetched = observe::networks(aws, &vpcs, &subnets, &tables).await?;
    networks.vpcs.extend(fetched.vpcs);
    networks.subnets.extend(fetched.subnets);
    networks.route_tables.extend(fetched.route_tables);
    let other_hubs = other_hubs(
        aws,
        &networks.route_tables,
        direct_connect_associations.as_deref(),
        tgw_id.as_deref(),
    )
    .await?;
    Ok(LiveFacts {
        networks,
        direct_connect_asn,
        direct_connect_associations,
        customer_gateway_exists,
        new_hub: tgw_id.is_none(),
        tgw_id,
        other_hubs,
        account: aws.clients.account_id.clone(),
        region: aws.clients.region.clone(),
        attachments,
    })
}

/// Names of the migration hubs whose Transit Gateways routes of `tables` point at, or that a
/// Direct Connect gateway the hub wants is associated with (one call, only when such routes or
/// associations exist).
async fn other_hubs(
    aws: &Aws<'_>,
    tables: &BTreeMap<String, RouteTable>,
    associations: Option<&[DirectConnectAssociation]>,
    own: Option<&str>,
) -> Result<BTreeMap<String, String>, OpError> {
    let mut targets = validate::hub_targets(tables, own);
    targets.extend(
        associations
            .into_iter()
            .flatten()
            .map(|a| a.associated_gateway_id.clone())
            .filter(|id| id.starts_with("tgw-") && Some(id.as_str()) != own),
    );
    Ok(aws
        .transit_gateway_tags(&targets)
        .await?
        .into_iter()
        .filter(|(_, tags)| tags.get(MANAGED_BY_TAG).map(String::as_str) == Some(model::MANAGED_BY))
        .map(|(id, tags)| (id, tags.get("Name").cloned().unwrap_or_default()))
        .collect())
}

/// Apply-time facts, from the fresh observation plus the data center's gateway when the apply
/// is about to connect it.
pub(crate) async fn at_apply(
    aws: &Aws<'_>,
    desired: &Desired,
    topology: &Topology,
) -> Result<LiveFacts, OpError> {
    let mut facts = LiveFacts {
        networks: Networks {
            vpcs: topology.vpcs.clone(),
            subnets: topology.subnets.clone(),
            route_tables: topology.route_tables.clone(),
        },
        tgw_id: topology.tgw_id().map(str::to_string),
        // No state holds a gateway that still carries the unconfirmed marker.
        new_hub: topology
            .tgw
            .as_ref()
            .is_none_or(|tgw| tgw.tags.contains_key(UNCONFIRMED_TAG)),
        account: aws.clients.account_id.clone(),
        region: aws.clients.region.clone(),
        attachments: Some((
            topology.foreign_attachments.clone(),
            topology.propagations.clone(),
        )),
        ..LiveFacts::default()
    };
    let existing = topology.data_center.as_ref().map(|dc| &dc.link);
    match desired.data_center.as_ref().map(|dc| &dc.link) {
        Some(Link::DirectConnect { gateway_id, .. }) => {
            let connected = matches!(existing, Some(topology::DataCenterLink::DirectConnect { gateway_id: g, .. }) if g == gateway_id);
            if !connected {
                facts.direct_connect_asn = Some(aws.direct_connect_gateway_asn(gateway_id).await?);
                facts.direct_connect_associations =
                    Some(aws.direct_connect_gateway_associations(gateway_id).await?);
            }
        }
        Some(Link::Vpn {
            customer_gateway_id,
            ..
        }) => {
            let connected = matches!(existing, Some(topology::DataCenterLink::Vpn { customer_gateway_id: g, .. }) if g == customer_gateway_id);
            if !connected {
                facts.customer_gateway_exists =
                    Some(aws.customer_gateway_exists(customer_gateway_id).await?);
            }
        }
        None => {}
    }
    facts.other_hubs = other_hubs(
        aws,
        &topology.route_tables,
        facts.direct_connect_associations.as_deref(),
        topology.tgw_id(),
    )
    .await?;
    Ok(facts)
}
