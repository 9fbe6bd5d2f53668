//! Runs a spoke's operations one after another (a spoke has a handful: the join, its
//! attachment, a route per table and hub network), recording each change in the record as AWS
//! confirms it, so that a failed or stopped apply returns what it made.

use std::sync::Mutex;
use std::time::Duration;

use super::observe::Spoke;
use super::plan::Op;
use crate::aws::call::Aws;
use crate::aws::ec2::attachment::VpcAttachmentSpec;
use crate::aws::ec2::route_table::{RouteTable, VpcRoute};
use crate::aws::ec2::transit_gateway::TransitGateway;
use crate::aws::errors::ErrorClass;
use crate::aws::retry::{Budget, OpError};
use crate::aws::waiter::{Poll, poll, wait_until};
use crate::engine::OperationPlan;
use crate::framework::context::Ctx;
use crate::framework::resource::Outcome;

/// Runs `plan` in order; the first failure stops it.
pub(crate) async fn run(
    ctx: &Ctx,
    mut record: Spoke,
    plan: OperationPlan<Op>,
) -> Outcome<Spoke, Op> {
    let ops: Vec<Op> = plan.operations().cloned().collect();
    let total = ops.len();
    let mut failures = Vec::new();
    let mut done = 0;
    for op in ops {
        if ctx.budget.cancel.is_cancelled() {
            failures.push((op, OpError::Cancelled));
            done += 1;
            break;
        }
        done += 1;
        if let Err(error) = perform(ctx, &mut record, &op).await {
            failures.push((op, error));
            break;
        }
    }
    Outcome {
        record,
        failures,
        not_started: total - done,
    }
}

async fn perform(ctx: &Ctx, record: &mut Spoke, op: &Op) -> Result<(), OpError> {
    let aws = ctx.aws();
    match op {
        Op::Join { share_arn, timeout } => join(ctx, record, share_arn.as_deref(), *timeout).await,
        Op::CreateAttachment { subnet_ids, tags } => {
            let created = aws
                .create_vpc_attachment(VpcAttachmentSpec {
                    transit_gateway_id: &record.tgw_id,
                    vpc_id: &record.vpc_id,
                    subnet_ids,
                    appliance_mode_support: false,
                    dns_support: true,
                    tags,
                })
                .await?;
            tracing::info!(attachment = created.id.as_str(), "attachment created");
            record.attachment = Some(created);
            Ok(())
        }
        Op::ModifySubnets { add, remove } => {
            let id = attachment_id(record)?;
            aws.modify_vpc_attachment(&id, add, remove, None, None)
                .await?;
            if let Some(a) = record.attachment.as_mut() {
                a.subnet_ids.retain(|s| !remove.contains(s));
                a.subnet_ids.extend(add.iter().cloned());
                a.state = "modifying".into();
            }
            Ok(())
        }
        Op::Retag { set, remove } => {
            let id = attachment_id(record)?;
            if !set.is_empty() {
                aws.create_tags(&id, set).await?;
            }
            if !remove.is_empty() {
                aws.delete_tags(&id, remove).await?;
            }
            if let Some(a) = record.attachment.as_mut() {
                a.tags.retain(|k, _| !remove.contains(k));
                a.tags.extend(set.clone());
            }
            Ok(())
        }
        Op::AwaitAttachment { timeout } => await_attachment(ctx, record, *timeout).await,
        Op::CreateRoute { table, destination } => {
            let destination = destination.to_string();
            aws.create_vpc_route(table, &destination, &record.tgw_id)
                .await?;
            let vpc_id = record.vpc_id.clone();
            let table = record
                .tables
                .entry(table.clone())
                .or_insert_with(|| RouteTable {
                    id: table.clone(),
                    vpc_id,
                    routes: Vec::new(),
                });
            table.routes.push(VpcRoute {
                destination,
                target: record.tgw_id.clone(),
                state: "active".into(),
            });
            table.routes.sort();
            Ok(())
        }
        Op::DeleteRoute { table, destination } => {
            let destination = destination.to_string();
            aws.delete_vpc_route(table, &destination).await?;
            if let Some(table) = record.tables.get_mut(table) {
                table.routes.retain(|r| r.destination != destination);
            }
            Ok(())
        }
        Op::DeleteAttachment => {
            let id = attachment_id(record)?;
            aws.delete_vpc_attachment(&id).await?;
            if let Some(a) = record.attachment.as_mut() {
                a.state = "deleting".into();
            }
            wait_until(
                &ctx.budget,
                &format!("attachment {id} to be deleted"),
                || async { poll(aws.vpc_attachment_gone(&id).await) },
            )
            .await?;
            record.attachment = None;
            Ok(())
        }
    }
}

fn attachment_id(record: &Spoke) -> Result<String, OpError> {
    record
        .attachment
        .as_ref()
        .map(|a| a.id.clone())
        .ok_or_else(|| OpError::Refused("the spoke has no attachment".into()))
}

/// The operation's budget, ending `limit` from now if that comes first: whether a timeout
/// was this limit's or the operation's.
fn within(budget: &Budget, limit: Duration) -> (Budget, bool) {
    let mut limited = budget.clone();
    match tokio::time::Instant::now().checked_add(limit) {
        Some(end) if end < budget.deadline => {
            limited.deadline = end;
            (limited, true)
        }
        _ => (limited, false),
    }
}

/// Where joining stands, kept across polls.
#[derive(Default)]
struct Joining {
    accepted: Option<String>,
    cannot_list: Option<String>,
}

/// Accepts the invitation to the share when there is one (never needed inside an
/// Organization, nor once accepted), then waits until the gateway is visible to this account:
/// `InvalidTransitGatewayID.NotFound` is what AWS answers while a share propagates.
async fn join(
    ctx: &Ctx,
    record: &mut Spoke,
    share_arn: Option<&str>,
    timeout: Duration,
) -> Result<(), OpError> {
    let (budget, own_limit) = within(&ctx.budget, timeout);
    let aws = Aws::new(&ctx.clients, &budget);
    let tgw_id = record.tgw_id.clone();
    let joining = Mutex::new(Joining::default());
    let what = format!("the Transit Gateway {tgw_id} to be visible to this account");
    let result = wait_until(&budget, &what, || async {
        poll(join_step(&aws, &tgw_id, share_arn, &joining).await)
    })
    .await;
    let joining = joining.into_inner().unwrap_or_else(|p| p.into_inner());
    if joining.accepted.is_some() {
        record.invitation = joining.accepted;
    }
    match result {
        Ok(tgw) => {
            record.tgw = Some(tgw);
            Ok(())
        }
        Err(OpError::Timeout(doing)) if own_limit => Err(OpError::Refused(format!(
            "The Transit Gateway {tgw_id} is still not visible to this account after \
             share_visibility_timeout ({}s; {doing}). Check that the hub shares it with this \
             account (share_with of migration_hub_network, or its Organization){}{}.",
            timeout.as_secs(),
            match share_arn {
                Some(arn) => format!(" and that {arn} is the hub's share"),
                None => ", or set resource_share_arn if this account is invited to the share"
                    .to_string(),
            },
            joining
                .cannot_list
                .map(|why| format!("; the invitations could not be listed: {why}"))
                .unwrap_or_default()
        ))),
        Err(other) => Err(other),
    }
}

async fn join_step(
    aws: &Aws<'_>,
    tgw_id: &str,
    share_arn: Option<&str>,
    joining: &Mutex<Joining>,
) -> Result<Poll<TransitGateway>, OpError> {
    if let Some(tgw) = aws.find_transit_gateway(tgw_id).await? {
        return Ok(Poll::Done(tgw));
    }
    let (accepted, cannot_list) = {
        let j = joining.lock().unwrap_or_else(|p| p.into_inner());
        (j.accepted.clone(), j.cannot_list.is_some())
    };
    if let Some(arn) = accepted {
        return Ok(Poll::Pending(format!(
            "accepted the invitation {arn}; RAM is propagating the share"
        )));
    }
    let Some(share_arn) = share_arn else {
        return Ok(Poll::Pending(
            "not visible yet (an Organization share associates without an invitation)".into(),
        ));
    };
    if cannot_list {
        return Ok(Poll::Pending(
            "not visible yet; invitations cannot be listed".into(),
        ));
    }
    let invitations = match aws.share_invitations(Some(share_arn)).await {
        Ok(found) => found,
        Err(OpError::Aws(e)) if e.class == ErrorClass::AccessDenied => {
            tracing::warn!(error = %e, "cannot list RAM invitations; waiting for the gateway alone");
            joining
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .cannot_list = Some(e.to_string());
            return Ok(Poll::Pending(
                "not visible yet; invitations cannot be listed".into(),
            ));
        }
        Err(other) => return Err(other),
    };
    if let Some(pending) = invitations.iter().find(|i| i.status == "PENDING") {
        aws.accept_share_invitation(&pending.arn).await?;
        tracing::info!(
            invitation = pending.arn.as_str(),
            share = share_arn,
            "share invitation accepted"
        );
        joining.lock().unwrap_or_else(|p| p.into_inner()).accepted = Some(pending.arn.clone());
        return Ok(Poll::Pending(format!(
            "accepted the invitation {}; RAM is propagating the share",
            pending.arn
        )));
    }
    Ok(Poll::Pending(
        if invitations.iter().any(|i| i.status == "ACCEPTED") {
            "the share was accepted; RAM is propagating it".to_string()
        } else {
            format!("no invitation to {share_arn} yet, and the gateway is not visible")
        },
    ))
}

/// Waits until the attachment is `available`; `pendingAcceptance` is waited through (the hub
/// account accepts), a rejection fails.
async fn await_attachment(ctx: &Ctx, record: &mut Spoke, timeout: Duration) -> Result<(), OpError> {
    let id = attachment_id(record)?;
    let (budget, own_limit) = within(&ctx.budget, timeout);
    let aws = Aws::new(&ctx.clients, &budget);
    let last_seen = Mutex::new(String::new());
    let result = wait_until(
        &budget,
        &format!("attachment {id} to be available"),
        || async {
            let polled = aws.vpc_attachment_available(&id).await;
            if let Ok(Poll::Pending(state)) = &polled {
                *last_seen.lock().unwrap_or_else(|p| p.into_inner()) = state.clone();
            }
            poll(polled)
        },
    )
    .await;
    match result {
        Ok(attachment) => {
            record.attachment = Some(attachment);
            Ok(())
        }
        Err(OpError::Refused(why)) => {
            // Rejected, failed or deleted: nothing is left to record.
            record.attachment = None;
            Err(OpError::Refused(format!(
                "{why}. The hub account may have rejected it; ask it to accept attachments of \
                 this VPC, then apply again."
            )))
        }
        Err(OpError::Timeout(doing)) => {
            let state = last_seen.into_inner().unwrap_or_else(|p| p.into_inner());
            if let (Some(a), Some(s)) = (
                record.attachment.as_mut(),
                state.split(':').next().filter(|s| !s.is_empty()),
            ) {
                a.state = s.to_string();
            }
            let limit = if own_limit {
                format!("acceptance_timeout ({}s)", timeout.as_secs())
            } else {
                "the operation's timeouts".to_string()
            };
            Err(OpError::Refused(
                if state.starts_with("pendingAcceptance") {
                    format!(
                        "The hub account did not accept attachment {id} within {limit}: it is still \
                     pendingAcceptance, so routes through it would go nowhere. The Transit \
                     Gateway's owner must accept it (AcceptTransitGatewayVpcAttachment, or \
                     auto_accept_shared_attachments on the hub); apply again to keep waiting."
                    )
                } else {
                    format!("timed out {doing} within {limit}; apply again to keep waiting")
                },
            ))
        }
        Err(other) => Err(other),
    }
}
