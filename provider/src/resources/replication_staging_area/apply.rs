//! Runs a staging area's operations one after another (a handful: one group, one address, one
//! NAT gateway, one route, one template), recording each change in the record as AWS confirms
//! it, so that a failed or stopped apply returns what it made.

use super::observe::Area;
use super::plan::{Kind, Op};
use crate::aws::ec2::route_table::VpcRoute;
use crate::aws::ec2::vpc_endpoint::EndpointSpec;
use crate::aws::retry::OpError;
use crate::aws::waiter::{poll, wait_until};
use crate::engine::OperationPlan;
use crate::framework::context::Ctx;
use crate::framework::resource::Outcome;

/// The security group's name: one staging area per VPC, so the VPC names it.
fn group_name(vpc_id: &str) -> String {
    format!("migration-replication-servers-{vpc_id}")
}

/// Runs `plan` in order; the first failure stops it.
pub(crate) async fn run(ctx: &Ctx, mut record: Area, plan: OperationPlan<Op>) -> Outcome<Area, Op> {
    let ops: Vec<Op> = plan.operations().cloned().collect();
    let total = ops.len();
    let mut failures = Vec::new();
    let mut done = 0;
    for op in ops {
        done += 1;
        if ctx.budget.cancel.is_cancelled() {
            failures.push((op, OpError::Cancelled));
            break;
        }
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

fn missing(what: &str) -> OpError {
    OpError::Refused(format!("the staging area has no {what} yet"))
}

async fn perform(ctx: &Ctx, record: &mut Area, op: &Op) -> Result<(), OpError> {
    let aws = ctx.aws();
    match op {
        Op::CreateSecurityGroup { tags } => {
            let group = aws
                .create_security_group(
                    &record.vpc_id,
                    &group_name(&record.vpc_id),
                    "MGN replication servers: TCP 1500 from the source networks, 443 out",
                    tags,
                )
                .await?;
            tracing::info!(security_group = group.id.as_str(), "security group created");
            record.security_group = Some(group);
            Ok(())
        }
        Op::SetRules {
            authorize_ingress,
            revoke_ingress,
            authorize_egress,
            revoke_egress,
        } => {
            let group = record
                .security_group
                .as_mut()
                .ok_or_else(|| missing("security group"))?;
            aws.authorize_rules(&group.id, true, authorize_ingress)
                .await?;
            group.ingress.extend(authorize_ingress.iter().cloned());
            aws.authorize_rules(&group.id, false, authorize_egress)
                .await?;
            group.egress.extend(authorize_egress.iter().cloned());
            aws.revoke_rules(&group.id, true, revoke_ingress).await?;
            group.ingress.retain(|r| !revoke_ingress.contains(r));
            aws.revoke_rules(&group.id, false, revoke_egress).await?;
            group.egress.retain(|r| !revoke_egress.contains(r));
            Ok(())
        }
        Op::AllocateElasticIp { tags } => {
            let address = aws.allocate_elastic_ip(tags).await?;
            tracing::info!(
                allocation = address.allocation_id.as_str(),
                "Elastic IP allocated"
            );
            record.elastic_ips.push(address);
            Ok(())
        }
        Op::CreateNatGateway { subnet, tags } => {
            let allocation = record
                .free_address()
                .ok_or_else(|| missing("free Elastic IP"))?
                .allocation_id
                .clone();
            // One token per create, the same for each of its retries: a retry whose answer
            // was lost gets the first gateway back, while a later create (the first one
            // deleted out of band) makes a new one.
            let token = format!("{}-{:016x}", record.vpc_id, fastrand::u64(..));
            let nat = aws
                .create_nat_gateway(subnet, &allocation, tags, &token)
                .await?;
            tracing::info!(nat_gateway = nat.id.as_str(), "NAT gateway created");
            record.nats.push(nat);
            Ok(())
        }
        Op::AwaitNatGateway { subnet } => {
            let id = record
                .nat_in(subnet)
                .ok_or_else(|| missing("NAT gateway"))?
                .id
                .clone();
            let nat = wait_until(
                &ctx.budget,
                &format!("NAT gateway {id} to be available"),
                || async { poll(aws.nat_gateway_available(&id).await) },
            )
            .await?;
            if let Some(n) = record.nats.iter_mut().find(|n| n.id == id) {
                *n = nat;
            }
            Ok(())
        }
        Op::DeleteDefaultRoute { table } => {
            aws.delete_vpc_route(table, "0.0.0.0/0").await?;
            for t in record.route_tables.values_mut().filter(|t| &t.id == table) {
                t.routes.retain(|r| r.destination != "0.0.0.0/0");
            }
            Ok(())
        }
        Op::CreateDefaultRoute { table, nat_subnet } => {
            let nat = record
                .nat_in(nat_subnet)
                .ok_or_else(|| missing("NAT gateway"))?
                .id
                .clone();
            aws.create_nat_route(table, "0.0.0.0/0", &nat).await?;
            for t in record.route_tables.values_mut().filter(|t| &t.id == table) {
                t.routes.push(VpcRoute {
                    destination: "0.0.0.0/0".into(),
                    target: nat.clone(),
                    state: "active".into(),
                });
                t.routes.sort();
            }
            Ok(())
        }
        Op::CreateTemplate { settings, tags } => {
            let mut settings = settings.clone();
            settings.security_group_ids =
                record.security_group.iter().map(|g| g.id.clone()).collect();
            let template = aws.create_replication_template(&settings, tags).await?;
            tracing::info!(
                template = template.id.as_str(),
                "replication template created"
            );
            record.template = Some(template);
            Ok(())
        }
        Op::UpdateTemplate { settings } => {
            let mut settings = settings.clone();
            settings.security_group_ids =
                record.security_group.iter().map(|g| g.id.clone()).collect();
            let template = record
                .template
                .as_mut()
                .ok_or_else(|| missing("template"))?;
            aws.update_replication_template(&template.id, &settings)
                .await?;
            template.settings = settings;
            Ok(())
        }
        Op::RetagTemplate { set, remove } => {
            let template = record
                .template
                .as_mut()
                .ok_or_else(|| missing("template"))?;
            aws.retag_replication_template(&template.arn, set, remove)
                .await?;
            template.tags.retain(|k, _| !remove.contains(k));
            template.tags.extend(set.clone());
            Ok(())
        }
        Op::Retag {
            kind,
            id,
            set,
            remove,
        } => {
            let tags = match kind {
                Kind::SecurityGroup => record
                    .security_group
                    .as_mut()
                    .filter(|g| &g.id == id)
                    .map(|g| &mut g.tags),
                Kind::ElasticIp => record
                    .elastic_ips
                    .iter_mut()
                    .find(|a| &a.allocation_id == id)
                    .map(|a| &mut a.tags),
                Kind::NatGateway => record
                    .nats
                    .iter_mut()
                    .find(|n| &n.id == id)
                    .map(|n| &mut n.tags),
            }
            .ok_or_else(|| missing("object to tag"))?;
            aws.create_tags(id, set).await?;
            aws.delete_tags(id, remove).await?;
            tags.retain(|k, _| !remove.contains(k));
            tags.extend(set.clone());
            Ok(())
        }
        Op::CreateEndpoint {
            service,
            interface,
            subnets,
            tags,
        } => {
            let groups: std::collections::BTreeSet<String> =
                record.security_group.iter().map(|g| g.id.clone()).collect();
            let tables: std::collections::BTreeSet<String> =
                record.route_tables.values().map(|t| t.id.clone()).collect();
            let token = format!("{}-{:016x}", record.vpc_id, fastrand::u64(..));
            let endpoint = aws
                .create_vpc_endpoint(
                    &EndpointSpec {
                        vpc_id: &record.vpc_id,
                        service_name: service,
                        interface: *interface,
                        subnet_ids: subnets,
                        security_group_ids: &groups,
                        route_table_ids: &tables,
                        tags,
                    },
                    &token,
                )
                .await?;
            tracing::info!(endpoint = endpoint.id.as_str(), "VPC endpoint created");
            record.endpoints.push(endpoint);
            Ok(())
        }
        Op::AwaitEndpoints => {
            for index in 0..record.endpoints.len() {
                let id = record.endpoints[index].id.clone();
                let endpoint = wait_until(
                    &ctx.budget,
                    &format!("VPC endpoint {id} to be available"),
                    || async { poll(aws.vpc_endpoint_available(&id).await) },
                )
                .await?;
                record.endpoints[index] = endpoint;
            }
            Ok(())
        }
        Op::DeleteEndpoints => {
            let ids: Vec<String> = record.endpoints.iter().map(|e| e.id.clone()).collect();
            for id in &ids {
                aws.delete_vpc_endpoint(id).await?;
            }
            for id in &ids {
                wait_until(
                    &ctx.budget,
                    &format!("VPC endpoint {id} to be deleted"),
                    || async { poll(aws.vpc_endpoint_deleted(id).await) },
                )
                .await?;
                record.endpoints.retain(|e| &e.id != id);
            }
            Ok(())
        }
        Op::DeleteTemplate => {
            let id = record
                .template
                .as_ref()
                .ok_or_else(|| missing("template"))?
                .id
                .clone();
            aws.delete_replication_template(&id).await?;
            record.template = None;
            Ok(())
        }
        Op::DeleteNatGateways { ids } => {
            for id in ids {
                aws.delete_nat_gateway(id).await?;
                if let Some(nat) = record.nats.iter_mut().find(|n| &n.id == id) {
                    nat.state = "deleting".into();
                }
            }
            for id in ids {
                wait_until(
                    &ctx.budget,
                    &format!("NAT gateway {id} to be deleted"),
                    || async { poll(aws.nat_gateway_deleted(id).await) },
                )
                .await?;
                record.nats.retain(|n| &n.id != id);
            }
            Ok(())
        }
        Op::ReleaseElasticIp { allocation_id } => {
            aws.release_elastic_ip(allocation_id).await?;
            record
                .elastic_ips
                .retain(|a| &a.allocation_id != allocation_id);
            Ok(())
        }
        Op::DeleteSecurityGroup => {
            let id = record
                .security_group
                .as_ref()
                .ok_or_else(|| missing("security group"))?
                .id
                .clone();
            aws.delete_security_group(&id).await?;
            record.security_group = None;
            Ok(())
        }
    }
}
