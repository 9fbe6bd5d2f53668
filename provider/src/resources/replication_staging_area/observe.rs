//! What exists of a staging area: its objects found by their ownership tags (the VPC id as
//! `migration:owner`, this type as `migration:managed-by`), and the staging subnet's route
//! table. Crash safety: the security group is the first object a create makes, marked
//! unconfirmed with the staging area's fingerprint.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{MANAGED_BY, fingerprint};
use crate::aws::call::Aws;
use crate::aws::ec2::nat_gateway::{ElasticIp, NatGateway};
use crate::aws::ec2::route_table::RouteTable;
use crate::aws::ec2::security_group::SecurityGroup;
use crate::aws::ec2::vpc_endpoint::VpcEndpoint;
use crate::aws::mgn::ReplicationTemplate;
use crate::aws::retry::OpError;
use crate::framework::resource::{Leftovers, Observed};
use crate::framework::tags::{MANAGED_BY_TAG, OWNER_TAG, UNCONFIRMED_TAG};

/// What to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Scope {
    /// The staging VPC (empty right after an import: learnt from the template's owner tag).
    pub vpc_id: String,
    pub staging_subnet_id: String,
    pub additional_staging_subnet_ids: BTreeSet<String>,
    /// The NAT subnets (empty right after an import: learnt from the NAT gateways).
    pub nat_subnet_ids: BTreeSet<String>,
    /// Whether the NAT subnets are `nat_subnet_ids` (one NAT gateway per zone).
    pub per_zone: bool,
    /// The template of the state (an import knows only this).
    pub template_id: Option<String>,
}

/// The staging area as AWS holds it: the observation, and an apply's progress record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Area {
    pub vpc_id: String,
    pub staging_subnet_id: String,
    pub additional_staging_subnet_ids: BTreeSet<String>,
    pub nat_subnet_ids: BTreeSet<String>,
    pub per_zone: bool,
    pub security_group: Option<SecurityGroup>,
    /// The Elastic IPs, held by a NAT gateway or not (yet, or any more).
    pub elastic_ips: Vec<ElasticIp>,
    /// The NAT gateways, unless deleted or failed.
    pub nats: Vec<NatGateway>,
    /// The staging subnets' route tables, by staging subnet (not the staging area's: only
    /// their default routes are).
    pub route_tables: BTreeMap<String, RouteTable>,
    /// The zone (id) of each staging and NAT subnet, by subnet.
    pub zones: BTreeMap<String, String>,
    /// Private mode's VPC endpoints, unless deleted.
    pub endpoints: Vec<VpcEndpoint>,
    pub template: Option<ReplicationTemplate>,
}

impl Area {
    /// Whether none of the staging area's own objects exist.
    pub(crate) fn is_empty(&self) -> bool {
        self.security_group.is_none()
            && self.elastic_ips.is_empty()
            && self.nats.is_empty()
            && self.template.is_none()
            && self.endpoints.is_empty()
    }

    /// The NAT subnet whose NAT gateway `staging` (a staging subnet) leaves through: the one
    /// shared, or the one of its zone.
    pub(crate) fn nat_subnet_for(&self, staging: &str) -> Option<&String> {
        if !self.per_zone {
            return self.nat_subnet_ids.iter().next();
        }
        let zone = self.zones.get(staging)?;
        self.nat_subnet_ids
            .iter()
            .find(|n| self.zones.get(*n) == Some(zone))
    }

    /// Whether the default route of `staging` goes to the live NAT gateway it should.
    pub(crate) fn routed_right(&self, staging: &str) -> bool {
        self.routed_nat(staging)
            .is_some_and(|n| Some(&n.subnet_id) == self.nat_subnet_for(staging))
    }

    /// The live NAT gateway in `subnet`, if any.
    pub(crate) fn nat_in(&self, subnet: &str) -> Option<&NatGateway> {
        self.nats.iter().find(|n| n.subnet_id == subnet && n.live())
    }

    /// The default route of the route table of `staging` (a staging subnet): (target, state).
    pub(crate) fn default_route(&self, staging: &str) -> Option<(&str, &str)> {
        self.route_tables.get(staging).and_then(|t| {
            t.routes
                .iter()
                .find(|r| r.destination == "0.0.0.0/0")
                .map(|r| (r.target.as_str(), r.state.as_str()))
        })
    }

    /// The live NAT gateway the default route of `staging` goes to, if it goes to one of this
    /// staging area's.
    pub(crate) fn routed_nat(&self, staging: &str) -> Option<&NatGateway> {
        let (target, _) = self.default_route(staging)?;
        self.nats.iter().find(|n| n.id == target && n.live())
    }

    /// Whether the default route of `staging` goes to one of this staging area's NAT
    /// gateways (live or not).
    pub(crate) fn routed_to_ours(&self, staging: &str) -> bool {
        self.default_route(staging)
            .is_some_and(|(target, _)| self.nats.iter().any(|n| n.id == target))
    }

    /// The Elastic IP `nat` holds, if it is one of this staging area's.
    pub(crate) fn address_of(&self, nat: &NatGateway) -> Option<&ElasticIp> {
        self.elastic_ips
            .iter()
            .find(|a| nat.allocation_ids.contains(&a.allocation_id))
    }

    /// An Elastic IP no NAT gateway of the record holds: one a new NAT gateway can take.
    pub(crate) fn free_address(&self) -> Option<&ElasticIp> {
        self.elastic_ips.iter().find(|a| {
            !self
                .nats
                .iter()
                .any(|n| n.allocation_ids.contains(&a.allocation_id))
        })
    }
}

/// The route table of each of `subnets` that has one of its own, by subnet (a subnet using
/// its VPC's main table is absent). One read per subnet: a staging area has a handful.
pub(crate) async fn tables_of(
    aws: &Aws<'_>,
    subnets: &BTreeSet<String>,
) -> Result<BTreeMap<String, RouteTable>, OpError> {
    let mut tables = BTreeMap::new();
    for subnet in subnets {
        if let Some(table) = aws
            .route_tables_of_subnets(&BTreeSet::from([subnet.clone()]))
            .await?
            .into_values()
            .next()
        {
            tables.insert(subnet.clone(), table);
        }
    }
    Ok(tables)
}

fn ours(tags: &std::collections::BTreeMap<String, String>) -> bool {
    tags.get(MANAGED_BY_TAG).map(String::as_str) == Some(MANAGED_BY)
}

/// Reads the staging area of `scope`; `Gone` when none of its objects exist.
pub(crate) async fn area(aws: &Aws<'_>, scope: &Scope) -> Result<Observed<Area>, OpError> {
    let mut scope = scope.clone();
    let templates = aws.replication_templates().await?;
    if scope.vpc_id.is_empty() {
        // An import: the template names the VPC (owner tag) and the staging subnet.
        let Some(template) = templates
            .iter()
            .find(|t| Some(&t.id) == scope.template_id.as_ref())
        else {
            return Ok(Observed::Gone);
        };
        scope.vpc_id = template.tags.get(OWNER_TAG).cloned().unwrap_or_default();
        scope.staging_subnet_id = template.settings.staging_area_subnet_id.clone();
        if scope.vpc_id.is_empty() || !ours(&template.tags) {
            return Err(OpError::Refused(format!(
                "the replication configuration template {} was not made by a \
                 migration_replication_staging_area (it has no {MANAGED_BY_TAG} tag naming \
                 one), so there is no staging area to import",
                template.id
            )));
        }
    }
    let area = surroundings(aws, &scope, templates).await?;
    if area.is_empty() {
        return Ok(Observed::Gone);
    }
    Ok(Observed::Found(area))
}

/// The staging area's objects in the VPC of `scope`, from `templates` (every template of the
/// account) and reads of the rest.
async fn surroundings(
    aws: &Aws<'_>,
    scope: &Scope,
    templates: Vec<ReplicationTemplate>,
) -> Result<Area, OpError> {
    let owner = scope.vpc_id.as_str();
    let security_group = aws
        .security_groups_tagged(OWNER_TAG, owner)
        .await?
        .into_iter()
        .find(|g| ours(&g.tags) && g.vpc_id == owner);
    let elastic_ips = aws
        .elastic_ips_tagged(OWNER_TAG, owner)
        .await?
        .into_iter()
        .filter(|a| ours(&a.tags))
        .collect();
    let nats: Vec<NatGateway> = aws
        .nat_gateways_tagged(OWNER_TAG, owner)
        .await?
        .into_iter()
        .filter(|n| ours(&n.tags) && !matches!(n.state.as_str(), "deleted" | "failed"))
        .collect();
    let endpoints = aws
        .vpc_endpoints_tagged(OWNER_TAG, owner)
        .await?
        .into_iter()
        .filter(|e| ours(&e.tags) && !matches!(e.state.as_str(), "deleted" | "failed"))
        .collect();
    let mut staging: BTreeSet<String> = scope.additional_staging_subnet_ids.clone();
    if !scope.staging_subnet_id.is_empty() {
        staging.insert(scope.staging_subnet_id.clone());
    }
    let route_tables = tables_of(aws, &staging).await?;
    let template = templates
        .into_iter()
        .find(|t| ours(&t.tags) && t.tags.get(OWNER_TAG).map(String::as_str) == Some(owner));
    // Right after an import the NAT gateways name their subnets.
    let (nat_subnet_ids, per_zone) = if scope.nat_subnet_ids.is_empty() {
        let found: BTreeSet<String> = nats
            .iter()
            .filter(|n| n.live())
            .map(|n| n.subnet_id.clone())
            .collect();
        let per_zone = found.len() > 1;
        (found, per_zone)
    } else {
        (scope.nat_subnet_ids.clone(), scope.per_zone)
    };
    let zones = if per_zone {
        let subnets: BTreeSet<String> = staging.union(&nat_subnet_ids).cloned().collect();
        aws.subnets(&subnets)
            .await?
            .into_iter()
            .map(|(id, s)| (id, s.zone_id().to_string()))
            .collect()
    } else {
        BTreeMap::new()
    };
    Ok(Area {
        zones,
        vpc_id: scope.vpc_id.clone(),
        staging_subnet_id: scope.staging_subnet_id.clone(),
        additional_staging_subnet_ids: scope.additional_staging_subnet_ids.clone(),
        nat_subnet_ids,
        per_zone,
        security_group,
        elastic_ips,
        nats,
        route_tables,
        endpoints,
        template,
    })
}

/// The live NAT gateways of the staging area of `vpc_id`: a default route to one is the
/// staging area's own, whichever state holds it (a create adopting what an interrupted apply
/// made, or refused because another state holds it, says so itself).
pub(crate) async fn own_nats(aws: &Aws<'_>, vpc_id: &str) -> Result<BTreeSet<String>, OpError> {
    Ok(aws
        .nat_gateways_tagged(OWNER_TAG, vpc_id)
        .await?
        .into_iter()
        .filter(|n| ours(&n.tags) && n.live())
        .map(|n| n.id)
        .collect())
}

/// What a create starts from: whatever of the staging area exists (nothing, normally), and the
/// staging subnet's route table.
pub(crate) async fn missing(aws: &Aws<'_>, scope: &Scope) -> Result<Area, OpError> {
    let templates = aws.replication_templates().await?;
    surroundings(aws, scope, templates).await
}

/// Crash safety: the staging area an interrupted create of this configuration made (its
/// security group carries this VPC's fingerprint, unconfirmed), which a create adopts. A
/// staging area of the VPC that is confirmed (another resource's) is refused: one per VPC.
pub(crate) async fn leftovers(aws: &Aws<'_>, scope: &Scope) -> Result<Leftovers<Scope>, OpError> {
    let found = aws
        .security_groups_tagged(OWNER_TAG, &scope.vpc_id)
        .await?
        .into_iter()
        .find(|g| ours(&g.tags));
    let Some(group) = found else {
        let template = aws
            .replication_templates()
            .await?
            .into_iter()
            .find(|t| ours(&t.tags) && t.tags.get(OWNER_TAG) == Some(&scope.vpc_id));
        return match template {
            Some(template) => Err(refuse_existing(&scope.vpc_id, &template.id)),
            None => Ok(Leftovers::default()),
        };
    };
    if group.tags.get(UNCONFIRMED_TAG) != Some(&fingerprint(&scope.vpc_id)) {
        return Err(refuse_existing(&scope.vpc_id, &group.id));
    }
    Ok(Leftovers {
        adopt: Some((
            scope.clone(),
            format!(
                "the staging area of {} (security group {})",
                scope.vpc_id, group.id
            ),
        )),
        not_adopted: Vec::new(),
    })
}

/// Why a create cannot make a staging area in a VPC that already has one.
pub(crate) fn refuse_existing(vpc_id: &str, object: &str) -> OpError {
    OpError::Refused(format!(
        "{vpc_id} already has a staging area ({object}, managed by another \
         migration_replication_staging_area whose state holds it); there is one per VPC, since \
         the staging subnet's default route leads to one NAT gateway. Import it into this \
         resource (terraform import <address> <its rct-… template id>) or destroy the other \
         one. A replacement under `create_before_destroy` cannot build its staging area beside \
         the old one: replace it without `create_before_destroy` (the old one is destroyed \
         first, and replication pauses until the new one is up)."
    ))
}

/// Removes the unconfirmed marker from the security group a read found for a saved state.
pub(crate) async fn confirm(aws: &Aws<'_>, area: &Area) -> Result<(), OpError> {
    match &area.security_group {
        Some(g) if g.tags.contains_key(UNCONFIRMED_TAG) => {
            tracing::info!(
                security_group = g.id.as_str(),
                "confirmed: the state holds it"
            );
            aws.delete_tags(&g.id, &BTreeSet::from([UNCONFIRMED_TAG.to_string()]))
                .await
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nat(id: &str, subnet: &str) -> NatGateway {
        NatGateway {
            id: id.into(),
            subnet_id: subnet.into(),
            vpc_id: "vpc-1".into(),
            state: "available".into(),
            allocation_ids: vec![format!("eipalloc-{id}")],
            tags: Default::default(),
        }
    }

    fn table(id: &str, target: &str) -> RouteTable {
        RouteTable {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            routes: vec![crate::aws::ec2::route_table::VpcRoute {
                destination: "0.0.0.0/0".into(),
                target: target.into(),
                state: "active".into(),
            }],
        }
    }

    #[test]
    fn each_staging_subnet_should_leave_through_its_zones_nat_gateway_or_the_shared_one() {
        let zone = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(s, z)| (s.to_string(), z.to_string()))
                .collect()
        };
        let mut area = Area {
            staging_subnet_id: "subnet-s".into(),
            additional_staging_subnet_ids: BTreeSet::from(["subnet-t".to_string()]),
            nat_subnet_ids: BTreeSet::from(["subnet-p".to_string(), "subnet-q".to_string()]),
            per_zone: true,
            zones: zone(&[
                ("subnet-s", "az1"),
                ("subnet-p", "az1"),
                ("subnet-t", "az2"),
                ("subnet-q", "az2"),
            ]),
            nats: vec![nat("nat-1", "subnet-p"), nat("nat-2", "subnet-q")],
            route_tables: BTreeMap::from([
                ("subnet-s".to_string(), table("rtb-s", "nat-1")),
                ("subnet-t".to_string(), table("rtb-t", "nat-1")),
            ]),
            ..Area::default()
        };
        assert_eq!(
            area.nat_subnet_for("subnet-t").map(String::as_str),
            Some("subnet-q")
        );
        assert!(area.routed_right("subnet-s"));
        // Zone b's table sends it to zone a's NAT gateway: ours, but not the right one.
        assert!(area.routed_to_ours("subnet-t"));
        assert!(!area.routed_right("subnet-t"));
        // Shared: the one NAT gateway is right for every staging subnet.
        area.per_zone = false;
        area.nat_subnet_ids = BTreeSet::from(["subnet-p".to_string()]);
        area.nats.truncate(1);
        assert!(area.routed_right("subnet-t"));
    }
}
