//! Client VPN endpoints: the endpoint, its target networks (associated subnets), its
//! authorization rules and routes, and the four rule and route mutations.
//!
//! The reads are paced, paginated and retried like every other call. The mutations are single
//! attempts with the SDK's own retries off: Client VPN allows 10 mutations in flight per
//! endpoint and paces them at its own rate, so whoever makes them (a per-endpoint scheduler)
//! paces, retries and waits for them itself.

use ipnet::Ipv4Net;

use super::state_text;
use crate::aws::Tags;
use crate::aws::call::{Aws, found};
use crate::aws::errors::AwsError;
use crate::aws::governor::Lane;
use crate::aws::pages::Page;
use crate::aws::retry::{OpError, RetryOn};
use crate::config::clients::AwsClients;

/// Largest page the Client VPN describe calls return.
const PAGE_SIZE: i32 = 1000;

/// The parts of an endpoint its rules and routes depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub id: String,
    pub client_cidr_block: String,
    /// The directory of its Active Directory authentication, if it uses one.
    pub directory_id: Option<String>,
    /// Authentication types, e.g. `directory-service-authentication`.
    pub authentication: Vec<String>,
    /// Set when the endpoint is attached to a Transit Gateway (routes then have no subnet).
    pub transit_gateway_id: Option<String>,
    /// The endpoint's `client-vpn` attachment to that Transit Gateway: what its routes go
    /// through, in place of a subnet.
    pub transit_gateway_attachment_id: Option<String>,
    /// `pending-associate`, `available`, …: a Transit Gateway endpoint is `pending` until its
    /// attachment is available.
    pub status: String,
    pub vpc_id: Option<String>,
    /// Its tags (the Client VPN resource keeps who owns each group's rules there).
    pub tags: Tags,
}

impl Endpoint {
    pub fn client_cidr(&self) -> Option<Ipv4Net> {
        aws_cidr(&self.client_cidr_block)
    }
}

/// An endpoint as a listing of every endpoint finds it: with what names it for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedEndpoint {
    pub endpoint: Endpoint,
    /// Its `Name` tag.
    pub name: Option<String>,
    pub description: Option<String>,
}

/// A target network: a subnet associated with the endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Association {
    pub subnet_id: String,
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// `None` for a rule that authorizes all groups.
    pub group_id: Option<String>,
    pub access_all: bool,
    pub destination_cidr: String,
    pub description: Option<String>,
    pub status: String,
    pub message: Option<String>,
}

impl Rule {
    /// The identity of a per-group IPv4 rule (`None` for all-groups rules).
    pub fn key(&self) -> Option<RuleKey> {
        if self.access_all {
            return None;
        }
        Some(RuleKey {
            sid: self.group_id.clone().filter(|g| !g.is_empty())?,
            cidr: aws_cidr(&self.destination_cidr)?,
        })
    }

    pub fn phase(&self) -> Phase {
        Phase::of(&self.status)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub destination_cidr: String,
    /// The subnet it goes through, or for an endpoint attached to a Transit Gateway, the
    /// endpoint's attachment ([`through_transit_gateway`]).
    pub subnet_id: String,
    /// `associate` (added by AWS when the subnet was associated) or `add-route`.
    pub origin: String,
    pub status: String,
    pub message: Option<String>,
}

/// Whether a route target is a Transit Gateway attachment rather than a subnet: such routes
/// are created and deleted without `TargetVpcSubnetId`.
pub(crate) fn through_transit_gateway(target: &str) -> bool {
    target.starts_with("tgw-attach-")
}

/// The origin of a route AWS added when a subnet was associated.
pub(crate) const ORIGIN_ASSOCIATE: &str = "associate";

impl Route {
    pub fn key(&self) -> Option<RouteKey> {
        Some(RouteKey {
            destination: aws_cidr(&self.destination_cidr)?,
            subnet_id: self.subnet_id.clone(),
        })
    }

    pub fn phase(&self) -> Phase {
        Phase::of(&self.status)
    }

    pub fn added_by_association(&self) -> bool {
        self.origin == ORIGIN_ASSOCIATE
    }
}

/// An authorization rule's identity on AWS: rules have no ID, and AWS refuses a second rule for
/// the same network and group.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleKey {
    /// The access group id: a SID for Active Directory groups.
    pub sid: String,
    pub cidr: Ipv4Net,
}

/// A route's identity on AWS: destination and target subnet.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteKey {
    pub destination: Ipv4Net,
    pub subnet_id: String,
}

/// Where a rule, route or association stands, from AWS's status codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// `authorizing`, `creating`, `associating`: a mutation in flight.
    Arriving,
    Active,
    Failed,
    /// `revoking`, `deleting`, `disassociating`: a mutation in flight.
    Leaving,
}

impl Phase {
    pub fn of(status: &str) -> Phase {
        match status {
            "authorizing" | "creating" | "associating" => Phase::Arriving,
            "failed" | "association-failed" => Phase::Failed,
            "revoking" | "deleting" | "disassociating" => Phase::Leaving,
            // `active`, `associated`, and anything AWS may add later that is not a transition.
            _ => Phase::Active,
        }
    }

    /// Whether the object counts against the endpoint's 10 concurrent mutations.
    pub fn in_flight(self) -> bool {
        matches!(self, Phase::Arriving | Phase::Leaving)
    }
}

/// Parses a CIDR AWS reported (AWS writes them canonically; host bits are dropped defensively).
fn aws_cidr(text: &str) -> Option<Ipv4Net> {
    text.parse::<Ipv4Net>().ok().map(|net| net.trunc())
}

impl Aws<'_> {
    /// The endpoint, or `None` when it does not exist.
    pub async fn client_vpn_endpoint(
        &self,
        endpoint_id: &str,
    ) -> Result<Option<Endpoint>, OpError> {
        let answer = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.ec2()
                    .describe_client_vpn_endpoints()
                    .client_vpn_endpoint_ids(endpoint_id)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeClientVpnEndpoints", e))
            })
            .await;
        let Some(answer) = found(answer, AwsError::is_not_found)? else {
            return Ok(None);
        };
        Ok(answer
            .client_vpn_endpoints()
            .iter()
            .find(|e| e.client_vpn_endpoint_id() == Some(endpoint_id))
            .map(endpoint_of))
    }

    /// Every Client VPN endpoint of the account and Region (`deleting` and `deleted` ones left
    /// out), with its name and description, in pages.
    pub async fn client_vpn_endpoints(&self) -> Result<Vec<ListedEndpoint>, OpError> {
        self.listing(|token| async move {
            let page = self
                .ec2()
                .describe_client_vpn_endpoints()
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeClientVpnEndpoints", e))?;
            let found = page
                .client_vpn_endpoints()
                .iter()
                .filter(|e| {
                    let state = state_text(e.status().and_then(|s| s.code()));
                    state != "deleting" && state != "deleted"
                })
                .map(|e| ListedEndpoint {
                    endpoint: endpoint_of(e),
                    name: e
                        .tags()
                        .iter()
                        .find(|t| t.key() == Some("Name"))
                        .and_then(|t| t.value())
                        .map(str::to_string),
                    description: e
                        .description()
                        .filter(|d| !d.is_empty())
                        .map(str::to_string),
                })
                .collect();
            Ok(Page::new(found, page.next_token()))
        })
        .await
    }

    /// The endpoint's target networks (its associated subnets, in any state).
    pub async fn client_vpn_target_networks(
        &self,
        endpoint_id: &str,
    ) -> Result<Vec<Association>, OpError> {
        self.listing(|token| async move {
            let page = self
                .ec2()
                .describe_client_vpn_target_networks()
                .client_vpn_endpoint_id(endpoint_id)
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeClientVpnTargetNetworks", e))?;
            let found = page
                .client_vpn_target_networks()
                .iter()
                .filter_map(|t| {
                    Some(Association {
                        subnet_id: t.target_network_id()?.to_string(),
                        status: state_text(t.status().and_then(|s| s.code())),
                    })
                })
                .collect();
            Ok(Page::new(found, page.next_token()))
        })
        .await
    }

    /// Every authorization rule of a Client VPN endpoint.
    pub async fn client_vpn_authorization_rules(
        &self,
        endpoint_id: &str,
    ) -> Result<Vec<Rule>, OpError> {
        self.listing(|token| async move {
            let page = self
                .ec2()
                .describe_client_vpn_authorization_rules()
                .client_vpn_endpoint_id(endpoint_id)
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeClientVpnAuthorizationRules", e))?;
            let found = page
                .authorization_rules()
                .iter()
                .map(|r| Rule {
                    group_id: r.group_id().filter(|g| !g.is_empty()).map(str::to_string),
                    access_all: r.access_all().unwrap_or(false),
                    destination_cidr: r.destination_cidr().unwrap_or_default().to_string(),
                    description: r
                        .description()
                        .filter(|d| !d.is_empty())
                        .map(str::to_string),
                    status: state_text(r.status().and_then(|s| s.code())),
                    message: r.status().and_then(|s| s.message()).map(str::to_string),
                })
                .collect();
            Ok(Page::new(found, page.next_token()))
        })
        .await
    }

    /// Every route of a Client VPN endpoint.
    pub async fn client_vpn_routes(&self, endpoint_id: &str) -> Result<Vec<Route>, OpError> {
        self.listing(|token| async move {
            let page = self
                .ec2()
                .describe_client_vpn_routes()
                .client_vpn_endpoint_id(endpoint_id)
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeClientVpnRoutes", e))?;
            let found = page
                .routes()
                .iter()
                .map(|r| Route {
                    destination_cidr: r.destination_cidr().unwrap_or_default().to_string(),
                    // A Transit Gateway endpoint's routes go through its attachment.
                    subnet_id: r
                        .target_subnet()
                        .or(r.transit_gateway_attachment_id())
                        .unwrap_or_default()
                        .to_string(),
                    origin: r.origin().unwrap_or_default().to_string(),
                    status: state_text(r.status().and_then(|s| s.code())),
                    message: r.status().and_then(|s| s.message()).map(str::to_string),
                })
                .collect();
            Ok(Page::new(found, page.next_token()))
        })
        .await
    }
}

/// The parts of an endpoint its rules and routes depend on, from AWS's description of it.
fn endpoint_of(e: &aws_sdk_ec2::types::ClientVpnEndpoint) -> Endpoint {
    Endpoint {
        id: e.client_vpn_endpoint_id().unwrap_or_default().to_string(),
        client_cidr_block: e.client_cidr_block().unwrap_or_default().to_string(),
        directory_id: e
            .authentication_options()
            .iter()
            .find_map(|a| a.active_directory()?.directory_id().map(str::to_string)),
        authentication: e
            .authentication_options()
            .iter()
            .filter_map(|a| a.r#type().map(|t| t.as_str().to_string()))
            .collect(),
        transit_gateway_id: e
            .transit_gateway_configuration()
            .and_then(|t| t.transit_gateway_id())
            .map(str::to_string),
        transit_gateway_attachment_id: e
            .transit_gateway_configuration()
            .and_then(|t| t.transit_gateway_attachment_id())
            .map(str::to_string),
        status: e
            .status()
            .and_then(|s| s.code())
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        vpc_id: e.vpc_id().map(str::to_string),
        tags: super::tags_of(e.tags()),
    }
}

/// The SDK must not retry a mutation by itself: its retries would bypass the governor, take
/// the next call's rate token, get that call throttled in turn, and so on. The caller retries
/// instead, pacing every attempt.
fn single_attempt() -> aws_sdk_ec2::config::Builder {
    aws_sdk_ec2::config::Builder::default()
        .retry_config(aws_sdk_ec2::config::retry::RetryConfig::disabled())
}

/// AuthorizeClientVpnIngress, one attempt.
pub(crate) async fn authorize(
    aws: &AwsClients,
    endpoint_id: &str,
    rule: &RuleKey,
    description: Option<&str>,
    client_token: &str,
) -> Result<(), AwsError> {
    aws.ec2
        .authorize_client_vpn_ingress()
        .client_vpn_endpoint_id(endpoint_id)
        .target_network_cidr(rule.cidr.to_string())
        .access_group_id(&rule.sid)
        .set_description(description.map(str::to_string))
        .client_token(client_token)
        .customize()
        .config_override(single_attempt())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("AuthorizeClientVpnIngress", e))
}

/// RevokeClientVpnIngress, one attempt.
pub(crate) async fn revoke(
    aws: &AwsClients,
    endpoint_id: &str,
    rule: &RuleKey,
) -> Result<(), AwsError> {
    aws.ec2
        .revoke_client_vpn_ingress()
        .client_vpn_endpoint_id(endpoint_id)
        .target_network_cidr(rule.cidr.to_string())
        .access_group_id(&rule.sid)
        .customize()
        .config_override(single_attempt())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("RevokeClientVpnIngress", e))
}

/// `TargetVpcSubnetId` of a route: none for a route through a Transit Gateway attachment.
fn subnet_of(route: &RouteKey) -> Option<String> {
    (!through_transit_gateway(&route.subnet_id)).then(|| route.subnet_id.clone())
}

/// CreateClientVpnRoute, one attempt.
pub(crate) async fn create_route(
    aws: &AwsClients,
    endpoint_id: &str,
    route: &RouteKey,
    description: &str,
    client_token: &str,
) -> Result<(), AwsError> {
    aws.ec2
        .create_client_vpn_route()
        .client_vpn_endpoint_id(endpoint_id)
        .destination_cidr_block(route.destination.to_string())
        .set_target_vpc_subnet_id(subnet_of(route))
        .description(description)
        .client_token(client_token)
        .customize()
        .config_override(single_attempt())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("CreateClientVpnRoute", e))
}

/// DeleteClientVpnRoute, one attempt.
pub(crate) async fn delete_route(
    aws: &AwsClients,
    endpoint_id: &str,
    route: &RouteKey,
) -> Result<(), AwsError> {
    aws.ec2
        .delete_client_vpn_route()
        .client_vpn_endpoint_id(endpoint_id)
        .destination_cidr_block(route.destination.to_string())
        .set_target_vpc_subnet_id(subnet_of(route))
        .customize()
        .config_override(single_attempt())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("DeleteClientVpnRoute", e))
}
