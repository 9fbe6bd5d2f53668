//! The data center link (Direct Connect association or VPN connection) and its attachment.

use super::Executor;
use super::refused;
use crate::aws::ec2::attachment::GONE;
use crate::aws::retry::OpError;
use crate::aws::waiter::Poll;
use crate::aws::waiter::poll;
use crate::aws::waiter::wait_until;
use crate::resources::hub_network::diff::TagObject;
use crate::resources::hub_network::effects::Effect;
use crate::resources::hub_network::model::with_owner;
use crate::resources::hub_network::topology::DataCenterLink;
use crate::resources::hub_network::topology::Tags;
use std::collections::BTreeSet;

impl Executor {
    pub(super) async fn create_direct_connect(
        &self,
        gateway_id: String,
        allowed_prefixes: BTreeSet<String>,
        attachment_tags: Tags,
    ) -> Result<(), OpError> {
        let aws = self.aws();
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
    }

    /// Deletes other hubs' associations of the gateway that `take_over` moves the link from,
    /// and waits until the gateway no longer lists them: only then can this hub's association
    /// advertise the same prefixes. The data center is disconnected from here until this hub's
    /// association is up.
    pub(super) async fn release_direct_connect(
        &self,
        gateway_id: &str,
        release: Vec<String>,
    ) -> Result<(), OpError> {
        if release.is_empty() {
            return Ok(());
        }
        let aws = self.aws();
        for id in &release {
            tracing::info!(
                association = id.as_str(),
                gateway = gateway_id,
                "taking the data center link over: deleting another hub's association"
            );
            aws.delete_direct_connect_association(id).await?;
        }
        wait_until(
            &self.budget,
            "the other hub's Direct Connect association to be removed",
            || async {
                poll(
                    aws.direct_connect_gateway_associations(gateway_id)
                        .await
                        .map(|left| {
                            if left.iter().any(|a| release.contains(&a.id)) {
                                Poll::Pending(
                                    "the other hub's association is disassociating".into(),
                                )
                            } else {
                                Poll::Done(())
                            }
                        }),
                )
            },
        )
        .await
    }

    pub(super) async fn update_direct_connect(
        &self,
        add: BTreeSet<String>,
        remove: BTreeSet<String>,
    ) -> Result<(), OpError> {
        let aws = self.aws();
        let association = match self.snapshot().data_center.map(|dc| dc.link) {
            Some(DataCenterLink::DirectConnect { association_id, .. }) => association_id,
            _ => return Err(refused("the Direct Connect association does not exist")),
        };
        aws.update_direct_connect_association(&association, &add, &remove)
            .await?;
        self.record(Effect::DirectConnectUpdated { add, remove });
        self.await_data_center().await
    }

    pub(super) async fn delete_direct_connect(&self) -> Result<(), OpError> {
        let aws = self.aws();
        let (tgw_id, _) = self.tgw()?;
        let association = match self.snapshot().data_center.map(|dc| dc.link) {
            Some(DataCenterLink::DirectConnect { association_id, .. }) => association_id,
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
    }

    pub(super) async fn create_vpn(
        &self,
        customer_gateway_id: String,
        static_routes_only: bool,
        tags: Tags,
        attachment_tags: Tags,
    ) -> Result<(), OpError> {
        let aws = self.aws();
        let (tgw_id, _) = self.tgw()?;
        let (tags, attachment_tags) = (
            with_owner(tags, &tgw_id),
            with_owner(attachment_tags, &tgw_id),
        );
        let connection = aws
            .create_vpn_connection(&tgw_id, &customer_gateway_id, static_routes_only, &tags)
            .await?;
        self.settle_data_center(connection.into(), &attachment_tags)
            .await
    }

    pub(super) async fn delete_vpn(&self) -> Result<(), OpError> {
        let aws = self.aws();
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
    }

    /// Waits until the data center's link is up and its attachment `available`, recording
    /// the attachment as soon as it appears.
    /// A new Direct Connect association or VPN connection: recorded at once, then waited for
    /// until its Transit Gateway attachment is usable, which is then tagged as the hub's.
    pub(super) async fn settle_data_center(
        &self,
        link: DataCenterLink,
        attachment_tags: &crate::resources::hub_network::topology::Tags,
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

    pub(super) async fn await_data_center(&self) -> Result<(), OpError> {
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
    pub(super) async fn data_center_gone(
        &self,
        tgw_id: &str,
        id: &str,
    ) -> Result<Poll<()>, OpError> {
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
}
