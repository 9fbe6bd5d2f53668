//! The local AWS through the provider's own AWS clients: every API the project added to moto,
//! and proof that delays and faults are really applied.

use std::time::Duration;

use aws_sdk_ec2::types::Filter;
use harness::emulator::Emulator;
use harness::seed;
use serde_json::json;
use terraform_provider_migration::aws::errors::AwsError;
use terraform_provider_migration::aws::retry::Budget;
use terraform_provider_migration::aws::waiter::{Poll, wait_until};
use tokio_util::sync::CancellationToken;

const OWNER: &str = "111122223333";
const SPOKE: &str = "444455556666";

#[tokio::test]
async fn every_added_api_answers_the_sdk() {
    let emulator = Emulator::start().await.unwrap();
    let aws = emulator.clients(OWNER).await.unwrap();
    assert_eq!(
        aws.account_id.as_deref(),
        Some(OWNER),
        "12-digit access key selects the account"
    );

    // Network scaffolding (moto's own APIs).
    let vpc_id = seed::vpc(&aws.ec2, "10.10.0.0/16").await.unwrap();
    let subnet_id = seed::subnet(&aws.ec2, &vpc_id, "10.10.1.0/24", "a")
        .await
        .unwrap();
    let second_subnet_id = seed::subnet(&aws.ec2, &vpc_id, "10.10.2.0/24", "b")
        .await
        .unwrap();

    // Directory Service + Directory Service Data (SIDs, Managed AD only).
    let directory = aws
        .directory
        .create_microsoft_ad()
        .name("corp.example.com")
        .password("Sup3r-Secret!")
        .vpc_settings(
            aws_sdk_directory::types::DirectoryVpcSettings::builder()
                .vpc_id(&vpc_id)
                .subnet_ids(&subnet_id)
                .subnet_ids(&second_subnet_id)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let directory_id = directory.directory_id().unwrap().to_string();
    let created = aws
        .directory_data
        .create_group()
        .directory_id(&directory_id)
        .sam_account_name("MigrationEngineers")
        .send()
        .await
        .unwrap();
    let sid = created.sid().unwrap().to_string();
    assert!(sid.starts_with("S-1-5-21-"), "{sid}");
    let described = aws
        .directory_data
        .describe_group()
        .directory_id(&directory_id)
        .sam_account_name("MigrationEngineers")
        .send()
        .await
        .unwrap();
    assert_eq!(described.sid(), Some(sid.as_str()));
    let listed = aws
        .directory_data
        .list_groups()
        .directory_id(&directory_id)
        .send()
        .await
        .unwrap();
    assert!(listed.groups().iter().any(|g| g.sid() == sid));

    // Client VPN.
    let endpoint_id =
        seed::client_vpn_endpoint(&aws.ec2, OWNER, "172.16.0.0/22", &directory_id, &vpc_id)
            .await
            .unwrap();
    let endpoints = aws
        .ec2
        .describe_client_vpn_endpoints()
        .client_vpn_endpoint_ids(&endpoint_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        endpoints.client_vpn_endpoints()[0].client_cidr_block(),
        Some("172.16.0.0/22")
    );
    let association = aws
        .ec2
        .associate_client_vpn_target_network()
        .client_vpn_endpoint_id(&endpoint_id)
        .subnet_id(&subnet_id)
        .send()
        .await
        .unwrap();
    let association_id = association.association_id().unwrap().to_string();
    let networks = aws
        .ec2
        .describe_client_vpn_target_networks()
        .client_vpn_endpoint_id(&endpoint_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        networks.client_vpn_target_networks()[0].target_network_id(),
        Some(subnet_id.as_str())
    );
    aws.ec2
        .authorize_client_vpn_ingress()
        .client_vpn_endpoint_id(&endpoint_id)
        .target_network_cidr("10.10.0.0/16")
        .access_group_id(&sid)
        .description("migration engineers")
        .send()
        .await
        .unwrap();
    let rules = aws
        .ec2
        .describe_client_vpn_authorization_rules()
        .client_vpn_endpoint_id(&endpoint_id)
        .send()
        .await
        .unwrap();
    let rule = &rules.authorization_rules()[0];
    assert_eq!(rule.group_id(), Some(sid.as_str()));
    assert_eq!(rule.destination_cidr(), Some("10.10.0.0/16"));
    // Associating the subnet added the route to its VPC's CIDR, as on AWS; add the data center.
    aws.ec2
        .create_client_vpn_route()
        .client_vpn_endpoint_id(&endpoint_id)
        .destination_cidr_block("192.168.0.0/16")
        .target_vpc_subnet_id(&subnet_id)
        .send()
        .await
        .unwrap();
    let routes = aws
        .ec2
        .describe_client_vpn_routes()
        .client_vpn_endpoint_id(&endpoint_id)
        .send()
        .await
        .unwrap();
    let destinations: Vec<_> = routes
        .routes()
        .iter()
        .filter_map(|r| r.destination_cidr())
        .collect();
    assert!(
        destinations.contains(&"10.10.0.0/16") && destinations.contains(&"192.168.0.0/16"),
        "{destinations:?}"
    );
    aws.ec2
        .delete_client_vpn_route()
        .client_vpn_endpoint_id(&endpoint_id)
        .destination_cidr_block("192.168.0.0/16")
        .target_vpc_subnet_id(&subnet_id)
        .send()
        .await
        .unwrap();
    aws.ec2
        .revoke_client_vpn_ingress()
        .client_vpn_endpoint_id(&endpoint_id)
        .target_network_cidr("10.10.0.0/16")
        .access_group_id(&sid)
        .send()
        .await
        .unwrap();
    aws.ec2
        .disassociate_client_vpn_target_network()
        .client_vpn_endpoint_id(&endpoint_id)
        .association_id(&association_id)
        .send()
        .await
        .unwrap();

    // RAM: share a Transit Gateway with another account, which accepts the invitation.
    let tgw = aws
        .ec2
        .create_transit_gateway()
        .description("hub")
        .send()
        .await
        .unwrap();
    let tgw = tgw.transit_gateway().unwrap();
    let tgw_id = tgw.transit_gateway_id().unwrap().to_string();
    let share = aws
        .ram
        .create_resource_share()
        .name("hub")
        .resource_arns(tgw.transit_gateway_arn().unwrap())
        .allow_external_principals(true)
        .send()
        .await
        .unwrap();
    let share_arn = share
        .resource_share()
        .unwrap()
        .resource_share_arn()
        .unwrap()
        .to_string();
    aws.ram
        .associate_resource_share()
        .resource_share_arn(&share_arn)
        .principals(SPOKE)
        .send()
        .await
        .unwrap();
    let principal_status = || async {
        aws.ram
            .get_resource_share_associations()
            .association_type(aws_sdk_ram::types::ResourceShareAssociationType::Principal)
            .resource_share_arns(&share_arn)
            .send()
            .await
            .unwrap()
            .resource_share_associations()
            .iter()
            .find(|a| a.associated_entity() == Some(SPOKE))
            .and_then(|a| a.status().map(|s| s.as_str().to_string()))
    };
    assert_eq!(
        principal_status().await.as_deref(),
        Some("ASSOCIATING"),
        "until the spoke accepts"
    );
    let spoke = emulator.clients(SPOKE).await.unwrap();
    let invitations = spoke
        .ram
        .get_resource_share_invitations()
        .send()
        .await
        .unwrap();
    let invitation = invitations.resource_share_invitations()[0]
        .resource_share_invitation_arn()
        .unwrap()
        .to_string();
    spoke
        .ram
        .accept_resource_share_invitation()
        .resource_share_invitation_arn(&invitation)
        .send()
        .await
        .unwrap();
    assert_eq!(principal_status().await.as_deref(), Some("ASSOCIATED"));
    aws.ram
        .disassociate_resource_share()
        .resource_share_arn(&share_arn)
        .principals(SPOKE)
        .send()
        .await
        .unwrap();

    // Direct Connect gateway associated with the Transit Gateway.
    let dx = aws
        .direct_connect
        .create_direct_connect_gateway()
        .direct_connect_gateway_name("dc")
        .amazon_side_asn(65010)
        .send()
        .await
        .unwrap();
    let dx_id = dx
        .direct_connect_gateway()
        .unwrap()
        .direct_connect_gateway_id()
        .unwrap()
        .to_string();
    let gateways = aws
        .direct_connect
        .describe_direct_connect_gateways()
        .send()
        .await
        .unwrap();
    assert!(
        gateways
            .direct_connect_gateways()
            .iter()
            .any(|g| g.direct_connect_gateway_id() == Some(dx_id.as_str()))
    );
    let prefix = |cidr: &str| {
        aws_sdk_directconnect::types::RouteFilterPrefix::builder()
            .cidr(cidr)
            .build()
    };
    let created = aws
        .direct_connect
        .create_direct_connect_gateway_association()
        .direct_connect_gateway_id(&dx_id)
        .gateway_id(&tgw_id)
        .add_allowed_prefixes_to_direct_connect_gateway(prefix("10.10.0.0/16"))
        .send()
        .await
        .unwrap();
    let dx_association_id = created
        .direct_connect_gateway_association()
        .unwrap()
        .association_id()
        .unwrap()
        .to_string();
    aws.direct_connect
        .update_direct_connect_gateway_association()
        .association_id(&dx_association_id)
        .add_allowed_prefixes_to_direct_connect_gateway(prefix("10.20.0.0/16"))
        .send()
        .await
        .unwrap();
    let associations = aws
        .direct_connect
        .describe_direct_connect_gateway_associations()
        .associated_gateway_id(&tgw_id)
        .send()
        .await
        .unwrap();
    let prefixes: Vec<&str> = associations.direct_connect_gateway_associations()[0]
        .allowed_prefixes_to_direct_connect_gateway()
        .iter()
        .filter_map(|p| p.cidr())
        .collect();
    assert!(
        prefixes.contains(&"10.10.0.0/16") && prefixes.contains(&"10.20.0.0/16"),
        "{prefixes:?}"
    );
    let dx_attachments = aws
        .ec2
        .describe_transit_gateway_attachments()
        .filters(
            Filter::builder()
                .name("resource-type")
                .values("direct-connect-gateway")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        dx_attachments.transit_gateway_attachments().len(),
        1,
        "the association implies a TGW attachment"
    );
    aws.direct_connect
        .delete_direct_connect_gateway_association()
        .association_id(&dx_association_id)
        .send()
        .await
        .unwrap();

    // Every call above is in the record.
    let calls = emulator.calls(OWNER).await.unwrap();
    for action in [
        "CreateClientVpnEndpoint",
        "AuthorizeClientVpnIngress",
        "CreateClientVpnRoute",
        "AssociateResourceShare",
        "CreateDirectConnectGatewayAssociation",
        "UpdateDirectConnectGatewayAssociation",
        "DescribeGroup",
    ] {
        assert!(
            calls.iter().any(|c| c.action == action),
            "{action} not recorded"
        );
    }
}

#[tokio::test]
async fn a_throttled_call_is_retried_by_the_sdk() {
    let emulator = Emulator::start().await.unwrap();
    let aws = emulator.clients(OWNER).await.unwrap();
    emulator
        .configure(json!({"faults": [{"action": "DescribeVpcs", "error": "RequestLimitExceeded", "count": 2}]}))
        .await
        .unwrap();
    let vpcs = aws
        .ec2
        .describe_vpcs()
        .send()
        .await
        .expect("retried until it succeeded");
    let _ = vpcs.vpcs();
    let calls: Vec<_> = emulator
        .calls(OWNER)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.action == "DescribeVpcs")
        .collect();
    assert_eq!(
        calls.len(),
        3,
        "two throttled attempts and one success: {calls:?}"
    );
    assert_eq!(calls[0].error.as_deref(), Some("RequestLimitExceeded"));
    assert_eq!(calls[0].status, 503);
    assert_eq!(calls[1].error.as_deref(), Some("RequestLimitExceeded"));
    assert_eq!(calls[2].error, None);
    assert!(
        calls[1].start > calls[0].end,
        "the SDK backed off before retrying"
    );
}

#[tokio::test]
async fn a_waiter_observes_pending_then_available() {
    let emulator = Emulator::start().await.unwrap();
    let aws = emulator.clients(OWNER).await.unwrap();
    emulator
        .configure(json!({"delays": {"transit_gateway.pending": 1.5}}))
        .await
        .unwrap();
    let created = aws.ec2.create_transit_gateway().send().await.unwrap();
    let id = created
        .transit_gateway()
        .unwrap()
        .transit_gateway_id()
        .unwrap()
        .to_string();
    let budget = Budget::new(Duration::from_secs(60), CancellationToken::new(), 3);
    let seen = std::sync::Mutex::new(Vec::new());
    let state = wait_until(&budget, "transit gateway available", || async {
        let described = aws
            .ec2
            .describe_transit_gateways()
            .transit_gateway_ids(&id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeTransitGateways", e))?;
        let state = described.transit_gateways()[0]
            .state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        seen.lock().unwrap().push(state.clone());
        Ok(if state == "available" {
            Poll::Done(state)
        } else {
            Poll::Pending(state)
        })
    })
    .await
    .unwrap();
    assert_eq!(state, "available");
    let seen = seen.into_inner().unwrap();
    assert_eq!(
        seen.first().map(String::as_str),
        Some("pending"),
        "{seen:?}"
    );
    assert!(
        seen.len() >= 2,
        "the waiter polled through the delay: {seen:?}"
    );
}

/// ConfigureProvider validates credentials with STS through an endpoint named by host name, so
/// the binary's resolver (static release builds included) is exercised.
#[tokio::test]
async fn the_provider_validates_credentials_through_a_named_endpoint() {
    let emulator = Emulator::start().await.unwrap();
    let by_name = emulator.url.replace("127.0.0.1", "localhost");
    let block = format!(
        r#"provider "migration" {{
  region              = "eu-west-1"
  allowed_account_ids = ["{OWNER}"]
  endpoints {{
    ec2 = "{by_name}"
    sts = "{by_name}"
  }}
}}"#
    );
    let mut tf = harness::Terraform::new(harness::LaunchOptions {
        env: emulator.provider_env(OWNER),
        ..Default::default()
    });
    let plan = tf.plan(&block).await.unwrap();
    assert!(!plan.has_errors(), "{:?}", plan.diagnostics);
    assert!(
        emulator
            .calls(OWNER)
            .await
            .unwrap()
            .iter()
            .any(|c| c.action == "GetCallerIdentity"),
        "credentials were validated against the emulator"
    );
    // The wrong account is refused, naming the account.
    let mut other = harness::Terraform::new(harness::LaunchOptions {
        env: emulator.provider_env(SPOKE),
        ..Default::default()
    });
    let plan = other.plan(&block).await.unwrap();
    let errors = plan.errors();
    assert!(
        errors
            .iter()
            .any(|d| d.detail.contains(SPOKE) && d.detail.contains("allowed_account_ids")),
        "{errors:?}"
    );
}

/// An endpoint that cannot be reached is reported as such, naming the endpoint and what to
/// check, not as a credentials problem; a host name that does not exist is not retried.
#[tokio::test]
async fn an_unreachable_endpoint_says_where_and_what_to_check() {
    let emulator = Emulator::start().await.unwrap();
    // `.invalid` never resolves (RFC 6761). One retry bounds the test should this machine's
    // resolver be unreachable rather than answer "no such name".
    let block = r#"provider "migration" {
  region      = "eu-west-1"
  max_retries = 1
  endpoints {
    sts = "http://aws-emulator.invalid:4566"
  }
}"#;
    let mut tf = harness::Terraform::new(harness::LaunchOptions {
        env: emulator.provider_env(OWNER),
        ..Default::default()
    });
    let plan = tf.plan(block).await.unwrap();
    let errors = plan.errors();
    let detail = &errors
        .iter()
        .find(|d| d.summary == "Cannot configure the AWS provider")
        .unwrap_or_else(|| panic!("{errors:?}"))
        .detail;
    assert!(
        detail.starts_with(
            "Cannot reach STS at http://aws-emulator.invalid:4566 (`endpoints.sts`) to validate \
             the credentials: "
        ),
        "{detail}"
    );
    assert!(detail.contains("skip_credentials_validation"), "{detail}");
    assert!(!detail.contains("Check the credentials"), "{detail}");
    assert!(
        !detail.contains("DispatchFailure {"),
        "no debug dump: {detail}"
    );
    if detail.contains("Name or service not known") {
        assert!(detail.contains("The host name does not exist"), "{detail}");
    }
}
