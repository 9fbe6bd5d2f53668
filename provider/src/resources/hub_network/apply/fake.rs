//! An in-memory AWS for the executor's unit tests: the objects of one hub (Transit Gateway,
//! share, attachments of every kind, Direct Connect associations, VPN connections, the hub
//! route table's associations, propagations and static routes, VPC route tables), answering
//! [`HubAws`] as the `crate::aws` functions answer after their retries.
//!
//! Time is counted in polls: a new or changed object stays in its transitional state
//! (`pending`, `modifying`, `associating`, `deleting`, …) for `settle_after` describes of its
//! kind, then settles, as AWS's objects do between polls. Faults: the Nth call of a method
//! fails with a final error (`fail`), or the StopProvider token is cancelled when the Nth call
//! of a method is answered (`cancel_at`, that call still completes like a call in flight).
//! Once the token is cancelled, every call answers `Cancelled` without effect, as
//! `Aws::call` does.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::HubAws;
use crate::aws::Tags;
use crate::aws::direct_connect::DirectConnectAssociation;
use crate::aws::ec2::attachment::{AttachmentSummary, VpcAttachment, VpcAttachmentSpec};
use crate::aws::ec2::route_table::{RouteTable, VpcRoute};
use crate::aws::ec2::tgw_route_table::TransitGatewayRoute;
use crate::aws::ec2::transit_gateway::{
    TransitGateway, TransitGatewayModification, TransitGatewaySpec,
};
use crate::aws::ec2::vpn::VpnConnection;
use crate::aws::errors::{AwsError, ErrorClass};
use crate::aws::ram::Share;
use crate::aws::retry::OpError;
use crate::aws::waiter::Poll;
use crate::resources::hub_network::topology::{DataCenter, DataCenterAttachment, Topology};

pub(super) const ACCOUNT: &str = "111122223333";
pub(super) const HUB_TABLE: &str = "tgw-rtb-0fake";

/// Kinds of objects the fake counts as they are created.
pub(super) const TRANSIT_GATEWAY: &str = "transit gateway";
pub(super) const SHARE: &str = "share";
pub(super) const VPC_ATTACHMENT: &str = "vpc attachment";
pub(super) const DIRECT_CONNECT: &str = "direct connect association";
pub(super) const VPN: &str = "vpn connection";
pub(super) const VPC_ROUTE: &str = "vpc route";
pub(super) const HUB_ROUTE: &str = "hub route";

/// An attachment of any kind.
#[derive(Clone, Debug)]
pub(super) struct Attachment {
    pub id: String,
    /// `vpc`, `direct-connect-gateway`, `vpn` or `client-vpn`.
    pub resource_type: &'static str,
    pub resource_id: String,
    pub state: String,
    pub subnet_ids: BTreeSet<String>,
    pub appliance_mode_support: bool,
    pub dns_support: bool,
    pub tags: Tags,
    pub associated_route_table: Option<String>,
    polls_left: usize,
}

/// An Accept…Attachment call on `id`: a `pendingAcceptance` attachment (of `kind`, when the
/// call is for one kind) goes `pending`; one of another kind is not found, as AWS answers.
fn accept(
    mut state: MutexGuard<'_, State>,
    action: &'static str,
    id: &str,
    kind: Option<&str>,
) -> Result<(), OpError> {
    let settle = state.settle_after;
    match state.attachments.get_mut(id) {
        Some(a) if kind.is_some_and(|k| k != a.resource_type) => {
            Err(not_found(action, "InvalidTransitGatewayAttachmentID"))
        }
        Some(a) if a.state == "pendingAcceptance" => {
            a.state = "pending".into();
            a.polls_left = settle;
            Ok(())
        }
        Some(_) => Err(error(action, "IncorrectState", ErrorClass::Busy)),
        None => Err(not_found(action, "InvalidTransitGatewayAttachmentID")),
    }
}

/// An attachment as DescribeTransitGatewayAttachments shows it.
fn summary(a: &Attachment) -> AttachmentSummary {
    AttachmentSummary {
        id: a.id.clone(),
        resource_type: a.resource_type.into(),
        resource_id: a.resource_id.clone(),
        resource_owner_id: ACCOUNT.into(),
        state: a.state.clone(),
        associated_route_table: a.associated_route_table.clone(),
        tags: a.tags.clone(),
    }
}

/// One injected failure: the `nth` call (1-based) of `call` answers `error`, without effect.
#[derive(Clone, Debug)]
pub(super) struct Fault {
    pub call: &'static str,
    pub nth: usize,
    pub error: AwsError,
}

#[derive(Default)]
pub(super) struct State {
    pub tgw: Option<TransitGateway>,
    tgw_polls_left: usize,
    pub share: Option<Share>,
    /// By attachment id.
    pub attachments: BTreeMap<String, Attachment>,
    /// By association id, with the polls left before it settles.
    pub associations: BTreeMap<String, (DirectConnectAssociation, usize)>,
    /// By connection id, with the polls left before it settles.
    pub vpns: BTreeMap<String, (VpnConnection, usize)>,
    pub propagations: BTreeSet<String>,
    pub hub_routes: BTreeMap<String, TransitGatewayRoute>,
    pub route_tables: BTreeMap<String, RouteTable>,
    /// Calls answered, per method (failed ones included).
    pub calls: BTreeMap<&'static str, usize>,
    /// Objects created, per kind ([`TRANSIT_GATEWAY`], …): duplicates show here.
    pub created: BTreeMap<&'static str, usize>,
    pub faults: Vec<Fault>,
    /// Describes of its kind a changed object stays transitional for.
    pub settle_after: usize,
    /// Polls the attachment of a listed VPC stays `pending` instead of `settle_after`.
    pub hold: BTreeMap<String, usize>,
    pub cancel_at: Option<(&'static str, usize)>,
    next_id: usize,
}

pub(super) struct FakeHubAws {
    pub state: Mutex<State>,
    /// The StopProvider token of the apply running against it.
    cancel: Mutex<CancellationToken>,
}

fn error(action: &'static str, code: &str, class: ErrorClass) -> OpError {
    OpError::Aws(AwsError {
        action,
        code: code.into(),
        message: format!("{code} (in-memory AWS)"),
        class,
    })
}

fn not_found(action: &'static str, what: &str) -> OpError {
    error(action, &format!("{what}.NotFound"), ErrorClass::NotFound)
}

impl FakeHubAws {
    /// An AWS holding the route tables of `world`, answering until `cancel` is cancelled.
    pub(super) fn new(world: &Topology, settle_after: usize, cancel: CancellationToken) -> Self {
        Self {
            state: Mutex::new(State {
                route_tables: world.route_tables.clone(),
                settle_after,
                ..State::default()
            }),
            cancel: Mutex::new(cancel),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The `nth` call of `call` fails with a final error.
    pub(super) fn fail(&self, call: &'static str, nth: usize) {
        self.lock().faults.push(Fault {
            call,
            nth,
            error: AwsError {
                action: call,
                code: "InjectedFault".into(),
                message: format!("call {nth} of {call} fails"),
                class: ErrorClass::Fatal,
            },
        });
    }

    /// A new apply against the same AWS, with its own StopProvider token.
    pub(super) fn restart(&self, cancel: CancellationToken) {
        *self.cancel.lock().unwrap_or_else(|p| p.into_inner()) = cancel;
    }

    /// One call: counted, refused after a stop, failed if a fault says so.
    fn enter(&self, call: &'static str) -> Result<MutexGuard<'_, State>, OpError> {
        let cancel = self
            .cancel
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if cancel.is_cancelled() {
            return Err(OpError::Cancelled);
        }
        let mut state = self.lock();
        let calls = state.calls.entry(call).or_default();
        *calls += 1;
        let nth = *calls;
        if state.cancel_at == Some((call, nth)) {
            cancel.cancel();
        }
        if let Some(i) = state
            .faults
            .iter()
            .position(|f| f.call == call && f.nth == nth)
        {
            return Err(OpError::Aws(state.faults.remove(i).error));
        }
        Ok(state)
    }

    /// What the fake holds, as `observe` would read it: the hub's objects, with the VPCs and
    /// subnets of `world` (which the fake does not change).
    pub(super) fn held(&self, world: &Topology) -> Topology {
        let state = self.lock();
        let attachment_of = |kind: &str, resource: &str| {
            state
                .attachments
                .values()
                .find(|a| a.resource_type == kind && a.resource_id == resource)
                .map(|a| DataCenterAttachment {
                    id: a.id.clone(),
                    state: a.state.clone(),
                    tags: a.tags.clone(),
                    associated_route_table: a.associated_route_table.clone(),
                })
        };
        let dx_links = state.associations.values().map(|(a, _)| DataCenter {
            link: a.clone().into(),
            attachment: attachment_of("direct-connect-gateway", &a.direct_connect_gateway_id),
        });
        let vpn = state.vpns.values().map(|(v, _)| DataCenter {
            link: v.clone().into(),
            attachment: attachment_of("vpn", &v.id),
        });
        Topology {
            tgw: state.tgw.clone(),
            share: state.share.clone(),
            attachments: state
                .attachments
                .values()
                .filter(|a| a.resource_type == "vpc")
                .map(|a| (a.resource_id.clone(), vpc_attachment(a)))
                .collect(),
            data_center: dx_links.chain(vpn).next(),
            propagations: state.propagations.clone(),
            hub_routes: state.hub_routes.clone(),
            vpcs: world.vpcs.clone(),
            subnets: world.subnets.clone(),
            route_tables: state.route_tables.clone(),
            foreign_attachments: Vec::new(),
            left_to_others: Vec::new(),
        }
    }

    /// An attachment of `vpc_id` this hub made in an apply whose answer never arrived.
    pub(super) fn plant_vpc_attachment(&self, spec: VpcAttachmentSpec<'_>) {
        let mut state = self.lock();
        let id = state.new_id("tgw-attach");
        state.attachments.insert(
            id.clone(),
            Attachment {
                id,
                resource_type: "vpc",
                resource_id: spec.vpc_id.into(),
                state: "available".into(),
                subnet_ids: spec.subnet_ids.clone(),
                appliance_mode_support: spec.appliance_mode_support,
                dns_support: spec.dns_support,
                tags: spec.tags.clone(),
                associated_route_table: Some(HUB_TABLE.into()),
                polls_left: 0,
            },
        );
    }
}

fn vpc_attachment(a: &Attachment) -> VpcAttachment {
    VpcAttachment {
        id: a.id.clone(),
        // The fake holds one gateway, and the hub never reads this back.
        transit_gateway_id: String::new(),
        vpc_id: a.resource_id.clone(),
        vpc_owner_id: ACCOUNT.into(),
        state: a.state.clone(),
        subnet_ids: a.subnet_ids.clone(),
        appliance_mode_support: a.appliance_mode_support,
        dns_support: a.dns_support,
        tags: a.tags.clone(),
        associated_route_table: a.associated_route_table.clone(),
    }
}

impl State {
    fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-0fake{:04}", self.next_id)
    }

    fn created(&mut self, kind: &'static str) {
        *self.created.entry(kind).or_default() += 1;
    }

    /// The attachments' clock: one describe of them.
    fn tick_attachments(&mut self) {
        let table = self
            .tgw
            .as_ref()
            .and_then(|t| t.association_default_route_table_id.clone());
        let propagate_by_default = self
            .tgw
            .as_ref()
            .is_some_and(|t| t.propagation_default_route_table_id.is_some());
        let mut gone = Vec::new();
        let mut propagated = Vec::new();
        for a in self.attachments.values_mut() {
            if !matches!(a.state.as_str(), "pending" | "modifying" | "deleting") {
                continue;
            }
            if a.polls_left > 0 {
                a.polls_left -= 1;
                continue;
            }
            if a.state == "deleting" {
                gone.push(a.id.clone());
            } else {
                a.state = "available".into();
                // Default association with the hub route table.
                if a.associated_route_table.is_none() {
                    a.associated_route_table = table.clone();
                }
                if propagate_by_default {
                    propagated.push(a.id.clone());
                }
            }
        }
        self.propagations.extend(propagated);
        for id in gone {
            self.attachments.remove(&id);
            self.propagations.remove(&id);
        }
    }

    fn attachment(&mut self, action: &'static str, id: &str) -> Result<&mut Attachment, OpError> {
        self.attachments
            .get_mut(id)
            .ok_or_else(|| not_found(action, "InvalidTransitGatewayAttachmentID"))
    }

    fn share(&mut self, action: &'static str, arn: &str) -> Result<&mut Share, OpError> {
        self.share
            .as_mut()
            .filter(|s| s.arn == arn)
            .ok_or_else(|| error(action, "UnknownResourceException", ErrorClass::NotFound))
    }

    fn tags_of(&mut self, id: &str) -> Option<&mut Tags> {
        if let Some(tgw) = self.tgw.as_mut().filter(|t| t.id == id) {
            return Some(&mut tgw.tags);
        }
        if let Some(a) = self.attachments.get_mut(id) {
            return Some(&mut a.tags);
        }
        self.vpns.get_mut(id).map(|(v, _)| &mut v.tags)
    }
}

#[async_trait]
impl HubAws for FakeHubAws {
    async fn create_transit_gateway(
        &self,
        spec: &TransitGatewaySpec,
    ) -> Result<TransitGateway, OpError> {
        let mut state = self.enter("create_transit_gateway")?;
        let id = state.new_id("tgw");
        let tgw = TransitGateway {
            arn: format!("arn:aws:ec2:eu-west-1:{ACCOUNT}:transit-gateway/{id}"),
            id,
            owner_id: ACCOUNT.into(),
            state: "pending".into(),
            description: spec.description.clone().filter(|d| !d.is_empty()),
            amazon_side_asn: spec.amazon_side_asn,
            auto_accept_shared_attachments: spec.auto_accept_shared_attachments,
            dns_support: spec.dns_support,
            vpn_ecmp_support: spec.vpn_ecmp_support,
            cidr_blocks: spec.cidr_blocks.clone(),
            // AWS fills it in as the gateway becomes available.
            association_default_route_table_id: None,
            propagation_default_route_table_id: spec
                .default_route_table_propagation
                .then(|| HUB_TABLE.into()),
            tags: spec.tags.clone(),
        };
        state.tgw = Some(tgw.clone());
        state.tgw_polls_left = state.settle_after;
        state.created(TRANSIT_GATEWAY);
        Ok(tgw)
    }

    async fn modify_transit_gateway(
        &self,
        id: &str,
        m: &TransitGatewayModification,
    ) -> Result<(), OpError> {
        let mut state = self.enter("modify_transit_gateway")?;
        let settle = state.settle_after;
        let tgw = state
            .tgw
            .as_mut()
            .filter(|t| t.id == id)
            .ok_or_else(|| not_found("ModifyTransitGateway", "InvalidTransitGatewayID"))?;
        m.apply_to(tgw);
        tgw.state = "modifying".into();
        state.tgw_polls_left = settle;
        Ok(())
    }

    async fn delete_transit_gateway(&self, id: &str) -> Result<(), OpError> {
        let mut state = self.enter("delete_transit_gateway")?;
        if state.tgw.as_ref().is_some_and(|t| t.id == id) {
            if !state.attachments.is_empty() {
                return Err(error(
                    "DeleteTransitGateway",
                    "IncorrectState",
                    ErrorClass::Fatal,
                ));
            }
            state.tgw = None;
            state.share = None;
            state.hub_routes.clear();
        }
        Ok(())
    }

    async fn transit_gateway_available(&self, id: &str) -> Result<Poll<TransitGateway>, OpError> {
        let mut state = self.enter("transit_gateway_available")?;
        if state.tgw_polls_left > 0 {
            state.tgw_polls_left -= 1;
        } else if let Some(tgw) = state.tgw.as_mut() {
            tgw.state = "available".into();
            tgw.association_default_route_table_id = Some(HUB_TABLE.into());
        }
        Ok(match state.tgw.as_ref().filter(|t| t.id == id) {
            Some(t) if t.state == "available" => Poll::Done(t.clone()),
            Some(t) => Poll::Pending(t.state.clone()),
            None => Poll::Failed("deleted".into()),
        })
    }

    async fn transit_gateway_deleted(&self, id: &str) -> Result<Poll<()>, OpError> {
        let state = self.enter("transit_gateway_deleted")?;
        Ok(match state.tgw.as_ref().filter(|t| t.id == id) {
            None => Poll::Done(()),
            Some(t) => Poll::Pending(t.state.clone()),
        })
    }

    async fn create_tags(&self, id: &str, tags: &Tags) -> Result<(), OpError> {
        if tags.is_empty() {
            return Ok(()); // No tags, no call.
        }
        let mut state = self.enter("create_tags")?;
        let have = state
            .tags_of(id)
            .ok_or_else(|| not_found("CreateTags", "InvalidID"))?;
        have.extend(tags.clone());
        Ok(())
    }

    async fn delete_tags(&self, id: &str, keys: &BTreeSet<String>) -> Result<(), OpError> {
        if keys.is_empty() {
            return Ok(()); // No keys, no call.
        }
        let mut state = self.enter("delete_tags")?;
        let have = state
            .tags_of(id)
            .ok_or_else(|| not_found("DeleteTags", "InvalidID"))?;
        have.retain(|k, _| !keys.contains(k));
        Ok(())
    }

    async fn create_share(
        &self,
        name: &str,
        resource_arn: &str,
        principals: &BTreeSet<String>,
        allow_external: bool,
        tags: &Tags,
        _client_token: &str,
    ) -> Result<String, OpError> {
        let mut state = self.enter("create_share")?;
        let arn = format!(
            "arn:aws:ram:eu-west-1:{ACCOUNT}:resource-share/{}",
            state.new_id("share")
        );
        state.share = Some(Share {
            arn: arn.clone(),
            name: name.into(),
            allow_external_principals: allow_external,
            principals: principals.clone(),
            resources: [resource_arn.to_string()].into(),
            tags: tags.clone(),
        });
        state.created(SHARE);
        Ok(arn)
    }

    async fn update_share(
        &self,
        arn: &str,
        name: Option<&str>,
        allow_external: Option<bool>,
    ) -> Result<(), OpError> {
        let mut state = self.enter("update_share")?;
        let share = state.share("UpdateResourceShare", arn)?;
        if let Some(name) = name {
            share.name = name.into();
        }
        if let Some(allow) = allow_external {
            share.allow_external_principals = allow;
        }
        Ok(())
    }

    async fn associate_share(
        &self,
        arn: &str,
        principals: &BTreeSet<String>,
        resources: &[String],
    ) -> Result<(), OpError> {
        let mut state = self.enter("associate_share")?;
        let share = state.share("AssociateResourceShare", arn)?;
        share.principals.extend(principals.iter().cloned());
        share.resources.extend(resources.iter().cloned());
        Ok(())
    }

    async fn disassociate_principals(
        &self,
        arn: &str,
        principals: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        let mut state = self.enter("disassociate_principals")?;
        let share = state.share("DisassociateResourceShare", arn)?;
        share.principals.retain(|p| !principals.contains(p));
        Ok(())
    }

    async fn delete_share(&self, arn: &str) -> Result<(), OpError> {
        let mut state = self.enter("delete_share")?;
        if state.share.as_ref().is_some_and(|s| s.arn == arn) {
            state.share = None;
        }
        Ok(())
    }

    async fn tag_share(
        &self,
        arn: &str,
        set: &Tags,
        remove: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        let mut state = self.enter("tag_share")?;
        let share = state.share("TagResource", arn)?;
        share.tags.retain(|k, _| !remove.contains(k));
        share.tags.extend(set.clone());
        Ok(())
    }

    async fn create_vpc_attachment(
        &self,
        spec: VpcAttachmentSpec<'_>,
    ) -> Result<VpcAttachment, OpError> {
        let action = "CreateTransitGatewayVpcAttachment";
        let mut state = self.enter("create_vpc_attachment")?;
        if state.tgw.as_ref().map(|t| t.id.as_str()) != Some(spec.transit_gateway_id) {
            return Err(not_found(action, "InvalidTransitGatewayID"));
        }
        if state
            .attachments
            .values()
            .any(|a| a.resource_type == "vpc" && a.resource_id == spec.vpc_id)
        {
            return Err(error(
                action,
                "DuplicateTransitGatewayAttachment",
                ErrorClass::AlreadyExists,
            ));
        }
        let attachment = Attachment {
            id: state.new_id("tgw-attach"),
            resource_type: "vpc",
            resource_id: spec.vpc_id.into(),
            state: "pending".into(),
            subnet_ids: spec.subnet_ids.clone(),
            appliance_mode_support: spec.appliance_mode_support,
            dns_support: spec.dns_support,
            tags: spec.tags.clone(),
            associated_route_table: None,
            polls_left: state
                .hold
                .get(spec.vpc_id)
                .copied()
                .unwrap_or(state.settle_after),
        };
        state
            .attachments
            .insert(attachment.id.clone(), attachment.clone());
        state.created(VPC_ATTACHMENT);
        Ok(vpc_attachment(&attachment))
    }

    async fn modify_vpc_attachment(
        &self,
        id: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
        appliance_mode: Option<bool>,
        dns_support: Option<bool>,
    ) -> Result<(), OpError> {
        let mut state = self.enter("modify_vpc_attachment")?;
        let settle = state.settle_after;
        let a = state.attachment("ModifyTransitGatewayVpcAttachment", id)?;
        a.subnet_ids.retain(|s| !remove.contains(s));
        a.subnet_ids.extend(add.iter().cloned());
        if let Some(on) = appliance_mode {
            a.appliance_mode_support = on;
        }
        if let Some(on) = dns_support {
            a.dns_support = on;
        }
        a.state = "modifying".into();
        a.polls_left = settle;
        Ok(())
    }

    async fn delete_vpc_attachment(&self, id: &str) -> Result<(), OpError> {
        let mut state = self.enter("delete_vpc_attachment")?;
        let settle = state.settle_after;
        if let Some(a) = state.attachments.get_mut(id) {
            a.state = "deleting".into();
            a.polls_left = settle;
        }
        Ok(())
    }

    async fn vpc_attachments(&self, tgw_id: &str) -> Result<Vec<VpcAttachment>, OpError> {
        let state = self.enter("vpc_attachments")?;
        if state.tgw.as_ref().map(|t| t.id.as_str()) != Some(tgw_id) {
            return Ok(Vec::new());
        }
        Ok(state
            .attachments
            .values()
            .filter(|a| a.resource_type == "vpc")
            // This finder does not say which route table (see `VpcAttachment`).
            .map(|a| VpcAttachment {
                associated_route_table: None,
                ..vpc_attachment(a)
            })
            .collect())
    }

    async fn transit_gateway_attachments(
        &self,
        tgw_id: &str,
    ) -> Result<Vec<AttachmentSummary>, OpError> {
        let mut state = self.enter("transit_gateway_attachments")?;
        if state.tgw.as_ref().map(|t| t.id.as_str()) != Some(tgw_id) {
            return Ok(Vec::new());
        }
        state.tick_attachments();
        Ok(state.attachments.values().map(summary).collect())
    }

    async fn vpc_attachment_gone(&self, id: &str) -> Result<Poll<()>, OpError> {
        let mut state = self.enter("vpc_attachment_gone")?;
        state.tick_attachments();
        Ok(match state.attachments.get(id) {
            None => Poll::Done(()),
            Some(a) => Poll::Pending(a.state.clone()),
        })
    }

    async fn accept_vpc_attachment(&self, id: &str) -> Result<(), OpError> {
        let state = self.enter("accept_vpc_attachment")?;
        accept(state, "AcceptTransitGatewayVpcAttachment", id, None)
    }

    async fn accept_client_vpn_attachment(&self, id: &str) -> Result<(), OpError> {
        let state = self.enter("accept_client_vpn_attachment")?;
        accept(
            state,
            "AcceptTransitGatewayClientVpnAttachment",
            id,
            Some("client-vpn"),
        )
    }

    async fn attachment_available(&self, id: &str) -> Result<Poll<AttachmentSummary>, OpError> {
        let mut state = self.enter("attachment_available")?;
        state.tick_attachments();
        Ok(match state.attachments.get(id) {
            None => Poll::Failed(format!("{id} is gone")),
            Some(a) if a.state == "available" => Poll::Done(summary(a)),
            Some(a) => Poll::Pending(a.state.clone()),
        })
    }

    async fn vpc_attachment_available(&self, id: &str) -> Result<Poll<VpcAttachment>, OpError> {
        let mut state = self.enter("vpc_attachment_available")?;
        state.tick_attachments();
        Ok(match state.attachments.get(id) {
            None => Poll::Failed(format!("{id} is gone")),
            Some(a) if a.state == "available" => Poll::Done(vpc_attachment(a)),
            Some(a) => Poll::Pending(a.state.clone()),
        })
    }

    async fn create_direct_connect_association(
        &self,
        gateway_id: &str,
        tgw_id: &str,
        allowed_prefixes: &BTreeSet<String>,
    ) -> Result<DirectConnectAssociation, OpError> {
        let action = "CreateDirectConnectGatewayAssociation";
        let mut state = self.enter("create_direct_connect_association")?;
        if state.tgw.as_ref().map(|t| t.id.as_str()) != Some(tgw_id) {
            return Err(not_found(action, "InvalidTransitGatewayID"));
        }
        if state
            .associations
            .values()
            .any(|(a, _)| a.direct_connect_gateway_id == gateway_id)
        {
            return Err(OpError::Aws(AwsError {
                action,
                code: "DirectConnectClientException".into(),
                message: format!("{gateway_id} is already associated with {tgw_id}"),
                class: ErrorClass::Fatal,
            }));
        }
        let association = DirectConnectAssociation {
            id: state.new_id("dxassoc"),
            direct_connect_gateway_id: gateway_id.into(),
            associated_gateway_id: tgw_id.into(),
            state: "associating".into(),
            allowed_prefixes: allowed_prefixes.clone(),
        };
        let settle = state.settle_after;
        state
            .associations
            .insert(association.id.clone(), (association.clone(), settle));
        let attachment = Attachment {
            id: state.new_id("tgw-attach"),
            resource_type: "direct-connect-gateway",
            resource_id: gateway_id.into(),
            state: "pending".into(),
            subnet_ids: BTreeSet::new(),
            appliance_mode_support: false,
            dns_support: false,
            tags: Tags::new(),
            associated_route_table: None,
            polls_left: settle,
        };
        state.attachments.insert(attachment.id.clone(), attachment);
        state.created(DIRECT_CONNECT);
        Ok(association)
    }

    async fn update_direct_connect_association(
        &self,
        association_id: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        let mut state = self.enter("update_direct_connect_association")?;
        let settle = state.settle_after;
        let (a, polls_left) = state
            .associations
            .get_mut(association_id)
            .ok_or_else(|| not_found("UpdateDirectConnectGatewayAssociation", "Association"))?;
        a.allowed_prefixes.retain(|p| !remove.contains(p));
        a.allowed_prefixes.extend(add.iter().cloned());
        a.state = "updating".into();
        *polls_left = settle;
        Ok(())
    }

    async fn delete_direct_connect_association(&self, association_id: &str) -> Result<(), OpError> {
        let mut state = self.enter("delete_direct_connect_association")?;
        let settle = state.settle_after;
        let Some((a, polls_left)) = state.associations.get_mut(association_id) else {
            return Ok(());
        };
        a.state = "disassociating".into();
        *polls_left = settle;
        let gateway = a.direct_connect_gateway_id.clone();
        for attachment in state.attachments.values_mut() {
            if attachment.resource_id == gateway {
                attachment.state = "deleting".into();
                attachment.polls_left = settle;
            }
        }
        Ok(())
    }

    async fn direct_connect_gateway_associations(
        &self,
        gateway_id: &str,
    ) -> Result<Vec<DirectConnectAssociation>, OpError> {
        let state = self.enter("direct_connect_gateway_associations")?;
        Ok(state
            .associations
            .values()
            .map(|(a, _)| a)
            .filter(|a| a.direct_connect_gateway_id == gateway_id)
            .cloned()
            .collect())
    }

    async fn direct_connect_associations(
        &self,
        tgw_id: &str,
    ) -> Result<Vec<DirectConnectAssociation>, OpError> {
        let mut state = self.enter("direct_connect_associations")?;
        if state.tgw.as_ref().map(|t| t.id.as_str()) != Some(tgw_id) {
            return Ok(Vec::new());
        }
        let mut gone = Vec::new();
        for (a, polls_left) in state.associations.values_mut() {
            if a.state == "associated" {
                continue;
            }
            if *polls_left > 0 {
                *polls_left -= 1;
            } else if a.state == "disassociating" {
                gone.push(a.id.clone());
            } else {
                a.state = "associated".into();
            }
        }
        for id in gone {
            state.associations.remove(&id);
        }
        Ok(state
            .associations
            .values()
            .map(|(a, _)| a.clone())
            .collect())
    }

    async fn create_vpn_connection(
        &self,
        tgw_id: &str,
        customer_gateway_id: &str,
        static_routes_only: bool,
        tags: &Tags,
    ) -> Result<VpnConnection, OpError> {
        let mut state = self.enter("create_vpn_connection")?;
        if state.tgw.as_ref().map(|t| t.id.as_str()) != Some(tgw_id) {
            return Err(not_found("CreateVpnConnection", "InvalidTransitGatewayID"));
        }
        let connection = VpnConnection {
            id: state.new_id("vpn"),
            customer_gateway_id: customer_gateway_id.into(),
            static_routes_only: Some(static_routes_only),
            state: "pending".into(),
            tags: tags.clone(),
        };
        let settle = state.settle_after;
        state
            .vpns
            .insert(connection.id.clone(), (connection.clone(), settle));
        let attachment = Attachment {
            id: state.new_id("tgw-attach"),
            resource_type: "vpn",
            resource_id: connection.id.clone(),
            state: "pending".into(),
            subnet_ids: BTreeSet::new(),
            appliance_mode_support: false,
            dns_support: false,
            tags: Tags::new(),
            associated_route_table: None,
            polls_left: settle,
        };
        state.attachments.insert(attachment.id.clone(), attachment);
        state.created(VPN);
        Ok(connection)
    }

    async fn delete_vpn_connection(&self, id: &str) -> Result<(), OpError> {
        let mut state = self.enter("delete_vpn_connection")?;
        let settle = state.settle_after;
        let Some((v, polls_left)) = state.vpns.get_mut(id) else {
            return Ok(());
        };
        v.state = "deleting".into();
        *polls_left = settle;
        for attachment in state.attachments.values_mut() {
            if attachment.resource_id == id {
                attachment.state = "deleting".into();
                attachment.polls_left = settle;
            }
        }
        Ok(())
    }

    async fn vpn_connections(&self, ids: &BTreeSet<String>) -> Result<Vec<VpnConnection>, OpError> {
        if ids.is_empty() {
            return Ok(Vec::new()); // No ids, no call.
        }
        let mut state = self.enter("vpn_connections")?;
        let mut gone = Vec::new();
        for (v, polls_left) in state.vpns.values_mut() {
            if !matches!(v.state.as_str(), "pending" | "deleting") {
                continue;
            }
            if *polls_left > 0 {
                *polls_left -= 1;
            } else if v.state == "deleting" {
                gone.push(v.id.clone());
            } else {
                v.state = "available".into();
            }
        }
        for id in gone {
            state.vpns.remove(&id);
        }
        Ok(state
            .vpns
            .values()
            .map(|(v, _)| v)
            .filter(|v| ids.contains(&v.id) && v.state != "deleting")
            .cloned()
            .collect())
    }

    async fn associate_route_table(&self, table: &str, attachment: &str) -> Result<(), OpError> {
        let mut state = self.enter("associate_route_table")?;
        let a = state.attachment("AssociateTransitGatewayRouteTable", attachment)?;
        // An association already there succeeded.
        a.associated_route_table.get_or_insert_with(|| table.into());
        Ok(())
    }

    async fn set_propagation(
        &self,
        _table: &str,
        attachment: &str,
        enabled: bool,
    ) -> Result<(), OpError> {
        let mut state = self.enter("set_propagation")?;
        state.attachment("EnableTransitGatewayRouteTablePropagation", attachment)?;
        if enabled {
            state.propagations.insert(attachment.into());
        } else {
            state.propagations.remove(attachment);
        }
        Ok(())
    }

    async fn put_transit_gateway_route(
        &self,
        table: &str,
        destination: &str,
        attachment: &str,
        replace: bool,
    ) -> Result<(), OpError> {
        let action = if replace {
            "ReplaceTransitGatewayRoute"
        } else {
            "CreateTransitGatewayRoute"
        };
        let mut state = self.enter("put_transit_gateway_route")?;
        if table != HUB_TABLE {
            return Err(not_found(action, "InvalidRouteTableID"));
        }
        state.attachment(action, attachment)?;
        match (replace, state.hub_routes.contains_key(destination)) {
            (false, true) => {
                return Err(error(
                    action,
                    "RouteAlreadyExists",
                    ErrorClass::AlreadyExists,
                ));
            }
            (true, false) => return Err(not_found(action, "InvalidRoute")),
            (false, false) => state.created(HUB_ROUTE),
            (true, true) => {}
        }
        state.hub_routes.insert(
            destination.into(),
            TransitGatewayRoute {
                destination: destination.into(),
                attachment_id: Some(attachment.into()),
                state: "active".into(),
            },
        );
        Ok(())
    }

    async fn delete_transit_gateway_route(
        &self,
        _table: &str,
        destination: &str,
    ) -> Result<(), OpError> {
        let mut state = self.enter("delete_transit_gateway_route")?;
        state.hub_routes.remove(destination);
        Ok(())
    }

    async fn create_vpc_route(
        &self,
        table: &str,
        destination: &str,
        tgw_id: &str,
    ) -> Result<(), OpError> {
        let mut state = self.enter("create_vpc_route")?;
        if state.tgw.as_ref().map(|t| t.id.as_str()) != Some(tgw_id) {
            return Err(not_found("CreateRoute", "InvalidTransitGatewayID"));
        }
        let routes = &mut state
            .route_tables
            .get_mut(table)
            .ok_or_else(|| not_found("CreateRoute", "InvalidRouteTableID"))?
            .routes;
        if routes.iter().any(|r| r.destination == destination) {
            return Err(error(
                "CreateRoute",
                "RouteAlreadyExists",
                ErrorClass::AlreadyExists,
            ));
        }
        routes.push(VpcRoute {
            destination: destination.into(),
            target: tgw_id.into(),
            state: "active".into(),
        });
        routes.sort();
        state.created(VPC_ROUTE);
        Ok(())
    }

    async fn replace_vpc_route(
        &self,
        table: &str,
        destination: &str,
        tgw_id: &str,
    ) -> Result<(), OpError> {
        let mut state = self.enter("replace_vpc_route")?;
        if state.tgw.as_ref().map(|t| t.id.as_str()) != Some(tgw_id) {
            return Err(not_found("ReplaceRoute", "InvalidTransitGatewayID"));
        }
        let route = state
            .route_tables
            .get_mut(table)
            .ok_or_else(|| not_found("ReplaceRoute", "InvalidRouteTableID"))?
            .routes
            .iter_mut()
            .find(|r| r.destination == destination)
            .ok_or_else(|| not_found("ReplaceRoute", "InvalidRoute"))?;
        route.target = tgw_id.into();
        route.state = "active".into();
        Ok(())
    }

    async fn delete_vpc_route(&self, table: &str, destination: &str) -> Result<(), OpError> {
        let mut state = self.enter("delete_vpc_route")?;
        if let Some(t) = state.route_tables.get_mut(table) {
            t.routes.retain(|r| r.destination != destination);
        }
        Ok(())
    }

    async fn route_tables(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, RouteTable>, OpError> {
        let state = self.enter("route_tables")?;
        Ok(state
            .route_tables
            .iter()
            .filter(|(id, _)| ids.contains(*id))
            .map(|(id, t)| (id.clone(), t.clone()))
            .collect())
    }
}
