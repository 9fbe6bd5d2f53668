//! The Transit Gateway: create (tagged as its own owner), modify, delete, wait.

use super::Executor;
use super::refused;
use crate::aws::ec2::transit_gateway::TransitGatewayModification;
use crate::aws::ec2::transit_gateway::TransitGatewaySpec;
use crate::aws::retry::OpError;
use crate::aws::waiter::poll;
use crate::aws::waiter::wait_until;
use crate::framework::tags::OWNER_TAG;
use crate::resources::hub_network::diff::TagObject;
use crate::resources::hub_network::effects::Effect;
use crate::resources::hub_network::topology::Tags;
use std::collections::BTreeSet;

impl Executor {
    pub(super) async fn create_transit_gateway(
        &self,
        spec: TransitGatewaySpec,
    ) -> Result<(), OpError> {
        let aws = self.aws();
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
    }

    pub(super) async fn modify_transit_gateway(
        &self,
        modification: TransitGatewayModification,
    ) -> Result<(), OpError> {
        let aws = self.aws();
        let (id, _) = self.tgw()?;
        if modification != Default::default() {
            aws.modify_transit_gateway(&id, &modification).await?;
            self.record(Effect::TransitGatewayModifying);
        }
        self.await_transit_gateway(&id).await
    }

    pub(super) async fn delete_transit_gateway(&self) -> Result<(), OpError> {
        let aws = self.aws();
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
    }

    pub(super) async fn await_transit_gateway(&self, id: &str) -> Result<(), OpError> {
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
}
