//! What the spoke account sees of its spoke: the shared Transit Gateway (once visible), the
//! attachment, the VPC and its subnets, and the route tables. Reads only what the spoke
//! account can read: the hub's side (its route tables, whether it propagates the spoke) is the
//! hub's business.
//!
//! RAM invitations are not read here: a refresh must not depend on them (RAM purges them after
//! 7 days, and a refresh that looks for one then wastes minutes, terraform-provider-aws
//! #20894), nor need the permission to list them.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Config, MANAGED_BY};
use super::ownership::{left_by_an_interrupted_create, made_by_a_spoke};
use super::state::Stored;
use crate::aws::call::Aws;
use crate::aws::ec2::attachment::VpcAttachment;
use crate::aws::ec2::route_table::RouteTable;
use crate::aws::ec2::subnet::Subnet;
use crate::aws::ec2::transit_gateway::TransitGateway;
use crate::aws::ec2::vpc::Vpc;
use crate::aws::retry::OpError;
use crate::framework::resource::{Leftovers, Observed};
use crate::framework::tags::{MANAGED_BY_TAG, UNCONFIRMED_TAG};
use crate::framework::typed::Maybe;

/// What to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Scope {
    /// The attachment of the state (empty on a create).
    pub attachment_id: String,
    /// Known from the state or the configuration; an import learns them from the attachment.
    pub tgw_id: String,
    pub vpc_id: String,
    /// Route tables whose routes to the gateway are the spoke's: configured and in the state.
    pub route_tables: BTreeSet<String>,
    /// Right after an import: the route tables are those of the VPC that route to the gateway.
    pub discover: bool,
    /// The instance's ownership token, from its private data.
    pub owner_token: Option<String>,
}

/// The spoke as the spoke account sees it: the observation, and the progress record of an
/// apply (each operation updates it as AWS confirms).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Spoke {
    pub tgw_id: String,
    pub vpc_id: String,
    /// The Transit Gateway, once shared with and visible to this account.
    pub tgw: Option<TransitGateway>,
    /// The invitation this spoke accepted (kept from the state: never read again).
    pub invitation: Option<String>,
    pub vpc: Option<Vpc>,
    /// Every subnet of the VPC.
    pub subnets: BTreeMap<String, Subnet>,
    pub attachment: Option<VpcAttachment>,
    /// The route tables in scope, with all their routes.
    pub tables: BTreeMap<String, RouteTable>,
    /// The instance's ownership token (from the scope).
    pub owner_token: Option<String>,
    /// An existing instance whose attachment another instance owns now: it leaves everything.
    pub leaving: bool,
}

impl Spoke {
    /// Routes to the gateway, by table then destination, valued with the target.
    pub(crate) fn routes(&self) -> BTreeMap<String, BTreeMap<String, String>> {
        self.tables
            .iter()
            .map(|(id, table)| {
                let ours = table
                    .routes
                    .iter()
                    .filter(|r| r.target == self.tgw_id)
                    .map(|r| (r.destination.clone(), r.target.clone()))
                    .collect::<BTreeMap<_, _>>();
                (id.clone(), ours)
            })
            .filter(|(_, routes)| !routes.is_empty())
            .collect()
    }

    /// The Availability Zone ids of the attachment's subnets.
    pub(crate) fn zone_ids(&self) -> BTreeSet<String> {
        self.attachment
            .iter()
            .flat_map(|a| a.subnet_ids.iter())
            .filter_map(|id| self.subnets.get(id))
            .map(|s| s.zone_id().to_string())
            .collect()
    }
}

/// Reads the spoke of `scope`; `Gone` when its attachment no longer exists (deleted, or
/// rejected by the hub).
pub(crate) async fn spoke(
    aws: &Aws<'_>,
    scope: &Scope,
    invitation: Option<String>,
) -> Result<Observed<Spoke>, OpError> {
    let Some(attachment) = aws
        .vpc_attachments_by_id(std::slice::from_ref(&scope.attachment_id))
        .await?
        .into_iter()
        .next()
    else {
        return Ok(Observed::Gone);
    };
    let mut scope = scope.clone();
    scope.tgw_id = attachment.transit_gateway_id.clone();
    scope.vpc_id = attachment.vpc_id.clone();
    let mut spoke = surroundings(aws, &scope).await?;
    spoke.attachment = Some(attachment);
    spoke.invitation = invitation;
    Ok(Observed::Found(spoke))
}

/// Everything but the attachment: what a create starts from.
pub(crate) async fn surroundings(aws: &Aws<'_>, scope: &Scope) -> Result<Spoke, OpError> {
    let tgw = aws.find_transit_gateway(&scope.tgw_id).await?;
    let vpc = aws
        .vpcs(&BTreeSet::from([scope.vpc_id.clone()]))
        .await?
        .remove(&scope.vpc_id);
    let subnets = aws.subnets_of_vpc(&scope.vpc_id).await?;
    let tables = if scope.discover {
        aws.route_tables_to(&BTreeSet::from([scope.vpc_id.clone()]), &scope.tgw_id)
            .await?
    } else {
        aws.route_tables(&scope.route_tables).await?
    };
    Ok(Spoke {
        tgw_id: scope.tgw_id.clone(),
        vpc_id: scope.vpc_id.clone(),
        tgw,
        invitation: None,
        vpc,
        subnets,
        attachment: None,
        tables,
        owner_token: scope.owner_token.clone(),
        leaving: false,
    })
}

/// [`surroundings`], starting from `earlier`: what a read moments ago in this process found
/// (the refresh before a plan, the plan before an apply; see `framework::recent` for when it
/// may be used). It is used when it is of the same gateway and VPC; only the route tables of
/// `scope` it does not hold are read. Without it, or for another gateway or VPC, everything is
/// read. The attachment is never taken from it: what uses this reads the surroundings.
pub(crate) async fn surroundings_from(
    aws: &Aws<'_>,
    scope: &Scope,
    earlier: Option<&Spoke>,
) -> Result<Spoke, OpError> {
    let Some(earlier) =
        earlier.filter(|e| e.tgw_id == scope.tgw_id && e.vpc_id == scope.vpc_id && !scope.discover)
    else {
        return surroundings(aws, scope).await;
    };
    let mut tables: BTreeMap<String, RouteTable> = earlier
        .tables
        .iter()
        .filter(|(id, _)| scope.route_tables.contains(*id))
        .map(|(id, table)| (id.clone(), table.clone()))
        .collect();
    let unread: BTreeSet<String> = scope
        .route_tables
        .iter()
        .filter(|id| !tables.contains_key(*id))
        .cloned()
        .collect();
    if !unread.is_empty() {
        tables.extend(aws.route_tables(&unread).await?);
    }
    Ok(Spoke {
        tgw_id: scope.tgw_id.clone(),
        vpc_id: scope.vpc_id.clone(),
        tgw: earlier.tgw.clone(),
        invitation: None,
        vpc: earlier.vpc.clone(),
        subnets: earlier.subnets.clone(),
        attachment: None,
        tables,
        owner_token: scope.owner_token.clone(),
        leaving: false,
    })
}

/// The attachment of the VPC to the gateway that already exists, if any (AWS allows one).
pub(crate) async fn existing_attachment(
    aws: &Aws<'_>,
    tgw_id: &str,
    vpc_id: &str,
) -> Result<Option<VpcAttachment>, OpError> {
    Ok(aws
        .vpc_attachments_of_vpc(vpc_id)
        .await?
        .into_iter()
        .find(|a| a.transit_gateway_id == tgw_id))
}

/// Crash safety: the attachment an interrupted create of this spoke made (its unconfirmed
/// marker carries this spoke's fingerprint), which a create adopts. The attachment is the
/// spoke's root object: its routes are found by their target and the share acceptance by the
/// gateway being visible.
///
/// An attachment of the VPC to the gateway that no spoke made is refused ([`refuse_existing`]):
/// AWS allows one. Another spoke's is left to the create's own read, which starts from it, and
/// to the ownership check ([`super::ownership`]), which refuses it unless `take_over` is set.
pub(crate) async fn leftovers(aws: &Aws<'_>, scope: &Scope) -> Result<Leftovers<Scope>, OpError> {
    let Some(found) = existing_attachment(aws, &scope.tgw_id, &scope.vpc_id).await? else {
        return Ok(Leftovers::default());
    };
    if !made_by_a_spoke(&found) {
        return Err(refuse_existing(&found, scope));
    }
    // Another spoke's: the create starts from it and the ownership check decides.
    if !left_by_an_interrupted_create(&found) {
        return Ok(Leftovers::default());
    }
    let name = format!(
        "the Transit Gateway attachment {} of {} to {}",
        found.id, scope.vpc_id, scope.tgw_id
    );
    Ok(Leftovers {
        adopt: Some((
            Scope {
                attachment_id: found.id,
                ..scope.clone()
            },
            name,
        )),
        not_adopted: Vec::new(),
    })
}

/// Why a spoke cannot attach a VPC that already has an attachment to the gateway it did not
/// make: another spoke's, or one made outside this provider.
pub(crate) fn refuse_existing(existing: &VpcAttachment, scope: &Scope) -> OpError {
    let whose = match existing.tags.get(MANAGED_BY_TAG) {
        Some(managed_by) if managed_by == MANAGED_BY => {
            "another migration_hub_spoke (its state holds it)".to_string()
        }
        _ => "something else than this provider".to_string(),
    };
    OpError::Refused(format!(
        "{} is already attached to {} by {} ({}, managed by {whose}); AWS allows one \
         attachment per VPC and gateway. Import it into this resource (terraform import \
         <address> {}) or remove the other one.",
        scope.vpc_id, scope.tgw_id, existing.id, existing.state, existing.id
    ))
}

/// At plan, the attachment whose owner the ownership check looks at: an existing spoke's own
/// (from the refresh moments ago, else read), or the one a create would start from (the VPC's
/// attachment to the gateway, if any).
pub(crate) async fn attachment_to_own(
    aws: &Aws<'_>,
    config: &Config,
    prior: Option<&Stored>,
    refreshed: Option<&Spoke>,
) -> Result<Option<VpcAttachment>, OpError> {
    if let Some(prior) = prior {
        if let Some(attachment) = refreshed.and_then(|spoke| spoke.attachment.clone()) {
            return Ok(Some(attachment));
        }
        return match prior.id.as_ref() {
            Some(id) => Ok(aws
                .vpc_attachments_by_id(std::slice::from_ref(id))
                .await?
                .into_iter()
                .next()),
            None => Ok(None),
        };
    }
    match (&config.transit_gateway_id, &config.vpc_id) {
        (Maybe::Known(tgw_id), Maybe::Known(vpc_id)) => {
            existing_attachment(aws, tgw_id, vpc_id).await
        }
        _ => Ok(None),
    }
}

/// Removes the unconfirmed marker from the attachment a read found for a saved state.
pub(crate) async fn confirm(aws: &Aws<'_>, spoke: &Spoke) -> Result<(), OpError> {
    match &spoke.attachment {
        Some(a) if a.tags.contains_key(UNCONFIRMED_TAG) => {
            tracing::info!(attachment = a.id.as_str(), "confirmed: the state holds it");
            aws.delete_tags(&a.id, &BTreeSet::from([UNCONFIRMED_TAG.to_string()]))
                .await
        }
        _ => Ok(()),
    }
}
