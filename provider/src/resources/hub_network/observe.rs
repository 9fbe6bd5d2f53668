//! Reading a hub from AWS into a [`Topology`] with a fixed, small number of calls whatever
//! the number of VPCs: one describe per kind of object, filtered by the Transit Gateway or by
//! the batch of ids, pages aside. Independent reads run concurrently.
//!
//! Observation also decides what is *ours*: an attachment is the hub's when it carries the
//! hub's owner tag or was in the prior state (or, on import, when it is a VPC of this account);
//! anything else attached to the gateway (other accounts' spokes, hand-made attachments) is
//! listed as foreign and never touched.

use std::collections::{BTreeMap, BTreeSet};

use super::model::Config;
use super::spokes;
use super::stored::Stored;
use super::topology::{
    AttachmentSummary, DataCenter, DataCenterLink, ForeignAttachment, Networks, Topology,
};
use crate::aws::call::Aws;
use crate::aws::retry::OpError;
use crate::framework::resource::Observed;
use crate::framework::tags::OWNER_TAG;

/// What to read, from the prior state and the configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Scope {
    pub tgw_id: String,
    pub share_arn: Option<String>,
    /// VPCs whose attachments the prior state lists (ours even if untagged).
    pub managed_vpcs: BTreeSet<String>,
    /// Every VPC to read CIDRs for (prior and desired).
    pub vpc_ids: BTreeSet<String>,
    /// Every route table the hub manages routes in (prior and desired).
    pub route_table_ids: BTreeSet<String>,
    /// Subnets to read (apply-time validation).
    pub subnet_ids: BTreeSet<String>,
    /// Destinations of hub route table static routes the prior state lists.
    pub hub_route_destinations: BTreeSet<String>,
    /// The prior state has a data center (a Direct Connect association there is ours).
    pub data_center_in_state: bool,
    /// VPN connection of the prior state.
    pub vpn_connection_id: Option<String>,
    /// What the hub route table learned earlier from other accounts' attachments (attachment
    /// id → CIDRs), kept in private data: once an attachment's propagation is off, the route
    /// table no longer shows them.
    pub learned: BTreeMap<String, BTreeSet<String>>,
    /// Import: the prior state knows nothing; everything of this account on the gateway is
    /// taken as the hub's, and route tables are found by their routes to it.
    pub discover: bool,
}

impl Scope {
    /// What to observe for a hub whose prior state is `prior`, about to take `config`.
    pub(crate) fn of(prior: Option<&Stored>, config: Option<&Config>, discover: bool) -> Scope {
        let mut scope = Scope {
            discover,
            ..Scope::default()
        };
        if let Some(prior) = prior {
            scope.tgw_id = prior.id.clone().unwrap_or_default();
            scope.share_arn = prior.resource_share_arn.clone();
            for attachment in prior.vpc_attachments.values() {
                if let Some(vpc) = &attachment.vpc_id {
                    scope.managed_vpcs.insert(vpc.clone());
                    scope.vpc_ids.insert(vpc.clone());
                }
                scope
                    .route_table_ids
                    .extend(attachment.route_table_ids.iter().cloned());
            }
            scope
                .hub_route_destinations
                .extend(prior.hub_route_destinations().cloned());
            scope
                .route_table_ids
                .extend(prior.vpc_route_tables().cloned());
            scope.data_center_in_state = prior.data_center.is_some();
            scope.vpn_connection_id = prior
                .data_center
                .as_ref()
                .and_then(|dc| dc.vpn_connection_id.clone());
        }
        if let Some(named) = config.map(Config::named_networks) {
            scope.vpc_ids.extend(named.vpcs);
            scope.subnet_ids.extend(named.subnets);
            scope.route_table_ids.extend(named.route_tables);
        }
        scope
    }
}

/// The hub a scope names, or `Gone` (no gateway named, or the gateway deleted).
pub(crate) async fn hub(aws: &Aws<'_>, scope: &Scope) -> Result<Observed<Topology>, OpError> {
    if scope.tgw_id.is_empty() {
        return Ok(Observed::Gone);
    }
    match Box::pin(observe(aws, scope)).await? {
        Some(topology) => Ok(Observed::Found(topology)),
        None => {
            tracing::info!(
                tgw = scope.tgw_id.as_str(),
                "the hub's Transit Gateway is gone"
            );
            Ok(Observed::Gone)
        }
    }
}

/// What a hub being created (or whose gateway is gone) starts from: the networks it names.
pub(crate) async fn surroundings(
    aws: &Aws<'_>,
    scope: Option<&Scope>,
) -> Result<Topology, OpError> {
    let empty = Scope::default();
    let scope = scope.unwrap_or(&empty);
    let found = networks(
        aws,
        &scope.vpc_ids,
        &scope.subnet_ids,
        &scope.route_table_ids,
    )
    .await?;
    Ok(Topology {
        vpcs: found.vpcs,
        subnets: found.subnets,
        route_tables: found.route_tables,
        ..Topology::default()
    })
}

/// Reads the listed VPCs, subnets and route tables, concurrently; an empty list costs no call.
pub(crate) async fn networks(
    aws: &Aws<'_>,
    vpc_ids: &BTreeSet<String>,
    subnet_ids: &BTreeSet<String>,
    route_table_ids: &BTreeSet<String>,
) -> Result<Networks, OpError> {
    let (vpcs, subnets, route_tables) = tokio::join!(
        async {
            if vpc_ids.is_empty() {
                Ok(BTreeMap::new())
            } else {
                aws.vpcs(vpc_ids).await
            }
        },
        async {
            if subnet_ids.is_empty() {
                Ok(BTreeMap::new())
            } else {
                aws.subnets(subnet_ids).await
            }
        },
        async {
            if route_table_ids.is_empty() {
                Ok(BTreeMap::new())
            } else {
                aws.route_tables(route_table_ids).await
            }
        },
    );
    Ok(Networks {
        vpcs: vpcs?,
        subnets: subnets?,
        route_tables: route_tables?,
    })
}

/// The hub as AWS holds it, or `None` when its Transit Gateway is gone.
pub(crate) async fn observe(aws: &Aws<'_>, scope: &Scope) -> Result<Option<Topology>, OpError> {
    let Some(tgw) = aws.find_transit_gateway(&scope.tgw_id).await? else {
        return Ok(None);
    };
    let owner =
        |tags: &BTreeMap<String, String>| tags.get(OWNER_TAG).map(String::as_str) == Some(&tgw.id);
    let hub_table = tgw.association_default_route_table_id.clone();

    let (vpc_attachments, attachments, propagations, share) = tokio::join!(
        aws.vpc_attachments(&tgw.id),
        aws.transit_gateway_attachments(&tgw.id),
        async {
            match &hub_table {
                Some(table) => aws.propagations(table).await,
                None => Ok(BTreeSet::new()),
            }
        },
        async {
            let share = aws
                .find_share(scope.share_arn.as_deref(), (OWNER_TAG, &tgw.id))
                .await?;
            if share.is_some() || !scope.discover {
                return Ok(share);
            }
            // Import: the share that holds the gateway, tagged or not.
            match aws.shares_containing(&tgw.arn).await?.first() {
                Some(arn) => aws.find_share(Some(arn), (OWNER_TAG, &tgw.id)).await,
                None => Ok(None),
            }
        },
    );
    let (vpc_attachments, attachments, propagations, share) =
        (vpc_attachments?, attachments?, propagations?, share?);
    let summaries: BTreeMap<&str, &AttachmentSummary> =
        attachments.iter().map(|a| (a.id.as_str(), a)).collect();

    // VPC attachments: ours or foreign.
    let mut topology = Topology {
        propagations,
        share,
        ..Topology::default()
    };
    for mut attachment in vpc_attachments {
        attachment.associated_route_table = summaries
            .get(attachment.id.as_str())
            .and_then(|s| s.associated_route_table.clone());
        let ours = owner(&attachment.tags)
            || scope.managed_vpcs.contains(&attachment.vpc_id)
            || (scope.discover && attachment.vpc_owner_id == tgw.owner_id);
        if ours && !topology.attachments.contains_key(&attachment.vpc_id) {
            topology
                .attachments
                .insert(attachment.vpc_id.clone(), attachment);
        } else {
            topology.foreign_attachments.push(ForeignAttachment {
                id: attachment.id,
                resource_type: "vpc".into(),
                resource_id: attachment.vpc_id,
                resource_owner_id: attachment.vpc_owner_id,
                state: attachment.state,
                associated_route_table: attachment.associated_route_table,
                propagated_cidrs: BTreeSet::new(),
            });
        }
    }

    // The data center: a Direct Connect association or a VPN connection.
    let of_type = |kind: &'static str| attachments.iter().filter(move |a| a.resource_type == kind);
    let dx_attachments: Vec<&AttachmentSummary> = of_type("direct-connect-gateway").collect();
    let vpn_attachments: Vec<&AttachmentSummary> = of_type("vpn")
        .filter(|a| {
            owner(&a.tags)
                || scope.discover
                || scope.vpn_connection_id.as_deref() == Some(a.resource_id.as_str())
        })
        .collect();
    let vpn_ids: BTreeSet<String> = vpn_attachments
        .iter()
        .map(|a| a.resource_id.clone())
        .collect();
    let look_for_dx = !dx_attachments.is_empty() || scope.data_center_in_state || scope.discover;
    let (dx_links, vpn_links) = tokio::join!(
        async {
            if look_for_dx {
                aws.direct_connect_associations(&tgw.id).await
            } else {
                Ok(Vec::new())
            }
        },
        aws.vpn_connections(&vpn_ids),
    );
    let (dx_links, vpn_links) = (dx_links?, vpn_links?);
    for association in dx_links {
        let attachment = dx_attachments
            .iter()
            .find(|a| a.resource_id == association.direct_connect_gateway_id);
        let ours = scope.data_center_in_state
            || scope.discover
            || attachment.is_some_and(|a| owner(&a.tags));
        if ours && topology.data_center.is_none() {
            topology.data_center = Some(DataCenter {
                link: association.into(),
                attachment: attachment.map(|a| (*a).into()),
            });
        }
    }
    for connection in vpn_links {
        let attachment = vpn_attachments
            .iter()
            .find(|a| a.resource_id == connection.id);
        if topology.data_center.is_none() {
            topology.data_center = Some(DataCenter {
                link: connection.into(),
                attachment: attachment.map(|a| (*a).into()),
            });
        }
    }
    let data_center_attachment = topology.data_center_attachment_id().map(str::to_string);
    for summary in &attachments {
        let known = summary.resource_type == "vpc"
            || Some(summary.id.as_str()) == data_center_attachment.as_deref();
        if !known {
            topology.foreign_attachments.push(ForeignAttachment {
                id: summary.id.clone(),
                resource_type: summary.resource_type.clone(),
                resource_id: summary.resource_id.clone(),
                resource_owner_id: summary.resource_owner_id.clone(),
                state: summary.state.clone(),
                associated_route_table: summary.associated_route_table.clone(),
                propagated_cidrs: BTreeSet::new(),
            });
        }
    }

    // What other accounts' VPCs (and Client VPN endpoints) bring: the hub route table's
    // propagated routes (one call, only while such an attachment propagates), else what an
    // earlier read learned.
    let propagating_spokes = topology
        .foreign_attachments
        .iter()
        .any(|a| spokes::is_spoke_attachment(a) && topology.propagations.contains(&a.id));
    let mut learned = scope.learned.clone();
    if let (true, Some(table)) = (propagating_spokes, &hub_table) {
        let found = aws.propagated_routes(table).await?;
        let mut fresh: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for route in found.routes {
            if let Some(id) = route.attachment_id {
                fresh.entry(id).or_default().insert(route.destination);
            }
        }
        for attachment in &topology.foreign_attachments {
            if topology.propagations.contains(&attachment.id) {
                learned.insert(
                    attachment.id.clone(),
                    fresh.remove(&attachment.id).unwrap_or_default(),
                );
            }
        }
    }
    for attachment in &mut topology.foreign_attachments {
        if let Some(cidrs) = learned.get(&attachment.id) {
            attachment.propagated_cidrs = cidrs.clone();
        }
    }

    // Static routes of the hub route table that are the hub's.
    let vpn = matches!(
        topology.data_center.as_ref().map(|dc| &dc.link),
        Some(DataCenterLink::Vpn { .. })
    );
    let hub_routes = match &hub_table {
        Some(table) if vpn || !scope.hub_route_destinations.is_empty() || scope.discover => {
            let found = aws.static_routes(table).await?;
            // A hub never needs that many static routes (one per data-center CIDR): more is
            // reported rather than silently truncated.
            if found.more {
                return Err(OpError::Refused(format!(
                    "the hub route table {table} has more than 1,000 static routes; the hub \
                     cannot read them all (SearchTransitGatewayRoutes stops at 1,000). Remove \
                     static routes that are not the hub's."
                )));
            }
            found.routes
        }
        _ => Vec::new(),
    };
    for route in hub_routes {
        let to_data_center =
            data_center_attachment.is_some() && route.attachment_id == data_center_attachment;
        if to_data_center || scope.hub_route_destinations.contains(&route.destination) {
            topology.hub_routes.insert(route.destination.clone(), route);
        }
    }

    // VPCs and route tables.
    let mut vpc_ids = scope.vpc_ids.clone();
    vpc_ids.extend(topology.attachments.keys().cloned());
    let found = networks(aws, &vpc_ids, &scope.subnet_ids, &scope.route_table_ids).await?;
    topology.vpcs = found.vpcs;
    topology.subnets = found.subnets;
    topology.route_tables = found.route_tables;
    if scope.discover {
        let ours: BTreeSet<String> = topology.attachments.keys().cloned().collect();
        if !ours.is_empty() {
            topology
                .route_tables
                .extend(aws.route_tables_to(&ours, &tgw.id).await?);
        }
    }
    topology.tgw = Some(tgw);
    Ok(Some(topology))
}
