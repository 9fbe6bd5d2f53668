//! What exists of a staging area: its objects found by their ownership tags (the VPC id as
//! `migration:owner`, this type as `migration:managed-by`), and the staging subnet's route
//! table. Crash safety: the security group is the first object a create makes, marked
//! unconfirmed with the staging area's fingerprint.

use std::collections::BTreeSet;

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
    pub nat_subnet_id: String,
    /// The template of the state (an import knows only this).
    pub template_id: Option<String>,
}

/// The staging area as AWS holds it: the observation, and an apply's progress record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Area {
    pub vpc_id: String,
    pub staging_subnet_id: String,
    pub nat_subnet_id: String,
    pub security_group: Option<SecurityGroup>,
    pub elastic_ip: Option<ElasticIp>,
    /// The NAT gateway, unless deleted or failed.
    pub nat: Option<NatGateway>,
    /// The staging subnet's route table (not the staging area's: only its default route is).
    pub route_table: Option<RouteTable>,
    /// Private mode's VPC endpoints, unless deleted.
    pub endpoints: Vec<VpcEndpoint>,
    pub template: Option<ReplicationTemplate>,
}

impl Area {
    /// Whether none of the staging area's own objects exist.
    pub(crate) fn is_empty(&self) -> bool {
        self.security_group.is_none()
            && self.elastic_ip.is_none()
            && self.nat.is_none()
            && self.template.is_none()
            && self.endpoints.is_empty()
    }

    /// The default route of the staging subnet's table: (target, state).
    pub(crate) fn default_route(&self) -> Option<(&str, &str)> {
        self.route_table.as_ref().and_then(|t| {
            t.routes
                .iter()
                .find(|r| r.destination == "0.0.0.0/0")
                .map(|r| (r.target.as_str(), r.state.as_str()))
        })
    }

    /// Whether the staging subnet's default route goes to this staging area's NAT gateway.
    pub(crate) fn routed_to_nat(&self) -> bool {
        match (&self.nat, self.default_route()) {
            (Some(nat), Some((target, _))) => target == nat.id,
            _ => false,
        }
    }
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
    let elastic_ip = aws
        .elastic_ips_tagged(OWNER_TAG, owner)
        .await?
        .into_iter()
        .find(|a| ours(&a.tags));
    let nat = aws
        .nat_gateways_tagged(OWNER_TAG, owner)
        .await?
        .into_iter()
        .filter(|n| ours(&n.tags) && !matches!(n.state.as_str(), "deleted" | "failed"))
        .min_by_key(|n| !n.live());
    let endpoints = aws
        .vpc_endpoints_tagged(OWNER_TAG, owner)
        .await?
        .into_iter()
        .filter(|e| ours(&e.tags) && !matches!(e.state.as_str(), "deleted" | "failed"))
        .collect();
    let route_table = if scope.staging_subnet_id.is_empty() {
        None
    } else {
        aws.route_tables_of_subnets(&BTreeSet::from([scope.staging_subnet_id.clone()]))
            .await?
            .into_values()
            .next()
    };
    let template = templates
        .into_iter()
        .find(|t| ours(&t.tags) && t.tags.get(OWNER_TAG).map(String::as_str) == Some(owner));
    let nat_subnet_id = match (&nat, scope.nat_subnet_id.is_empty()) {
        (Some(nat), true) => nat.subnet_id.clone(),
        _ => scope.nat_subnet_id.clone(),
    };
    Ok(Area {
        vpc_id: scope.vpc_id.clone(),
        staging_subnet_id: scope.staging_subnet_id.clone(),
        nat_subnet_id,
        security_group,
        elastic_ip,
        nat,
        route_table,
        endpoints,
        template,
    })
}

/// The NAT gateway of the staging area of `vpc_id`, if it has a live one: a default route to it
/// is the staging area's own, whichever state holds it (a create adopting what an interrupted
/// apply made, or refused because another state holds it, says so itself).
pub(crate) async fn own_nat(aws: &Aws<'_>, vpc_id: &str) -> Result<Option<String>, OpError> {
    Ok(aws
        .nat_gateways_tagged(OWNER_TAG, vpc_id)
        .await?
        .into_iter()
        .find(|n| ours(&n.tags) && n.live())
        .map(|n| n.id))
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
