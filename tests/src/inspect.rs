//! What the emulator's AWS holds, read through the SDK for assertions: one reader per kind of
//! object, shared by the harness's end-to-end tests and the real-Terraform suite.

use terraform_provider_migration::config::clients::AwsClients;

/// An authorization rule of a Client VPN endpoint, as DescribeClientVpnAuthorizationRules
/// reports it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClientVpnRule {
    /// The group's SID, or `all` for a rule of every group.
    pub group: String,
    pub cidr: String,
    pub description: Option<String>,
    pub status: String,
}

/// A route of a Client VPN endpoint: (destination, target subnet, origin).
pub type ClientVpnRoute = (String, String, String);

/// Every authorization rule of `endpoint`, sorted.
pub async fn client_vpn_rules(aws: &AwsClients, endpoint: &str) -> Vec<ClientVpnRule> {
    let described = aws
        .ec2
        .describe_client_vpn_authorization_rules()
        .client_vpn_endpoint_id(endpoint)
        .max_results(1000)
        .send()
        .await
        .unwrap();
    let mut rules: Vec<ClientVpnRule> = described
        .authorization_rules()
        .iter()
        .map(|r| ClientVpnRule {
            group: r
                .group_id()
                .filter(|g| !g.is_empty())
                .unwrap_or("all")
                .to_string(),
            cidr: r.destination_cidr().unwrap_or_default().to_string(),
            description: r.description().map(str::to_string),
            status: r
                .status()
                .and_then(|s| s.code())
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        })
        .collect();
    rules.sort();
    rules
}

/// Every route of `endpoint`, sorted.
pub async fn client_vpn_routes(aws: &AwsClients, endpoint: &str) -> Vec<ClientVpnRoute> {
    let described = aws
        .ec2
        .describe_client_vpn_routes()
        .client_vpn_endpoint_id(endpoint)
        .max_results(1000)
        .send()
        .await
        .unwrap();
    let mut routes: Vec<ClientVpnRoute> = described
        .routes()
        .iter()
        .map(|r| {
            (
                r.destination_cidr().unwrap_or_default().to_string(),
                // An endpoint attached to a Transit Gateway routes through its attachment.
                r.target_subnet()
                    .or(r.transit_gateway_attachment_id())
                    .unwrap_or_default()
                    .to_string(),
                r.origin().unwrap_or_default().to_string(),
            )
        })
        .collect();
    routes.sort();
    routes
}
