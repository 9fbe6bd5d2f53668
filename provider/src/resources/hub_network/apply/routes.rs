//! Association and propagation in the hub route table, static hub routes and the VPC routes
//! of the mesh.

use super::Executor;
use super::refused;
use crate::aws::errors::ErrorClass;
use crate::aws::retry::OpError;
use crate::resources::hub_network::diff::AttachmentRef;
use crate::resources::hub_network::effects::Effect;

impl Executor {
    pub(super) async fn connect(
        &self,
        target: AttachmentRef,
        propagate: bool,
    ) -> Result<(), OpError> {
        let aws = self.aws();
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
        if target.associated_route_table(&topology).is_none() {
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
    }

    pub(super) async fn route_to_data_center(
        &self,
        destination: String,
        replace: bool,
    ) -> Result<(), OpError> {
        let aws = self.aws();
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
            Err(OpError::Aws(e)) if !replace && e.class == ErrorClass::AlreadyExists => {
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
    }

    pub(super) async fn delete_hub_route(&self, destination: String) -> Result<(), OpError> {
        let aws = self.aws();
        if let Some(table) = self.snapshot().hub_route_table_id() {
            aws.delete_transit_gateway_route(table, &destination)
                .await?;
        }
        self.record(Effect::HubRouteDeleted { destination });
        Ok(())
    }

    pub(super) async fn create_vpc_route(
        &self,
        route_table_id: String,
        destination: String,
    ) -> Result<(), OpError> {
        let aws = self.aws();
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
    }

    /// Re-targets another hub's route to this hub's gateway in one call: the route never
    /// disappears, and its target records the new owner. If the route no longer points at
    /// `from` (its owner deleted it, or someone else took it), the apply stops rather than
    /// take what it was not planned to take; a vanished route is simply created.
    pub(super) async fn take_over_vpc_route(
        &self,
        route_table_id: String,
        destination: String,
        from: String,
    ) -> Result<(), OpError> {
        let aws = self.aws();
        let (tgw_id, _) = self.tgw()?;
        let tables = aws.route_tables(&[route_table_id.clone()].into()).await?;
        let target = tables
            .get(&route_table_id)
            .and_then(|t| t.routes.iter().find(|r| r.destination == destination))
            .map(|r| r.target.clone());
        match target.as_deref() {
            None => {
                aws.create_vpc_route(&route_table_id, &destination, &tgw_id)
                    .await?
            }
            Some(t) if t == tgw_id => {}
            Some(t) if t == from => {
                aws.replace_vpc_route(&route_table_id, &destination, &tgw_id)
                    .await?;
                tracing::info!(
                    route_table = route_table_id.as_str(),
                    destination = destination.as_str(),
                    from = from.as_str(),
                    "took the route over from another hub"
                );
            }
            Some(other) => {
                return Err(refused(format!(
                    "route table {route_table_id} now routes {destination} to {other}, not to \
                     {from} as planned; plan again"
                )));
            }
        }
        self.record(Effect::VpcRoute {
            route_table_id,
            destination,
            transit_gateway_id: tgw_id,
        });
        Ok(())
    }

    pub(super) async fn delete_vpc_route(
        &self,
        route_table_id: String,
        destination: String,
    ) -> Result<(), OpError> {
        let aws = self.aws();
        aws.delete_vpc_route(&route_table_id, &destination).await?;
        self.record(Effect::VpcRouteDeleted {
            route_table_id,
            destination,
        });
        Ok(())
    }
}
