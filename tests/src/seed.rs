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

/// Where a seeded Client VPN endpoint reaches its networks.
pub enum EndpointIn<'a> {
    /// In a VPC, through the subnets associated with it afterwards.
    Vpc(&'a str),
    /// Attached to a Transit Gateway (which needs a CIDR block) in these Availability Zones.
    TransitGateway { id: &'a str, zones: Vec<String> },
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
    client_vpn_endpoint_in(
        ec2,
        account,
        client_cidr,
        directory_id,
        EndpointIn::Vpc(vpc_id),
    )
    .await
}

/// A Client VPN endpoint of `account` for `client_cidr` attached to the Transit Gateway `tgw`
/// in the Region's first two Availability Zones, authenticating against `directory_id`; its id.
pub async fn client_vpn_endpoint_on_transit_gateway(
    ec2: &aws_sdk_ec2::Client,
    account: &str,
    client_cidr: &str,
    directory_id: &str,
    tgw: &str,
) -> Result<String, Error> {
    let zones: Vec<String> = ec2
        .describe_availability_zones()
        .send()
        .await?
        .availability_zones()
        .iter()
        .filter_map(|z| z.zone_name().map(str::to_string))
        .take(2)
        .collect();
    client_vpn_endpoint_in(
        ec2,
        account,
        client_cidr,
        directory_id,
        EndpointIn::TransitGateway { id: tgw, zones },
    )
    .await
}

/// A Client VPN endpoint of `account` for `client_cidr`, in a VPC or attached to a Transit
/// Gateway, authenticating users against the directory `directory_id`; its id.
pub async fn client_vpn_endpoint_in(
    ec2: &aws_sdk_ec2::Client,
    account: &str,
    client_cidr: &str,
    directory_id: &str,
    place: EndpointIn<'_>,
) -> Result<String, Error> {
    use aws_sdk_ec2::types::{
        ClientVpnAuthenticationRequest, ClientVpnAuthenticationType, ConnectionLogOptions,
        DirectoryServiceAuthenticationRequest, TransitGatewayConfigurationInputStructure,
    };
    let request = ec2
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
        .connection_log_options(ConnectionLogOptions::builder().enabled(false).build());
    let request = match place {
        EndpointIn::Vpc(vpc_id) => request.vpc_id(vpc_id),
        EndpointIn::TransitGateway { id, zones } => request.transit_gateway_configuration(
            TransitGatewayConfigurationInputStructure::builder()
                .transit_gateway_id(id)
                .set_availability_zones(Some(zones))
                .build(),
        ),
    };
    Ok(request
        .send()
        .await?
        .client_vpn_endpoint_id()
        .ok_or("CreateClientVpnEndpoint returned no id")?
        .to_string())
}

/// An AWS Managed Microsoft AD `corp.example.com` in `vpc_id` on `subnets` (two, in two
/// Availability Zones); its id.
pub async fn managed_ad(
    ds: &aws_sdk_directory::Client,
    vpc_id: &str,
    subnets: &[String],
) -> Result<String, Error> {
    Ok(ds
        .create_microsoft_ad()
        .name("corp.example.com")
        .password("Sup3r-Secret!")
        .vpc_settings(
            aws_sdk_directory::types::DirectoryVpcSettings::builder()
                .vpc_id(vpc_id)
                .set_subnet_ids(Some(subnets.to_vec()))
                .build()?,
        )
        .send()
        .await?
        .directory_id()
        .ok_or("CreateMicrosoftAD returned no id")?
        .to_string())
}

/// A Direct Connect gateway `name` with Amazon side `asn`; its id.
pub async fn direct_connect_gateway(
    dx: &aws_sdk_directconnect::Client,
    name: &str,
    asn: i64,
) -> Result<String, Error> {
    Ok(dx
        .create_direct_connect_gateway()
        .direct_connect_gateway_name(name)
        .amazon_side_asn(asn)
        .send()
        .await?
        .direct_connect_gateway()
        .and_then(|g| g.direct_connect_gateway_id())
        .ok_or("CreateDirectConnectGateway returned no id")?
        .to_string())
}

/// What the blueprint (`examples/blueprint/`) receives from the landing zone: its input
/// variables, and one line per seeded object for people to read.
pub struct Blueprint {
    /// The blueprint's variables, as `terraform.tfvars.json` holds them.
    pub variables: serde_json::Map<String, serde_json::Value>,
    pub described: Vec<String>,
}

/// The blueprint's spoke account: its provider alias assumes a role in it (the emulator, like
/// AWS, hands out that account's credentials for a role ARN of that account).
pub const BLUEPRINT_SPOKE_ACCOUNT: &str = "222233334444";

/// The CIDR of the spoke account's VPC.
pub const BLUEPRINT_SPOKE_CIDR: &str = "10.30.0.0/16";

/// What exists before the blueprint runs, in the hub `account` (`aws`): the staging
/// (10.10.0.0/16) and target (10.20.0.0/16) VPCs with subnets in two zones and a route table
/// each, a Managed AD with the groups MigrationEngineers and InternalIT, a Client VPN endpoint
/// (172.16.0.0/22) that authenticates against it with both staging subnets associated, a
/// Direct Connect gateway (ASN 65010), the replication staging area's subnets in the staging
/// VPC (a staging subnet on the staging route table, a public subnet routed to an internet
/// gateway) and Application Migration Service initialized in the Region; and in the spoke account [`BLUEPRINT_SPOKE_ACCOUNT`]
/// (`spoke`), its VPC (10.30.0.0/16) with subnets in two zones and a route table.
pub async fn blueprint(
    aws: &terraform_provider_migration::config::clients::AwsClients,
    spoke: &terraform_provider_migration::config::clients::AwsClients,
    account: &str,
) -> Result<Blueprint, Error> {
    use serde_json::json;
    let mut variables = serde_json::Map::new();
    let mut described = Vec::new();
    let mut staging = (String::new(), Vec::new(), String::new());
    for (name, cidr) in [("staging", "10.10.0.0/16"), ("target", "10.20.0.0/16")] {
        let vpc_id = vpc(&aws.ec2, cidr).await?;
        let mut subnets = Vec::new();
        for (index, zone) in ["a", "b"].iter().enumerate() {
            let subnet_cidr = cidr.replace(".0.0/16", &format!(".{}.0/24", index + 1));
            subnets.push(subnet(&aws.ec2, &vpc_id, &subnet_cidr, zone).await?);
        }
        let table_id = route_table(&aws.ec2, &vpc_id).await?;
        described.push(format!(
            "{name} VPC {vpc_id} ({cidr}), subnets {}, route table {table_id}",
            subnets.join(", ")
        ));
        variables.insert(format!("{name}_vpc_id"), json!(vpc_id));
        variables.insert(format!("{name}_cidr"), json!(cidr));
        variables.insert(format!("{name}_subnet_ids"), json!(subnets));
        variables.insert(format!("{name}_route_table_ids"), json!([table_id]));
        if name == "staging" {
            staging = (vpc_id, subnets, table_id);
        }
    }
    let (staging_vpc, staging_subnets, staging_table) = staging;

    // The replication staging area's subnets in the staging VPC: the staging subnet where MGN
    // runs the replication servers, on the staging route table (which the hub routes to the
    // data center), and a public subnet for its NAT gateway, routed to an internet gateway.
    let replication_subnet = subnet(&aws.ec2, &staging_vpc, "10.10.10.0/24", "a").await?;
    aws.ec2
        .associate_route_table()
        .route_table_id(&staging_table)
        .subnet_id(&replication_subnet)
        .send()
        .await?;
    let (nat_subnet, igw) = public_subnet(&aws.ec2, &staging_vpc, "10.10.100.0/24").await?;
    described.push(format!(
        "staging VPC: replication subnet {replication_subnet} (10.10.10.0/24, on route table \
         {staging_table}), public subnet {nat_subnet} (10.10.100.0/24, routed to internet \
         gateway {igw})"
    ));
    variables.insert(
        "staging_replication_subnet_id".into(),
        json!(replication_subnet),
    );
    variables.insert("staging_nat_subnet_id".into(), json!(nat_subnet));
    // MGN is initialized once per account and Region (the console's "Set up service").
    aws.mgn.initialize_service().send().await?;
    described.push("Application Migration Service initialized".to_string());

    let directory_id = managed_ad(&aws.directory, &staging_vpc, &staging_subnets).await?;
    described.push(format!("Managed AD {directory_id} (corp.example.com)"));
    variables.insert("directory_id".into(), json!(directory_id));
    // The blueprint names these groups (its defaults) and reads their SIDs from the directory.
    for group in ["MigrationEngineers", "InternalIT"] {
        let sid = aws
            .directory_data
            .create_group()
            .directory_id(&directory_id)
            .sam_account_name(group)
            .send()
            .await?
            .sid()
            .ok_or("CreateGroup returned no SID")?
            .to_string();
        described.push(format!("AD group {group}: {sid}"));
    }

    let endpoint_id = client_vpn_endpoint(
        &aws.ec2,
        account,
        "172.16.0.0/22",
        &directory_id,
        &staging_vpc,
    )
    .await?;
    for subnet in &staging_subnets {
        aws.ec2
            .associate_client_vpn_target_network()
            .client_vpn_endpoint_id(&endpoint_id)
            .subnet_id(subnet)
            .send()
            .await?;
    }
    described.push(format!(
        "Client VPN endpoint {endpoint_id} (172.16.0.0/22, AD authentication, 2 subnets associated)"
    ));
    variables.insert("client_vpn_endpoint_id".into(), json!(endpoint_id));

    let gateway_id = direct_connect_gateway(&aws.direct_connect, "datacenter", 65010).await?;
    described.push(format!("Direct Connect gateway {gateway_id} (ASN 65010)"));
    variables.insert("direct_connect_gateway_id".into(), json!(gateway_id));

    let spoke_vpc = vpc(&spoke.ec2, BLUEPRINT_SPOKE_CIDR).await?;
    let mut spoke_subnets = Vec::new();
    for (index, zone) in ["a", "b"].iter().enumerate() {
        let subnet_cidr = BLUEPRINT_SPOKE_CIDR.replace(".0.0/16", &format!(".{}.0/24", index + 1));
        spoke_subnets.push(subnet(&spoke.ec2, &spoke_vpc, &subnet_cidr, zone).await?);
    }
    let spoke_table = route_table(&spoke.ec2, &spoke_vpc).await?;
    described.push(format!(
        "spoke account {BLUEPRINT_SPOKE_ACCOUNT}: VPC {spoke_vpc} ({BLUEPRINT_SPOKE_CIDR}), \
         subnets {}, route table {spoke_table}",
        spoke_subnets.join(", ")
    ));
    variables.insert("spoke_account_id".into(), json!(BLUEPRINT_SPOKE_ACCOUNT));
    variables.insert("spoke_vpc_id".into(), json!(spoke_vpc));
    variables.insert("spoke_cidr".into(), json!(BLUEPRINT_SPOKE_CIDR));
    variables.insert("spoke_route_table_ids".into(), json!([spoke_table]));
    Ok(Blueprint {
        variables,
        described,
    })
}

/// A replication staging VPC as `migration_replication_staging_area` expects one: what
/// [`staging_vpc`] made.
#[derive(Clone, Debug)]
pub struct StagingVpc {
    pub vpc_id: String,
    /// The staging subnet, with a route table of its own.
    pub staging_subnet_id: String,
    pub staging_table_id: String,
    /// A public subnet: its own table sends 0.0.0.0/0 to the VPC's internet gateway.
    pub public_subnet_id: String,
}

/// A staging VPC `vpc_cidr` with a public subnet (`public_cidr`, routed to an internet
/// gateway) and a staging subnet (`staging_cidr`) whose own route table routes each of
/// `routed` (the source networks) to a virtual private gateway, as a data center reached over
/// a VPN would be.
pub async fn staging_vpc(
    ec2: &aws_sdk_ec2::Client,
    vpc_cidr: &str,
    public_cidr: &str,
    staging_cidr: &str,
    routed: &[&str],
) -> Result<StagingVpc, Error> {
    let vpc_id = vpc(ec2, vpc_cidr).await?;
    let (public_subnet_id, _) = public_subnet(ec2, &vpc_id, public_cidr).await?;
    let (staging_subnet_id, staging_table_id) =
        staging_subnet(ec2, &vpc_id, staging_cidr, routed).await?;
    Ok(StagingVpc {
        vpc_id,
        staging_subnet_id,
        staging_table_id,
        public_subnet_id,
    })
}

/// A staging subnet `cidr` of `vpc_id` in zone `a` with a route table of its own that routes
/// each of `routed` (the source networks) to a virtual private gateway attached to the VPC, as
/// a data center reached over a VPN would be (none when `routed` is empty); the subnet's and
/// the table's ids.
pub async fn staging_subnet(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
    cidr: &str,
    routed: &[&str],
) -> Result<(String, String), Error> {
    let staging_subnet_id = subnet(ec2, vpc_id, cidr, "a").await?;
    let staging_table_id = route_table(ec2, vpc_id).await?;
    ec2.associate_route_table()
        .route_table_id(&staging_table_id)
        .subnet_id(&staging_subnet_id)
        .send()
        .await?;
    if !routed.is_empty() {
        let vgw = ec2
            .create_vpn_gateway()
            .r#type(aws_sdk_ec2::types::GatewayType::Ipsec1)
            .send()
            .await?
            .vpn_gateway()
            .and_then(|g| g.vpn_gateway_id())
            .ok_or("CreateVpnGateway returned no id")?
            .to_string();
        ec2.attach_vpn_gateway()
            .vpn_gateway_id(&vgw)
            .vpc_id(vpc_id)
            .send()
            .await?;
        for destination in routed {
            ec2.create_route()
                .route_table_id(&staging_table_id)
                .destination_cidr_block(*destination)
                .gateway_id(&vgw)
                .send()
                .await?;
        }
    }
    Ok((staging_subnet_id, staging_table_id))
}

/// A second Availability Zone of a staging VPC: a public subnet and a staging subnet.
pub struct StagingZone {
    /// A public subnet of the zone: its own table sends 0.0.0.0/0 to the VPC's internet
    /// gateway.
    pub public_subnet_id: String,
    /// A staging subnet of the zone, with a route table of its own.
    pub staging_subnet_id: String,
    pub staging_table_id: String,
}

/// Another zone (`zone`, a letter) of the staging VPC `vpc_id` made by [`staging_vpc`]: a
/// public subnet (`public_cidr`) routed to the VPC's internet gateway, and a staging subnet
/// (`staging_cidr`) whose own route table routes each of `routed` to the VPC's virtual private
/// gateway (made by [`staging_subnet`] for the first zone).
pub async fn staging_zone(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
    zone: &str,
    public_cidr: &str,
    staging_cidr: &str,
    routed: &[&str],
) -> Result<StagingZone, Error> {
    let attached = |name: &str| {
        aws_sdk_ec2::types::Filter::builder()
            .name(name)
            .values(vpc_id)
            .build()
    };
    let igw = ec2
        .describe_internet_gateways()
        .filters(attached("attachment.vpc-id"))
        .send()
        .await?
        .internet_gateways()
        .first()
        .and_then(|g| g.internet_gateway_id())
        .ok_or("the VPC has no internet gateway")?
        .to_string();
    let public_subnet_id = subnet(ec2, vpc_id, public_cidr, zone).await?;
    let public_table = route_table(ec2, vpc_id).await?;
    ec2.create_route()
        .route_table_id(&public_table)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(&igw)
        .send()
        .await?;
    ec2.associate_route_table()
        .route_table_id(&public_table)
        .subnet_id(&public_subnet_id)
        .send()
        .await?;
    let staging_subnet_id = subnet(ec2, vpc_id, staging_cidr, zone).await?;
    let staging_table_id = route_table(ec2, vpc_id).await?;
    ec2.associate_route_table()
        .route_table_id(&staging_table_id)
        .subnet_id(&staging_subnet_id)
        .send()
        .await?;
    if !routed.is_empty() {
        let vgw = ec2
            .describe_vpn_gateways()
            .filters(attached("attachment.vpc-id"))
            .send()
            .await?
            .vpn_gateways()
            .first()
            .and_then(|g| g.vpn_gateway_id())
            .ok_or("the VPC has no virtual private gateway")?
            .to_string();
        for destination in routed {
            ec2.create_route()
                .route_table_id(&staging_table_id)
                .destination_cidr_block(*destination)
                .gateway_id(&vgw)
                .send()
                .await?;
        }
    }
    Ok(StagingZone {
        public_subnet_id,
        staging_subnet_id,
        staging_table_id,
    })
}

/// A private staging VPC `vpc_cidr`: no internet gateway, and a staging subnet
/// (`staging_cidr`, see [`staging_subnet`]) whose route table routes each of `routed` to a
/// virtual private gateway.
pub async fn private_staging_vpc(
    ec2: &aws_sdk_ec2::Client,
    vpc_cidr: &str,
    staging_cidr: &str,
    routed: &[&str],
) -> Result<(String, String, String), Error> {
    let vpc_id = vpc(ec2, vpc_cidr).await?;
    let (subnet_id, table_id) = staging_subnet(ec2, &vpc_id, staging_cidr, routed).await?;
    Ok((vpc_id, subnet_id, table_id))
}

/// A public subnet `cidr` of `vpc_id` in zone `a`: an internet gateway attached to the VPC, and
/// a route table of the subnet's own sending `0.0.0.0/0` to it; the subnet's and the internet
/// gateway's ids.
pub async fn public_subnet(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
    cidr: &str,
) -> Result<(String, String), Error> {
    let subnet_id = subnet(ec2, vpc_id, cidr, "a").await?;
    let igw = ec2
        .create_internet_gateway()
        .send()
        .await?
        .internet_gateway()
        .and_then(|g| g.internet_gateway_id())
        .ok_or("CreateInternetGateway returned no id")?
        .to_string();
    ec2.attach_internet_gateway()
        .internet_gateway_id(&igw)
        .vpc_id(vpc_id)
        .send()
        .await?;
    let table = route_table(ec2, vpc_id).await?;
    ec2.create_route()
        .route_table_id(&table)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(&igw)
        .send()
        .await?;
    ec2.associate_route_table()
        .route_table_id(&table)
        .subnet_id(&subnet_id)
        .send()
        .await?;
    Ok((subnet_id, igw))
}
