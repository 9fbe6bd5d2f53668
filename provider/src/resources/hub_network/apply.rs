//! Runs an operation plan against AWS and keeps the progress record: the observed topology,
//! updated the moment AWS confirms each step (an id created, a route deleted, an attachment
//! seen `available`). Whatever happens (failure, timeout, StopProvider), the record is what
//! exists, and the state returned to Terraform is rendered from it: a failed apply never
//! forgets what it created.
//!
//! A create that meets an object already there adopts it when it is this hub's (owner tag,
//! or a route to this hub's gateway) and refuses when it belongs to another hub.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use super::diff::{AttachmentRef, Change, TagObject};
use super::effects::{self, Effect};
use super::model::with_owner;
use super::plan::HubOp;
use super::topology::{DataCenterLink, Share, Tags, Topology, VpcAttachment};
use crate::aws::call::Aws;
use crate::aws::ec2::attachment::{GONE, VpcAttachmentSpec};
use crate::aws::errors::ErrorClass;
use crate::aws::retry::{Budget, OpError};
use crate::aws::waiter::{Poll, poll, wait_until};
use crate::config::clients::AwsClients;
use crate::engine::{self, OperationPlan};
use crate::framework::tags::OWNER_TAG;

/// Operations in flight at once; the governor keeps them within AWS's rate limits.
const CONCURRENCY: usize = 16;

/// What the executor works with; shared by the concurrent operations of a phase.
pub struct Executor {
    pub clients: Arc<AwsClients>,
    pub budget: Budget,
    pub progress: Mutex<Topology>,
}

/// The outcome of running a plan.
pub struct Outcome {
    pub topology: Topology,
    pub failures: Vec<(HubOp, OpError)>,
    pub not_started: usize,
}

/// Runs `plan`; the returned topology is what exists afterwards, success or not.
pub async fn run(
    clients: Arc<AwsClients>,
    budget: Budget,
    cancel: &CancellationToken,
    topology: Topology,
    plan: OperationPlan<HubOp>,
) -> Outcome {
    let executor = Arc::new(Executor {
        clients,
        budget,
        progress: Mutex::new(topology),
    });
    let report = engine::run(plan, CONCURRENCY, cancel, |op| {
        let executor = executor.clone();
        async move { executor.perform(op).await }
    })
    .await;
    let topology = executor.snapshot();
    Outcome {
        topology,
        failures: report.failures,
        not_started: report.not_started,
    }
}

fn refused(why: impl Into<String>) -> OpError {
    OpError::Refused(why.into())
}

/// A sentence naming an operation, for diagnostics.
pub fn describe(op: &HubOp) -> String {
    match op {
        HubOp::AwaitAttachments {
            vpc_ids,
            gone: false,
        } => {
            format!(
                "Waiting for the attachments of {} to become available",
                vpc_ids.join(", ")
            )
        }
        HubOp::AwaitAttachments {
            vpc_ids,
            gone: true,
        } => {
            format!(
                "Waiting for the attachments of {} to be deleted",
                vpc_ids.join(", ")
            )
        }
        HubOp::Change(change) => match change {
            Change::CreateTransitGateway(_) => "Creating the Transit Gateway".into(),
            Change::ModifyTransitGateway(_) => "Modifying the Transit Gateway".into(),
            Change::DeleteTransitGateway => "Deleting the Transit Gateway".into(),
            Change::CreateShare { .. } => "Creating the RAM resource share".into(),
            Change::UpdateShare { .. } => "Updating the RAM resource share".into(),
            Change::AddPrincipals(p) => format!("Sharing with {}", join(p)),
            Change::RemovePrincipals(p) => format!("Unsharing from {}", join(p)),
            Change::ShareTransitGateway => "Adding the Transit Gateway to its share".into(),
            Change::DeleteShare => "Deleting the RAM resource share".into(),
            Change::CreateAttachment { key, vpc_id, .. } => {
                format!("Attaching {vpc_id} (vpc_attachments[{key:?}])")
            }
            Change::ModifyAttachment { vpc_id, .. } => {
                format!("Modifying the attachment of {vpc_id}")
            }
            Change::AwaitAttachment { vpc_id } => format!("Waiting for the attachment of {vpc_id}"),
            Change::DeleteAttachment { vpc_id } => format!("Deleting the attachment of {vpc_id}"),
            Change::CreateDirectConnect { gateway_id, .. } => {
                format!("Associating Direct Connect gateway {gateway_id}")
            }
            Change::UpdateDirectConnect { .. } => {
                "Updating the Direct Connect allowed prefixes".into()
            }
            Change::DeleteDirectConnect => "Removing the Direct Connect association".into(),
            Change::CreateVpn {
                customer_gateway_id,
                ..
            } => {
                format!("Creating the VPN connection to {customer_gateway_id}")
            }
            Change::DeleteVpn => "Deleting the VPN connection".into(),
            Change::AwaitDataCenter => "Waiting for the data center link".into(),
            Change::Connect { target, .. } => {
                format!("Connecting {} to the hub route table", target_name(target))
            }
            Change::RouteToDataCenter { destination, .. } => {
                format!("Routing {destination} to the data center in the hub route table")
            }
            Change::DeleteHubRoute { destination } => {
                format!("Deleting the hub route to {destination}")
            }
            Change::CreateVpcRoute {
                route_table_id,
                destination,
            } => {
                format!("Creating the route to {destination} in {route_table_id}")
            }
            Change::DeleteVpcRoute {
                route_table_id,
                destination,
            } => {
                format!("Deleting the route to {destination} from {route_table_id}")
            }
            Change::Tag { object, .. } => format!("Tagging {}", object_name(object)),
        },
    }
}

fn join(items: &BTreeSet<String>) -> String {
    items.iter().cloned().collect::<Vec<_>>().join(", ")
}

fn target_name(target: &AttachmentRef) -> String {
    match target {
        AttachmentRef::Vpc(vpc) => format!("the attachment of {vpc}"),
        AttachmentRef::DataCenter => "the data center attachment".into(),
    }
}

fn object_name(object: &TagObject) -> String {
    match object {
        TagObject::TransitGateway => "the Transit Gateway".into(),
        TagObject::Share => "the resource share".into(),
        TagObject::VpcAttachment(vpc) => format!("the attachment of {vpc}"),
        TagObject::DataCenterAttachment => "the data center attachment".into(),
        TagObject::VpnConnection => "the VPN connection".into(),
    }
}

impl Executor {
    fn aws(&self) -> Aws<'_> {
        Aws::new(&self.clients, &self.budget)
    }

    fn snapshot(&self) -> Topology {
        self.progress
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Records what AWS just confirmed (see [`effects`]).
    fn record(&self, effect: Effect) {
        effects::record(
            &mut self.progress.lock().unwrap_or_else(|p| p.into_inner()),
            effect,
        );
    }

    fn tgw(&self) -> Result<(String, String), OpError> {
        let topology = self.progress.lock().unwrap_or_else(|p| p.into_inner());
        topology
            .tgw
            .as_ref()
            .map(|t| (t.id.clone(), t.arn.clone()))
            .ok_or_else(|| refused("the Transit Gateway does not exist (an earlier step failed)"))
    }

    fn attachment_id(&self, target: &AttachmentRef) -> Result<String, OpError> {
        let topology = self.snapshot();
        match target {
            AttachmentRef::Vpc(vpc) => topology.attachments.get(vpc).map(|a| a.id.clone()),
            AttachmentRef::DataCenter => topology.data_center_attachment_id().map(str::to_string),
        }
        .ok_or_else(|| {
            refused(format!(
                "{} does not exist (an earlier step failed)",
                target_name(target)
            ))
        })
    }

    async fn perform(&self, op: HubOp) -> Result<(), OpError> {
        match op {
            HubOp::AwaitAttachments { vpc_ids, gone } => {
                self.await_attachments(&vpc_ids, gone).await
            }
            HubOp::Change(change) => Box::pin(self.change(change)).await,
        }
    }

    /// Performs one change. Each arm is boxed: the arms nest many SDK futures, and as one
    /// state machine they are larger than a worker thread's stack in debug builds.
    async fn change(&self, change: Change) -> Result<(), OpError> {
        let aws = self.aws();
        match change {
            Change::CreateTransitGateway(spec) => {
                Box::pin(async move {
                    let created = aws.create_transit_gateway(&spec).await?;
                    let id = created.id.clone();
                    self.record(Effect::TransitGatewaySeen(created));
                    let owner: Tags = [(OWNER_TAG.to_string(), id.clone())].into();
                    aws.create_tags(&id, &owner).await?;
                    self.record(Effect::Tagged {
                        object: TagObject::TransitGateway,
                        set: owner,
                        remove: BTreeSet::new(),
                    });
                    self.await_transit_gateway(&id).await
                })
                .await
            }
            Change::ModifyTransitGateway(modification) => {
                Box::pin(async move {
                    let (id, _) = self.tgw()?;
                    if modification != Default::default() {
                        aws.modify_transit_gateway(&id, &modification).await?;
                        self.record(Effect::TransitGatewayModifying);
                    }
                    self.await_transit_gateway(&id).await
                })
                .await
            }
            Change::DeleteTransitGateway => {
                Box::pin(async move {
                    let (id, _) = self.tgw()?;
                    let foreign = self.snapshot().foreign_attachments;
                    if !foreign.is_empty() {
                        let listed: Vec<String> = foreign
                            .iter()
                            .map(|a| {
                                format!(
                                    "{} ({} {} of account {})",
                                    a.id, a.resource_type, a.resource_id, a.resource_owner_id
                                )
                            })
                            .collect();
                        return Err(refused(format!(
                            "{id} still has attachments this resource does not manage: {}. Delete \
                         them (from their owners' accounts) and destroy again",
                            listed.join(", ")
                        )));
                    }
                    aws.delete_transit_gateway(&id).await?;
                    wait_until(&self.budget, &format!("{id} to be deleted"), || async {
                        poll(aws.transit_gateway_deleted(&id).await)
                    })
                    .await?;
                    self.record(Effect::TransitGatewayDeleted);
                    Ok(())
                })
                .await
            }
            Change::CreateShare {
                name,
                principals,
                allow_external_principals,
                tags,
            } => {
                Box::pin(async move {
                    let (tgw_id, arn) = self.tgw()?;
                    let tags = with_owner(tags, &tgw_id);
                    let share_arn = aws
                        .create_share(&name, &arn, &principals, allow_external_principals, &tags)
                        .await?;
                    self.record(Effect::ShareCreated(Share {
                        arn: share_arn,
                        name,
                        allow_external_principals,
                        principals,
                        resources: [arn].into(),
                        tags,
                    }));
                    Ok(())
                })
                .await
            }
            Change::UpdateShare {
                name,
                allow_external_principals,
            } => {
                Box::pin(async move {
                    let arn = self.share_arn()?;
                    aws.update_share(&arn, name.as_deref(), allow_external_principals)
                        .await?;
                    self.record(Effect::ShareUpdated {
                        name,
                        allow_external_principals,
                    });
                    Ok(())
                })
                .await
            }
            Change::AddPrincipals(principals) => {
                Box::pin(async move {
                    let arn = self.share_arn()?;
                    aws.associate_share(&arn, &principals, &[]).await?;
                    self.record(Effect::PrincipalsAdded(principals));
                    Ok(())
                })
                .await
            }
            Change::RemovePrincipals(principals) => {
                Box::pin(async move {
                    let arn = self.share_arn()?;
                    aws.disassociate_principals(&arn, &principals).await?;
                    self.record(Effect::PrincipalsRemoved(principals));
                    Ok(())
                })
                .await
            }
            Change::ShareTransitGateway => {
                Box::pin(async move {
                    let arn = self.share_arn()?;
                    let (_, tgw_arn) = self.tgw()?;
                    aws.associate_share(&arn, &BTreeSet::new(), std::slice::from_ref(&tgw_arn))
                        .await?;
                    self.record(Effect::ResourceShared(tgw_arn));
                    Ok(())
                })
                .await
            }
            Change::DeleteShare => {
                Box::pin(async move {
                    let arn = self.share_arn()?;
                    aws.delete_share(&arn).await?;
                    self.record(Effect::ShareDeleted);
                    Ok(())
                })
                .await
            }
            Change::CreateAttachment {
                key,
                vpc_id,
                subnet_ids,
                appliance_mode_support,
                dns_support,
                tags,
            } => {
                Box::pin(async move {
                    let (tgw_id, _) = self.tgw()?;
                    let tags = with_owner(tags, &tgw_id);
                    let created = aws
                        .create_vpc_attachment(VpcAttachmentSpec {
                            transit_gateway_id: &tgw_id,
                            vpc_id: &vpc_id,
                            subnet_ids: &subnet_ids,
                            appliance_mode_support,
                            dns_support,
                            tags: &tags,
                        })
                        .await;
                    match created {
                        Ok(attachment) => {
                            self.record(Effect::AttachmentSeen { vpc_id, attachment });
                            Ok(())
                        }
                        Err(OpError::Aws(e)) if e.class == ErrorClass::AlreadyExists => {
                            self.adopt_attachment(&tgw_id, &key, &vpc_id, &tags).await
                        }
                        Err(e) => Err(e),
                    }
                })
                .await
            }
            Change::ModifyAttachment {
                vpc_id,
                add_subnets,
                remove_subnets,
                appliance_mode_support,
                dns_support,
            } => {
                Box::pin(async move {
                    let id = self.attachment_id(&AttachmentRef::Vpc(vpc_id.clone()))?;
                    aws.modify_vpc_attachment(
                        &id,
                        &add_subnets,
                        &remove_subnets,
                        appliance_mode_support,
                        dns_support,
                    )
                    .await?;
                    self.record(Effect::AttachmentModified {
                        vpc_id,
                        add_subnets,
                        remove_subnets,
                        appliance_mode_support,
                        dns_support,
                    });
                    Ok(())
                })
                .await
            }
            Change::AwaitAttachment { vpc_id } => {
                Box::pin(async move { self.await_attachments(&[vpc_id], false).await }).await
            }
            Change::DeleteAttachment { vpc_id } => {
                Box::pin(async move {
                    let Some(attachment) = self.snapshot().attachments.get(&vpc_id).cloned() else {
                        return Ok(());
                    };
                    if attachment.state != "deleting" {
                        aws.delete_vpc_attachment(&attachment.id).await?;
                    }
                    self.record(Effect::AttachmentDeleting { vpc_id });
                    Ok(())
                })
                .await
            }
            Change::CreateDirectConnect {
                gateway_id,
                allowed_prefixes,
                attachment_tags,
            } => {
                Box::pin(async move {
                    let (tgw_id, _) = self.tgw()?;
                    let attachment_tags = with_owner(attachment_tags, &tgw_id);
                    let association = match aws
                        .create_direct_connect_association(&gateway_id, &tgw_id, &allowed_prefixes)
                        .await
                    {
                        Ok(association) => association,
                        // Associated by an earlier, interrupted apply: take it over.
                        Err(OpError::Aws(e)) if e.message.contains("already associated") => aws
                            .direct_connect_associations(&tgw_id)
                            .await?
                            .into_iter()
                            .find(|a| a.direct_connect_gateway_id == gateway_id)
                            .ok_or(OpError::Aws(e))?,
                        Err(e) => return Err(e),
                    };
                    self.settle_data_center(association.into(), &attachment_tags)
                        .await
                })
                .await
            }
            Change::UpdateDirectConnect { add, remove } => {
                Box::pin(async move {
                    let association = match self.snapshot().data_center.map(|dc| dc.link) {
                        Some(DataCenterLink::DirectConnect { association_id, .. }) => {
                            association_id
                        }
                        _ => return Err(refused("the Direct Connect association does not exist")),
                    };
                    aws.update_direct_connect_association(&association, &add, &remove)
                        .await?;
                    self.record(Effect::DirectConnectUpdated { add, remove });
                    self.await_data_center().await
                })
                .await
            }
            Change::DeleteDirectConnect => {
                Box::pin(async move {
                    let (tgw_id, _) = self.tgw()?;
                    let association = match self.snapshot().data_center.map(|dc| dc.link) {
                        Some(DataCenterLink::DirectConnect { association_id, .. }) => {
                            association_id
                        }
                        _ => return Ok(()),
                    };
                    aws.delete_direct_connect_association(&association).await?;
                    wait_until(
                        &self.budget,
                        "the Direct Connect association to be removed",
                        || async { poll(self.data_center_gone(&tgw_id, &association).await) },
                    )
                    .await?;
                    self.record(Effect::DataCenterForgotten);
                    Ok(())
                })
                .await
            }
            Change::CreateVpn {
                customer_gateway_id,
                static_routes_only,
                tags,
                attachment_tags,
            } => {
                Box::pin(async move {
                    let (tgw_id, _) = self.tgw()?;
                    let (tags, attachment_tags) = (
                        with_owner(tags, &tgw_id),
                        with_owner(attachment_tags, &tgw_id),
                    );
                    let connection = aws
                        .create_vpn_connection(
                            &tgw_id,
                            &customer_gateway_id,
                            static_routes_only,
                            &tags,
                        )
                        .await?;
                    self.settle_data_center(connection.into(), &attachment_tags)
                        .await
                })
                .await
            }
            Change::DeleteVpn => {
                Box::pin(async move {
                    let (tgw_id, _) = self.tgw()?;
                    let connection = match self.snapshot().data_center.map(|dc| dc.link) {
                        Some(DataCenterLink::Vpn { connection_id, .. }) => connection_id,
                        _ => return Ok(()),
                    };
                    aws.delete_vpn_connection(&connection).await?;
                    wait_until(&self.budget, "the VPN connection to be deleted", || async {
                        poll(self.data_center_gone(&tgw_id, &connection).await)
                    })
                    .await?;
                    self.record(Effect::DataCenterForgotten);
                    Ok(())
                })
                .await
            }
            Change::AwaitDataCenter => {
                Box::pin(async move { self.await_data_center().await }).await
            }
            Change::Connect { target, propagate } => {
                Box::pin(async move {
                    let id = self.attachment_id(&target)?;
                    let topology = self.snapshot();
                    let table = topology
                    .hub_route_table_id()
                    .map(str::to_string)
                    .ok_or_else(|| {
                        refused(
                            "the Transit Gateway has no default association route table (the hub \
                         route table); it was created without default route table association",
                        )
                    })?;
                    let associated = match &target {
                        AttachmentRef::Vpc(vpc) => topology
                            .attachments
                            .get(vpc)
                            .and_then(|a| a.associated_route_table.clone()),
                        AttachmentRef::DataCenter => topology
                            .data_center
                            .as_ref()
                            .and_then(|dc| dc.attachment.as_ref())
                            .and_then(|a| a.associated_route_table.clone()),
                    };
                    if associated.is_none() {
                        aws.associate_route_table(&table, &id).await?;
                        self.record(Effect::Associated {
                            target: target.clone(),
                            table: table.clone(),
                        });
                    }
                    if topology.propagations.contains(&id) != propagate {
                        aws.set_propagation(&table, &id, propagate).await?;
                        self.record(Effect::Propagation {
                            attachment_id: id.clone(),
                            on: propagate,
                        });
                    }
                    Ok(())
                })
                .await
            }
            Change::RouteToDataCenter {
                destination,
                replace,
            } => {
                Box::pin(async move {
                    let table = self
                        .snapshot()
                        .hub_route_table_id()
                        .map(str::to_string)
                        .ok_or_else(|| refused("the Transit Gateway has no hub route table"))?;
                    let attachment = self.attachment_id(&AttachmentRef::DataCenter)?;
                    let result = aws
                        .put_transit_gateway_route(&table, &destination, &attachment, replace)
                        .await;
                    match result {
                        Err(OpError::Aws(e))
                            if !replace && e.class == ErrorClass::AlreadyExists =>
                        {
                            aws.put_transit_gateway_route(&table, &destination, &attachment, true)
                                .await?
                        }
                        Err(OpError::Aws(e)) if replace && e.class == ErrorClass::NotFound => {
                            aws.put_transit_gateway_route(&table, &destination, &attachment, false)
                                .await?
                        }
                        other => other?,
                    }
                    self.record(Effect::HubRoute {
                        destination,
                        attachment_id: attachment,
                    });
                    Ok(())
                })
                .await
            }
            Change::DeleteHubRoute { destination } => {
                Box::pin(async move {
                    if let Some(table) = self.snapshot().hub_route_table_id() {
                        aws.delete_transit_gateway_route(table, &destination)
                            .await?;
                    }
                    self.record(Effect::HubRouteDeleted { destination });
                    Ok(())
                })
                .await
            }
            Change::CreateVpcRoute {
                route_table_id,
                destination,
            } => Box::pin(async move {
                let (tgw_id, _) = self.tgw()?;
                match aws
                    .create_vpc_route(&route_table_id, &destination, &tgw_id)
                    .await
                {
                    Ok(()) => {}
                    Err(OpError::Aws(e)) if e.class == ErrorClass::AlreadyExists => {
                        // Created by an interrupted apply, or lost from state: ours if it
                        // points at this hub's gateway.
                        let tables = aws.route_tables(&[route_table_id.clone()].into()).await?;
                        let target = tables
                            .get(&route_table_id)
                            .and_then(|t| t.routes.iter().find(|r| r.destination == destination))
                            .map(|r| r.target.clone());
                        if target.as_deref() != Some(tgw_id.as_str()) {
                            return Err(refused(format!(
                                "route table {route_table_id} already routes {destination} to {}; \
                                 delete that route or remove the table from route_table_ids",
                                target.unwrap_or_else(|| "something else".into())
                            )));
                        }
                    }
                    Err(e) => return Err(e),
                }
                self.record(Effect::VpcRoute {
                    route_table_id,
                    destination,
                    transit_gateway_id: tgw_id,
                });
                Ok(())
            })
            .await,
            Change::DeleteVpcRoute {
                route_table_id,
                destination,
            } => {
                Box::pin(async move {
                    aws.delete_vpc_route(&route_table_id, &destination).await?;
                    self.record(Effect::VpcRouteDeleted {
                        route_table_id,
                        destination,
                    });
                    Ok(())
                })
                .await
            }
            Change::Tag {
                object,
                set,
                remove,
            } => Box::pin(async move { self.tag_object(&object, &set, &remove).await }).await,
        }
    }

    fn share_arn(&self) -> Result<String, OpError> {
        self.snapshot()
            .share
            .map(|s| s.arn)
            .ok_or_else(|| refused("the resource share does not exist (an earlier step failed)"))
    }

    async fn tag_object(
        &self,
        object: &TagObject,
        set: &super::topology::Tags,
        remove: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        let aws = self.aws();
        let topology = self.snapshot();
        if let TagObject::Share = object {
            let arn = self.share_arn()?;
            aws.tag_share(&arn, set, remove).await?;
        } else {
            let id = match object {
                TagObject::TransitGateway => topology.tgw_id().map(str::to_string),
                TagObject::VpcAttachment(vpc) => {
                    topology.attachments.get(vpc).map(|a| a.id.clone())
                }
                TagObject::DataCenterAttachment => {
                    topology.data_center_attachment_id().map(str::to_string)
                }
                TagObject::VpnConnection => {
                    match topology.data_center.as_ref().map(|dc| &dc.link) {
                        Some(DataCenterLink::Vpn { connection_id, .. }) => {
                            Some(connection_id.clone())
                        }
                        _ => None,
                    }
                }
                TagObject::Share => None,
            }
            .ok_or_else(|| refused(format!("{} does not exist", object_name(object))))?;
            aws.create_tags(&id, set).await?;
            aws.delete_tags(&id, remove).await?;
        }
        self.record(Effect::Tagged {
            object: object.clone(),
            set: set.clone(),
            remove: remove.clone(),
        });
        Ok(())
    }

    async fn await_transit_gateway(&self, id: &str) -> Result<(), OpError> {
        let aws = self.aws();
        let tgw = wait_until(
            &self.budget,
            &format!("{id} to become available"),
            || async { poll(aws.transit_gateway_available(id).await) },
        )
        .await?;
        self.record(Effect::TransitGatewaySeen(tgw));
        Ok(())
    }

    /// One describe per poll for all the attachments; `pendingAcceptance` is not the end.
    async fn await_attachments(&self, vpc_ids: &[String], gone: bool) -> Result<(), OpError> {
        let aws = self.aws();
        let (tgw_id, _) = self.tgw()?;
        let wanted: Vec<(String, String)> = {
            let topology = self.snapshot();
            vpc_ids
                .iter()
                .filter_map(|vpc| Some((vpc.clone(), topology.attachments.get(vpc)?.id.clone())))
                .collect()
        };
        if wanted.is_empty() {
            return Ok(());
        }
        let what = if gone {
            "attachments to be deleted"
        } else {
            "attachments to become available"
        };
        wait_until(&self.budget, what, || async {
            poll(async {
                let seen = aws.transit_gateway_attachments(&tgw_id).await?;
                let mut pending = Vec::new();
                for (vpc, id) in &wanted {
                    let found = seen.iter().find(|a| &a.id == id);
                    match found {
                        Some(a) => self.record(Effect::AttachmentState {
                            vpc_id: vpc.clone(),
                            state: a.state.clone(),
                            associated_route_table: a.associated_route_table.clone(),
                        }),
                        None if gone => self.record(Effect::AttachmentGone {
                            vpc_id: vpc.clone(),
                        }),
                        None => {}
                    }
                    match (found, gone) {
                        (None, true) => {}
                        (Some(a), true) => pending.push(format!("{id} {}", a.state)),
                        (Some(a), false) if a.state == "available" => {}
                        (Some(a), false) if a.state == "pendingAcceptance" => pending.push(format!(
                            "{id} pendingAcceptance (accept it as the Transit Gateway owner, or set \
                             auto_accept_shared_attachments)"
                        )),
                        (Some(a), false) => pending.push(format!("{id} {}", a.state)),
                        (None, false) => {
                            return Ok(Poll::Failed(format!(
                                "the attachment {id} of {vpc} disappeared (failed or rejected)"
                            )));
                        }
                    }
                }
                Ok(if pending.is_empty() {
                    Poll::Done(())
                } else {
                    Poll::Pending(pending.join(", "))
                })
            }
            .await)
        })
        .await
    }

    /// Waits until the data center's link is up and its attachment `available`, recording
    /// the attachment as soon as it appears.
    /// A new Direct Connect association or VPN connection: recorded at once, then waited for
    /// until its Transit Gateway attachment is usable, which is then tagged as the hub's.
    async fn settle_data_center(
        &self,
        link: DataCenterLink,
        attachment_tags: &super::topology::Tags,
    ) -> Result<(), OpError> {
        self.record(Effect::DataCenterLinked(link));
        self.await_data_center().await?;
        self.tag_object(
            &TagObject::DataCenterAttachment,
            attachment_tags,
            &BTreeSet::new(),
        )
        .await
    }

    async fn await_data_center(&self) -> Result<(), OpError> {
        let aws = self.aws();
        let (tgw_id, _) = self.tgw()?;
        wait_until(&self.budget, "the data center link", || async {
            poll(
                async {
                    let Some(dc) = self.snapshot().data_center else {
                        return Ok(Poll::Failed("the data center link does not exist".into()));
                    };
                    let (resource_id, link_state) = match &dc.link {
                        DataCenterLink::DirectConnect {
                            association_id,
                            gateway_id,
                            ..
                        } => {
                            let associations = aws.direct_connect_associations(&tgw_id).await?;
                            let current =
                                associations.into_iter().find(|a| &a.id == association_id);
                            let Some(current) = current else {
                                return Ok(Poll::Failed(format!(
                                    "the Direct Connect association {association_id} disappeared"
                                )));
                            };
                            let state = current.state.clone();
                            self.record(Effect::DataCenterLinkSeen(current.into()));
                            (gateway_id.clone(), Some(state))
                        }
                        DataCenterLink::Vpn { connection_id, .. } => (connection_id.clone(), None),
                    };
                    let attachments = aws.transit_gateway_attachments(&tgw_id).await?;
                    let attachment = attachments.iter().find(|a| a.resource_id == resource_id);
                    if let Some(a) = attachment {
                        self.record(Effect::DataCenterAttachmentSeen(a.into()));
                    }
                    let attachment_state = attachment
                        .map(|a| a.state.as_str())
                        .unwrap_or("not created yet");
                    let link_ready = link_state.as_deref().is_none_or(|s| s == "associated");
                    Ok(if link_ready && attachment_state == "available" {
                        Poll::Done(())
                    } else {
                        Poll::Pending(format!(
                            "link {}, attachment {attachment_state}",
                            link_state.as_deref().unwrap_or("created")
                        ))
                    })
                }
                .await,
            )
        })
        .await
    }

    /// Whether the data center link `id` (association or VPN connection) and its attachment
    /// are gone.
    async fn data_center_gone(&self, tgw_id: &str, id: &str) -> Result<Poll<()>, OpError> {
        let aws = self.aws();
        let link_state = match self.snapshot().data_center.map(|dc| dc.link) {
            Some(DataCenterLink::DirectConnect { .. }) => aws
                .direct_connect_associations(tgw_id)
                .await?
                .into_iter()
                .find(|a| a.id == id)
                .map(|a| a.state),
            Some(DataCenterLink::Vpn { .. }) => aws
                .vpn_connections(&[id.to_string()].into())
                .await?
                .into_iter()
                .next()
                .map(|v| v.state),
            None => None,
        };
        let attachment = self
            .snapshot()
            .data_center_attachment_id()
            .map(str::to_string);
        let attachment_state = match &attachment {
            Some(attachment) => aws
                .transit_gateway_attachments(tgw_id)
                .await?
                .into_iter()
                .find(|a| &a.id == attachment)
                .map(|a| a.state)
                .filter(|s| !GONE.contains(&s.as_str())),
            None => None,
        };
        Ok(match (link_state, attachment_state) {
            (None, None) => Poll::Done(()),
            (link, attachment) => Poll::Pending(format!(
                "link {}, attachment {}",
                link.unwrap_or_else(|| "gone".into()),
                attachment.unwrap_or_else(|| "gone".into())
            )),
        })
    }

    /// CreateTransitGatewayVpcAttachment said the VPC is already attached: take the
    /// attachment over if it is this hub's (or untagged, on this hub's own gateway), refuse if
    /// another hub's, wait and create again if it is on its way out.
    async fn adopt_attachment(
        &self,
        tgw_id: &str,
        key: &str,
        vpc_id: &str,
        tags: &super::topology::Tags,
    ) -> Result<(), OpError> {
        let aws = self.aws();
        let existing = aws
            .vpc_attachments(tgw_id)
            .await?
            .into_iter()
            .find(|a| a.vpc_id == vpc_id)
            .ok_or_else(|| {
                refused(format!(
                    "{vpc_id} is attached to {tgw_id} but the attachment cannot be read"
                ))
            })?;
        if let Some(owner) = existing.tags.get(OWNER_TAG)
            && owner != tgw_id
        {
            return Err(refused(format!(
                "{vpc_id} is already attached to {tgw_id} by {} (tagged {OWNER_TAG}={owner}); \
                 vpc_attachments[{key:?}] cannot take it over",
                existing.id
            )));
        }
        if existing.state == "deleting" {
            let id = existing.id.clone();
            wait_until(
                &self.budget,
                &format!("{id} to finish deleting"),
                || async { poll(aws.vpc_attachment_gone(&id).await) },
            )
            .await?;
            let subnets = existing.subnet_ids.clone();
            let created = aws
                .create_vpc_attachment(VpcAttachmentSpec {
                    transit_gateway_id: tgw_id,
                    vpc_id,
                    subnet_ids: &subnets,
                    appliance_mode_support: existing.appliance_mode_support,
                    dns_support: existing.dns_support,
                    tags,
                })
                .await?;
            self.record(Effect::AttachmentSeen {
                vpc_id: vpc_id.to_string(),
                attachment: created,
            });
            return Ok(());
        }
        tracing::info!(
            attachment = existing.id.as_str(),
            vpc_id,
            "adopting an existing attachment of this hub"
        );
        aws.create_tags(&existing.id, tags).await?;
        let adopted = VpcAttachment {
            tags: tags.clone(),
            ..existing
        };
        self.record(Effect::AttachmentSeen {
            vpc_id: vpc_id.to_string(),
            attachment: adopted,
        });
        Ok(())
    }
}
