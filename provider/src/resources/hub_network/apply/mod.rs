//! Runs an operation plan against AWS and keeps the progress record: the observed topology,
//! updated the moment AWS confirms each step (an id created, a route deleted, an attachment
//! seen `available`). Whatever happens (failure, timeout, StopProvider), the record is what
//! exists, and the state returned to Terraform is rendered from it: a failed apply never
//! forgets what it created.
//!
//! A create that meets an object already there adopts it when it is this hub's (owner tag,
//! or a route to this hub's gateway) and refuses when it belongs to another hub.

mod attachment;
mod data_center;
#[cfg(test)]
mod fake;
mod hub_aws;
mod routes;
mod share;
#[cfg(test)]
mod tests;
mod transit_gateway;

pub(crate) use hub_aws::{HubAws, LiveHubAws};

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use super::diff::{AttachmentRef, Change, TagObject};
use super::effects::{self, Effect};
use super::plan::HubOp;
use super::topology::{DataCenterLink, Topology};
use crate::aws::retry::{Budget, OpError};
use crate::engine::{self, OperationPlan};

/// Operations in flight at once; the governor keeps them within AWS's rate limits.
const CONCURRENCY: usize = 16;

/// What the executor works with; shared by the concurrent operations of a phase.
pub(crate) struct Executor {
    /// AWS ([`LiveHubAws`]), or an in-memory AWS in the unit tests.
    pub aws: Arc<dyn HubAws>,
    pub budget: Budget,
    pub progress: Mutex<Topology>,
}

/// The outcome of running a plan.
pub(crate) struct Outcome {
    pub topology: Topology,
    pub failures: Vec<(HubOp, OpError)>,
    pub not_started: usize,
}

/// Runs `plan`; the returned topology is what exists afterwards, success or not.
pub(crate) async fn run(
    aws: Arc<dyn HubAws>,
    budget: Budget,
    cancel: &CancellationToken,
    topology: Topology,
    plan: OperationPlan<HubOp>,
) -> Outcome {
    let executor = Arc::new(Executor {
        aws,
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
pub(crate) fn describe(op: &HubOp) -> String {
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
            Change::AcceptAttachment { id } => format!("Accepting the spoke attachment {id}"),
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
            Change::TakeOverVpcRoute {
                route_table_id,
                destination,
                from,
            } => {
                format!("Taking over the route to {destination} in {route_table_id} from {from}")
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
        AttachmentRef::Spoke(id) => format!("the spoke attachment {id}"),
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
    fn aws(&self) -> &dyn HubAws {
        &*self.aws
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
        target
            .id_in(&self.snapshot())
            .map(str::to_string)
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
        match change {
            Change::CreateTransitGateway(spec) => Box::pin(self.create_transit_gateway(spec)).await,
            Change::ModifyTransitGateway(modification) => {
                Box::pin(self.modify_transit_gateway(modification)).await
            }
            Change::DeleteTransitGateway => Box::pin(self.delete_transit_gateway()).await,
            Change::CreateShare {
                name,
                principals,
                allow_external_principals,
                tags,
            } => {
                Box::pin(self.create_share(name, principals, allow_external_principals, tags)).await
            }
            Change::UpdateShare {
                name,
                allow_external_principals,
            } => Box::pin(self.update_share(name, allow_external_principals)).await,
            Change::AddPrincipals(principals) => Box::pin(self.add_principals(principals)).await,
            Change::RemovePrincipals(principals) => {
                Box::pin(self.remove_principals(principals)).await
            }
            Change::ShareTransitGateway => Box::pin(self.share_transit_gateway()).await,
            Change::DeleteShare => Box::pin(self.delete_share()).await,
            Change::CreateAttachment {
                key,
                vpc_id,
                subnet_ids,
                appliance_mode_support,
                dns_support,
                tags,
            } => {
                Box::pin(self.create_attachment(
                    key,
                    vpc_id,
                    subnet_ids,
                    appliance_mode_support,
                    dns_support,
                    tags,
                ))
                .await
            }
            Change::ModifyAttachment {
                vpc_id,
                add_subnets,
                remove_subnets,
                appliance_mode_support,
                dns_support,
            } => {
                Box::pin(self.modify_attachment(
                    vpc_id,
                    add_subnets,
                    remove_subnets,
                    appliance_mode_support,
                    dns_support,
                ))
                .await
            }
            Change::AwaitAttachment { vpc_id } => {
                Box::pin(async move { self.await_attachments(&[vpc_id], false).await }).await
            }
            Change::DeleteAttachment { vpc_id } => Box::pin(self.delete_attachment(vpc_id)).await,
            Change::AcceptAttachment { id } => Box::pin(self.accept_attachment(id)).await,
            Change::CreateDirectConnect {
                gateway_id,
                allowed_prefixes,
                attachment_tags,
                release,
            } => {
                Box::pin(async move {
                    self.release_direct_connect(&gateway_id, release).await?;
                    self.create_direct_connect(gateway_id, allowed_prefixes, attachment_tags)
                        .await
                })
                .await
            }
            Change::UpdateDirectConnect { add, remove } => {
                Box::pin(self.update_direct_connect(add, remove)).await
            }
            Change::DeleteDirectConnect => Box::pin(self.delete_direct_connect()).await,
            Change::CreateVpn {
                customer_gateway_id,
                static_routes_only,
                tags,
                attachment_tags,
            } => {
                Box::pin(self.create_vpn(
                    customer_gateway_id,
                    static_routes_only,
                    tags,
                    attachment_tags,
                ))
                .await
            }
            Change::DeleteVpn => Box::pin(self.delete_vpn()).await,
            Change::AwaitDataCenter => {
                Box::pin(async move { self.await_data_center().await }).await
            }
            Change::Connect { target, propagate } => {
                Box::pin(self.connect(target, propagate)).await
            }
            Change::RouteToDataCenter {
                destination,
                replace,
            } => Box::pin(self.route_to_data_center(destination, replace)).await,
            Change::DeleteHubRoute { destination } => {
                Box::pin(self.delete_hub_route(destination)).await
            }
            Change::CreateVpcRoute {
                route_table_id,
                destination,
            } => Box::pin(self.create_vpc_route(route_table_id, destination)).await,
            Change::TakeOverVpcRoute {
                route_table_id,
                destination,
                from,
            } => Box::pin(self.take_over_vpc_route(route_table_id, destination, from)).await,
            Change::DeleteVpcRoute {
                route_table_id,
                destination,
            } => Box::pin(self.delete_vpc_route(route_table_id, destination)).await,
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
}
