//! VPC attachments: create or adopt, modify, delete, and wait for many at once.

use super::Executor;
use super::refused;
use crate::aws::ec2::attachment::VpcAttachmentSpec;
use crate::aws::errors::ErrorClass;
use crate::aws::retry::OpError;
use crate::aws::waiter::Poll;
use crate::aws::waiter::poll;
use crate::aws::waiter::wait_until;
use crate::framework::tags::OWNER_TAG;
use crate::resources::hub_network::diff::AttachmentRef;
use crate::resources::hub_network::effects::Effect;
use crate::resources::hub_network::model::with_owner;
use crate::resources::hub_network::spokes;
use crate::resources::hub_network::topology::Tags;
use crate::resources::hub_network::topology::VpcAttachment;
use std::collections::BTreeSet;

impl Executor {
    pub(super) async fn create_attachment(
        &self,
        key: String,
        vpc_id: String,
        subnet_ids: BTreeSet<String>,
        appliance_mode_support: bool,
        dns_support: bool,
        tags: Tags,
    ) -> Result<(), OpError> {
        let aws = self.aws();
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
    }

    pub(super) async fn modify_attachment(
        &self,
        vpc_id: String,
        add_subnets: BTreeSet<String>,
        remove_subnets: BTreeSet<String>,
        appliance_mode_support: Option<bool>,
        dns_support: Option<bool>,
    ) -> Result<(), OpError> {
        let aws = self.aws();
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
    }

    pub(super) async fn delete_attachment(&self, vpc_id: String) -> Result<(), OpError> {
        let aws = self.aws();
        let Some(attachment) = self.snapshot().attachments.get(&vpc_id).cloned() else {
            return Ok(());
        };
        if attachment.state != "deleting" {
            aws.delete_vpc_attachment(&attachment.id).await?;
        }
        self.record(Effect::AttachmentDeleting { vpc_id });
        Ok(())
    }

    /// One describe per poll for all the attachments; `pendingAcceptance` is not the end.
    pub(super) async fn await_attachments(
        &self,
        vpc_ids: &[String],
        gone: bool,
    ) -> Result<(), OpError> {
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

    /// Accepts a declared spoke's attachment (unless the record shows it accepted already,
    /// by a run this one resumes) and waits until it is `available`, one describe per poll.
    pub(super) async fn accept_attachment(&self, id: String) -> Result<(), OpError> {
        let aws = self.aws();
        let (pending, client_vpn) =
            self.snapshot()
                .spoke_attachment(&id)
                .map_or((false, false), |a| {
                    (
                        a.state == "pendingAcceptance",
                        a.resource_type == spokes::CLIENT_VPN,
                    )
                });
        if pending {
            if client_vpn {
                aws.accept_client_vpn_attachment(&id).await?;
            } else {
                aws.accept_vpc_attachment(&id).await?;
            }
            self.record(Effect::SpokeAttachmentState {
                id: id.clone(),
                state: "pending".into(),
                associated_route_table: None,
            });
        }
        let (state, associated_route_table) =
            wait_until(&self.budget, &format!("{id} to become available"), || {
                let id = id.clone();
                async move {
                    if client_vpn {
                        poll(aws.attachment_available(&id).await)
                            .map(|p| p.map(|a| (a.state, a.associated_route_table)))
                    } else {
                        poll(aws.vpc_attachment_available(&id).await)
                            .map(|p| p.map(|a| (a.state, a.associated_route_table)))
                    }
                }
            })
            .await?;
        self.record(Effect::SpokeAttachmentState {
            id,
            state,
            associated_route_table,
        });
        Ok(())
    }

    /// CreateTransitGatewayVpcAttachment said the VPC is already attached: take the
    /// attachment over if it is this hub's (or untagged, on this hub's own gateway), refuse if
    /// another hub's, wait and create again if it is on its way out.
    pub(super) async fn adopt_attachment(
        &self,
        tgw_id: &str,
        key: &str,
        vpc_id: &str,
        tags: &crate::resources::hub_network::topology::Tags,
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
