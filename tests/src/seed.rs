//! What exists before Terraform runs, created through the SDK against the emulator: the VPCs,
//! subnets and route tables that the end-to-end tests, the benchmarks and the demo hand to the
//! resources as inputs.

use crate::emulator::REGION;
use crate::process::Error;

/// A VPC with `cidr`; its id.
pub async fn vpc(ec2: &aws_sdk_ec2::Client, cidr: &str) -> Result<String, Error> {
    Ok(ec2
        .create_vpc()
        .cidr_block(cidr)
        .send()
        .await?
        .vpc()
        .and_then(|v| v.vpc_id())
        .ok_or("CreateVpc returned no id")?
        .to_string())
}

/// A subnet of `vpc_id` in the emulator's Region, zone `zone` (`"a"`, `"b"`, …); its id.
pub async fn subnet(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
    cidr: &str,
    zone: &str,
) -> Result<String, Error> {
    Ok(ec2
        .create_subnet()
        .vpc_id(vpc_id)
        .cidr_block(cidr)
        .availability_zone(format!("{REGION}{zone}"))
        .send()
        .await?
        .subnet()
        .and_then(|s| s.subnet_id())
        .ok_or("CreateSubnet returned no id")?
        .to_string())
}

/// A route table of `vpc_id`; its id.
pub async fn route_table(ec2: &aws_sdk_ec2::Client, vpc_id: &str) -> Result<String, Error> {
    Ok(ec2
        .create_route_table()
        .vpc_id(vpc_id)
        .send()
        .await?
        .route_table()
        .and_then(|t| t.route_table_id())
        .ok_or("CreateRouteTable returned no id")?
        .to_string())
}

/// A Client VPN endpoint of `account` for `client_cidr` in `vpc_id`, authenticating users
/// against the directory `directory_id`; its id.
pub async fn client_vpn_endpoint(
    ec2: &aws_sdk_ec2::Client,
    account: &str,
    client_cidr: &str,
    directory_id: &str,
    vpc_id: &str,
) -> Result<String, Error> {
    use aws_sdk_ec2::types::{
        ClientVpnAuthenticationRequest, ClientVpnAuthenticationType, ConnectionLogOptions,
        DirectoryServiceAuthenticationRequest,
    };
    Ok(ec2
        .create_client_vpn_endpoint()
        .client_cidr_block(client_cidr)
        .server_certificate_arn(format!("arn:aws:acm:{REGION}:{account}:certificate/seed"))
        .authentication_options(
            ClientVpnAuthenticationRequest::builder()
                .r#type(ClientVpnAuthenticationType::DirectoryServiceAuthentication)
                .active_directory(
                    DirectoryServiceAuthenticationRequest::builder()
                        .directory_id(directory_id)
                        .build(),
                )
                .build(),
        )
        .connection_log_options(ConnectionLogOptions::builder().enabled(false).build())
        .vpc_id(vpc_id)
        .send()
        .await?
        .client_vpn_endpoint_id()
        .ok_or("CreateClientVpnEndpoint returned no id")?
        .to_string())
}
