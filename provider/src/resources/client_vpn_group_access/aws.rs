//! The AWS calls of this resource: every read paced at the EC2 describe rate, paginated to the
//! end and retried on temporary errors, and the four mutations as single attempts (the
//! scheduler paces, retries and waits for them).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;

use super::model::{RouteKey, RuleKey};
use super::observe::{Association, Directory, Endpoint, Route, Rule, Subnet};
use super::scheduler::{EndpointApi, Mutation};
use crate::aws::errors::AwsError;
use crate::aws::governor::Lane;
use crate::aws::pages::{Page, all_pages};
use crate::aws::retry::{Budget, OpError, RetryOn, with_retries};
use crate::config::clients::AwsClients;

/// Largest page the Client VPN describe calls return.
const PAGE_SIZE: i32 = 1000;

/// Description given to the routes this resource creates, so people looking at the endpoint
/// know who owns them.
pub const ROUTE_DESCRIPTION: &str = "migration_client_vpn_group_access";

/// One read: paced, then retried on temporary errors.
async fn read<T, F, Fut>(aws: &AwsClients, budget: &Budget, call: F) -> Result<T, OpError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    aws.governor.pace(Lane::Describe, budget).await?;
    with_retries(budget, RetryOn::default(), call).await
}

/// The endpoint, or `None` when it does not exist.
pub async fn endpoint(
    aws: &AwsClients,
    budget: &Budget,
    endpoint_id: &str,
) -> Result<Option<Endpoint>, OpError> {
    let answer = read(aws, budget, || async {
        aws.ec2
            .describe_client_vpn_endpoints()
            .client_vpn_endpoint_ids(endpoint_id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeClientVpnEndpoints", e))
    })
    .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(OpError::Aws(e)) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(answer
        .client_vpn_endpoints()
        .iter()
        .find(|e| e.client_vpn_endpoint_id() == Some(endpoint_id))
        .map(|e| Endpoint {
            id: endpoint_id.to_string(),
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
            vpc_id: e.vpc_id().map(str::to_string),
        }))
}

/// A paginated read: one paced, retried call per page, to the last page.
async fn listing<T, F, Fut>(aws: &AwsClients, budget: &Budget, page: F) -> Result<Vec<T>, OpError>
where
    F: Fn(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, AwsError>>,
{
    let page = &page;
    all_pages(|token| read(aws, budget, move || page(token.clone()))).await
}

pub async fn target_networks(
    aws: &AwsClients,
    budget: &Budget,
    endpoint_id: &str,
) -> Result<Vec<Association>, OpError> {
    listing(aws, budget, |token| async move {
        let page = aws
            .ec2
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
                    status: t
                        .status()
                        .and_then(|s| s.code())
                        .map(|c| c.as_str().to_string())
                        .unwrap_or_default(),
                })
            })
            .collect();
        Ok(Page::new(found, page.next_token()))
    })
    .await
}

pub async fn authorization_rules(
    aws: &AwsClients,
    budget: &Budget,
    endpoint_id: &str,
) -> Result<Vec<Rule>, OpError> {
    listing(aws, budget, |token| async move {
        let page = aws
            .ec2
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
                status: r
                    .status()
                    .and_then(|s| s.code())
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
                message: r.status().and_then(|s| s.message()).map(str::to_string),
            })
            .collect();
        Ok(Page::new(found, page.next_token()))
    })
    .await
}

pub async fn routes(
    aws: &AwsClients,
    budget: &Budget,
    endpoint_id: &str,
) -> Result<Vec<Route>, OpError> {
    listing(aws, budget, |token| async move {
        let page = aws
            .ec2
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
                subnet_id: r.target_subnet().unwrap_or_default().to_string(),
                origin: r.origin().unwrap_or_default().to_string(),
                status: r
                    .status()
                    .and_then(|s| s.code())
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
                message: r.status().and_then(|s| s.message()).map(str::to_string),
            })
            .collect();
        Ok(Page::new(found, page.next_token()))
    })
    .await
}

/// The directory, or `None` when Directory Service does not know it.
pub async fn directory(
    aws: &AwsClients,
    budget: &Budget,
    directory_id: &str,
) -> Result<Option<Directory>, OpError> {
    let answer = read(aws, budget, || async {
        aws.directory
            .describe_directories()
            .directory_ids(directory_id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeDirectories", e))
    })
    .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(OpError::Aws(e)) if e.is_not_found() || e.has_code("EntityDoesNotExistException") => {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    Ok(answer
        .directory_descriptions()
        .iter()
        .find(|d| d.directory_id() == Some(directory_id))
        .map(|d| Directory {
            id: directory_id.to_string(),
            kind: d
                .r#type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            stage: d
                .stage()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        }))
}

/// The subnets among `subnet_ids` that exist (a filter, so that a configured subnet that does
/// not exist is just absent instead of failing the call).
pub async fn subnets(
    aws: &AwsClients,
    budget: &Budget,
    subnet_ids: &[String],
) -> Result<BTreeMap<String, Subnet>, OpError> {
    if subnet_ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let answer = read(aws, budget, || async {
        aws.ec2
            .describe_subnets()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("subnet-id")
                    .set_values(Some(subnet_ids.to_vec()))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeSubnets", e))
    })
    .await?;
    Ok(answer
        .subnets()
        .iter()
        .filter_map(|s| {
            Some((
                s.subnet_id()?.to_string(),
                Subnet {
                    availability_zone: s.availability_zone()?.to_string(),
                    vpc_id: s.vpc_id()?.to_string(),
                },
            ))
        })
        .collect())
}

/// What Directory Service Data says about a group name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupLookup {
    Sid(String),
    NotFound,
    /// The directory does not offer Directory Service Data (not AWS Managed Microsoft AD).
    Unsupported(String),
}

/// Resolves a group name (`sAMAccountName`) to its SID.
pub async fn group_sid(
    aws: &AwsClients,
    budget: &Budget,
    directory_id: &str,
    name: &str,
) -> Result<GroupLookup, OpError> {
    aws.governor.pace(Lane::Describe, budget).await?;
    let answer = with_retries(budget, RetryOn::default(), || async {
        match aws
            .directory_data
            .describe_group()
            .directory_id(directory_id)
            .sam_account_name(name)
            .send()
            .await
        {
            Ok(answer) => Ok(Ok(answer)),
            Err(error) => {
                use aws_sdk_directoryservicedata::operation::describe_group::DescribeGroupError;
                use aws_sdk_directoryservicedata::types::ValidationExceptionReason;
                if let Some(DescribeGroupError::ValidationException(invalid)) =
                    error.as_service_error()
                    && invalid.reason() == Some(&ValidationExceptionReason::InvalidDirectoryType)
                {
                    return Ok(Err(GroupLookup::Unsupported(
                        invalid.message().unwrap_or_default().to_string(),
                    )));
                }
                Err(AwsError::from_sdk("DescribeGroup", error))
            }
        }
    })
    .await;
    match answer {
        Ok(Ok(group)) => Ok(match group.sid() {
            Some(sid) => GroupLookup::Sid(sid.to_string()),
            None => GroupLookup::NotFound,
        }),
        Ok(Err(lookup)) => Ok(lookup),
        Err(OpError::Aws(e)) if e.is_not_found() => Ok(GroupLookup::NotFound),
        Err(e) => Err(e),
    }
}

/// The SDK must not retry a mutation by itself: its retries would bypass the governor, take
/// the next call's rate token, get that call throttled in turn, and so on. The scheduler
/// retries instead, pacing every attempt.
fn single_attempt() -> aws_sdk_ec2::config::Builder {
    aws_sdk_ec2::config::Builder::default()
        .retry_config(aws_sdk_ec2::config::retry::RetryConfig::disabled())
}

pub async fn authorize(
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

pub async fn revoke(aws: &AwsClients, endpoint_id: &str, rule: &RuleKey) -> Result<(), AwsError> {
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

pub async fn create_route(
    aws: &AwsClients,
    endpoint_id: &str,
    route: &RouteKey,
    client_token: &str,
) -> Result<(), AwsError> {
    aws.ec2
        .create_client_vpn_route()
        .client_vpn_endpoint_id(endpoint_id)
        .destination_cidr_block(route.destination.to_string())
        .target_vpc_subnet_id(&route.subnet_id)
        .description(ROUTE_DESCRIPTION)
        .client_token(client_token)
        .customize()
        .config_override(single_attempt())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("CreateClientVpnRoute", e))
}

pub async fn delete_route(
    aws: &AwsClients,
    endpoint_id: &str,
    route: &RouteKey,
) -> Result<(), AwsError> {
    aws.ec2
        .delete_client_vpn_route()
        .client_vpn_endpoint_id(endpoint_id)
        .destination_cidr_block(route.destination.to_string())
        .target_vpc_subnet_id(&route.subnet_id)
        .customize()
        .config_override(single_attempt())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("DeleteClientVpnRoute", e))
}

/// The scheduler's view of one endpoint, over the EC2 API.
pub struct Ec2Endpoint {
    pub aws: Arc<AwsClients>,
    pub endpoint_id: String,
}

#[async_trait]
impl EndpointApi for Ec2Endpoint {
    async fn mutate(&self, mutation: &Mutation, client_token: &str) -> Result<(), AwsError> {
        let (aws, endpoint) = (&self.aws, self.endpoint_id.as_str());
        match mutation {
            Mutation::Authorize(rule, description) => {
                authorize(aws, endpoint, rule, description.as_deref(), client_token).await
            }
            Mutation::Revoke(rule) => revoke(aws, endpoint, rule).await,
            Mutation::CreateRoute(route) => create_route(aws, endpoint, route, client_token).await,
            Mutation::DeleteRoute(route) => delete_route(aws, endpoint, route).await,
        }
    }

    async fn rules(&self, budget: &Budget) -> Result<Vec<Rule>, OpError> {
        authorization_rules(&self.aws, budget, &self.endpoint_id).await
    }

    async fn routes(&self, budget: &Budget) -> Result<Vec<Route>, OpError> {
        routes(&self.aws, budget, &self.endpoint_id).await
    }

    async fn associations(&self, budget: &Budget) -> Result<Vec<Association>, OpError> {
        target_networks(&self.aws, budget, &self.endpoint_id).await
    }
}
