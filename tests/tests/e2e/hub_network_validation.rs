//! Plan-time checks of `migration_hub_network`: each error on the exact attribute path, saying
//! what is wrong; unknown values and an unconfigured provider degrade to the offline checks.

use harness::{LaunchOptions, Terraform};
use terraform_provider_migration::protocol::diagnostics::{Diagnostic, Severity};

use crate::hub_network_support::*;

/// The errors of planning `body`, as (path, detail).
async fn plan_errors(world: &mut World, body: &str) -> Vec<(String, String)> {
    let plan = world.tf.plan(&world.config(body)).await.unwrap();
    paths(plan.errors())
}

fn paths(diagnostics: Vec<&Diagnostic>) -> Vec<(String, String)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d.attribute
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                format!("{}: {}", d.summary, d.detail),
            )
        })
        .collect()
}

fn at<'a>(errors: &'a [(String, String)], path: &str) -> Vec<&'a str> {
    errors
        .iter()
        .filter(|(p, _)| p == path)
        .map(|(_, d)| d.as_str())
        .collect()
}

fn attachment(key: &str, net: &Net, subnets: &[String], tables: &[String]) -> String {
    format!(
        "{key} = {{\n vpc_id = \"{}\"\n subnet_ids = {}\n route_table_ids = {}\n }}",
        net.vpc,
        list(subnets),
        list(tables)
    )
}

#[tokio::test]
async fn live_checks_name_the_attribute_at_fault() {
    let mut world = World::start().await;
    let a = world.vpc(1, 2, 1).await;
    let b = world.vpc(2, 1, 1).await;
    let c = world.vpc(1, 1, 0).await; // the same CIDR as a
    world.secondary_cidr(&b.vpc, "100.64.0.0/24").await;
    let same_zone = world.subnet(&a.vpc, "10.1.9.0/24", "a").await;
    // a's table already routes b's network to an internet gateway.
    let igw = world
        .aws
        .ec2
        .create_internet_gateway()
        .send()
        .await
        .unwrap()
        .internet_gateway()
        .unwrap()
        .internet_gateway_id()
        .unwrap()
        .to_string();
    world
        .aws
        .ec2
        .attach_internet_gateway()
        .internet_gateway_id(&igw)
        .vpc_id(&a.vpc)
        .send()
        .await
        .unwrap();
    world
        .aws
        .ec2
        .create_route()
        .route_table_id(&a.tables[0])
        .destination_cidr_block("10.2.0.0/16")
        .gateway_id(&igw)
        .send()
        .await
        .unwrap();
    let dx = world.direct_connect_gateway(64512).await;

    // Overlaps: a VPC with the same CIDR, a secondary CIDR inside the data center.
    let cgw = world.customer_gateway().await;
    let errors = plan_errors(
        &mut world,
        &format!(
            "name = \"hub\"\nvpc_attachments = {{\n{}\n{}\n{}\n}}\ndata_center = {{\n cidr_blocks = [\"100.64.0.0/16\"]\n vpn = {{ customer_gateway_id = \"{}\" }}\n}}",
            attachment("a", &a, &a.subnets, &[]),
            attachment("b", &b, &b.subnets, &[]),
            attachment("c", &c, &c.subnets, &[]),
            cgw,
        ),
    )
    .await;
    let c_errors = at(&errors, r#"vpc_attachments["c"].vpc_id"#);
    assert!(
        c_errors
            .iter()
            .any(|d| d.contains(&c.vpc) && d.contains(&a.vpc) && d.contains("on 10.1.0.0/16")),
        "{errors:#?}"
    );
    let b_errors = at(&errors, r#"vpc_attachments["b"].vpc_id"#);
    assert!(
        b_errors.iter().any(|d| d.contains(&b.vpc)
            && d.contains("the data center")
            && d.contains("on 100.64.0.0/24")),
        "{errors:#?}"
    );

    // A route in the way, a table of another VPC, two subnets in a zone, a subnet elsewhere.
    let errors = plan_errors(
        &mut world,
        &format!(
            "name = \"hub\"\nvpc_attachments = {{\n{}\n{}\n}}",
            attachment(
                "a",
                &a,
                &[a.subnets[0].clone(), same_zone.clone()],
                &a.tables
            ),
            attachment(
                "b",
                &b,
                &[b.subnets[0].clone(), a.subnets[1].clone()],
                &[a.tables[0].clone(), b.tables[0].clone()]
            ),
        ),
    )
    .await;
    let in_the_way = at(&errors, r#"vpc_attachments["a"].route_table_ids"#);
    assert!(
        in_the_way.iter().any(|d| d.contains("RouteAlreadyExists")
            && d.contains(&igw)
            && d.contains("10.2.0.0/16")),
        "{errors:#?}"
    );
    let zones = at(&errors, r#"vpc_attachments["a"].subnet_ids"#);
    assert!(
        zones
            .iter()
            .any(|d| d.contains(&same_zone) && d.contains("Availability Zone")),
        "{errors:#?}"
    );
    let b_subnets = at(&errors, r#"vpc_attachments["b"].subnet_ids"#);
    assert!(
        b_subnets
            .iter()
            .any(|d| d.contains(&a.subnets[1]) && d.contains(&a.vpc)),
        "{errors:#?}"
    );
    let b_tables = at(&errors, r#"vpc_attachments["b"].route_table_ids"#);
    assert!(
        b_tables
            .iter()
            .any(|d| d.contains(&a.tables[0]) && d.contains("belongs to")),
        "{errors:#?}"
    );

    // Direct Connect with the hub's own ASN; a missing VPC.
    let errors = plan_errors(
        &mut world,
        &format!(
            "name = \"hub\"\nvpc_attachments = {{\n missing = {{\n vpc_id = \"vpc-0000000000000dead\"\n subnet_ids = [\"subnet-0dead\"]\n }}\n}}\ndata_center = {{\n cidr_blocks = [\"192.168.0.0/16\"]\n direct_connect_gateway_id = \"{dx}\"\n}}"
        ),
    )
    .await;
    assert!(
        at(&errors, "data_center.direct_connect_gateway_id")[0].contains("64512"),
        "{errors:#?}"
    );
    assert!(
        at(&errors, r#"vpc_attachments["missing"].vpc_id"#)[0].contains("does not exist"),
        "{errors:#?}"
    );
}

#[tokio::test]
async fn offline_checks_run_in_validate_and_without_aws() {
    let mut world = World::start().await;
    let a = world.vpc(1, 1, 1).await;
    let body = format!(
        r#"name = "hub"
amazon_side_asn = 65535
share_with = ["o-abcdefghij"]
transit_gateway_cidr_blocks = ["10.99.0.1/24"]
vpc_attachments = {{
  one = {{
    vpc_id = "{vpc}"
    subnet_ids = ["{subnet}"]
  }}
  two = {{
    vpc_id = "{vpc}"
    subnet_ids = ["{subnet}"]
  }}
}}
data_center = {{
  cidr_blocks = ["192.168.1.0/16"]
}}
tags = {{ Name = "x" }}
timeouts = {{ create = "soon" }}"#,
        vpc = a.vpc,
        subnet = a.subnets[0]
    );
    let check = |errors: &[(String, String)]| {
        assert!(
            at(errors, "amazon_side_asn")[0].contains("64512–65534"),
            "{errors:#?}"
        );
        assert!(
            at(errors, "share_with")[0].contains("organization/o-abcdefghij"),
            "{errors:#?}"
        );
        assert!(
            at(errors, "transit_gateway_cidr_blocks")[0].contains("use 10.99.0.0/24"),
            "{errors:#?}"
        );
        assert!(
            at(errors, r#"vpc_attachments["two"].vpc_id"#)[0].contains(r#"vpc_attachments["one"]"#),
            "{errors:#?}"
        );
        assert!(
            at(errors, "data_center.cidr_blocks")[0].contains("use 192.168.0.0/16"),
            "{errors:#?}"
        );
        assert!(
            at(errors, "data_center")[0].contains("direct_connect_gateway_id"),
            "{errors:#?}"
        );
        assert!(!at(errors, r#"tags["Name"]"#).is_empty(), "{errors:#?}");
        assert!(!at(errors, "timeouts.create").is_empty(), "{errors:#?}");
    };
    let validated = world.tf.validate(&world.config(&body)).await.unwrap();
    let errors = paths(
        validated
            .iter()
            .filter(|(_, d)| d.severity == Severity::Error)
            .map(|(_, d)| d)
            .collect(),
    );
    check(&errors);

    // The provider configuration is unknown at plan time: offline checks only, no failure
    // on anything that needs AWS.
    let deferred = format!(
        "provider \"migration\" {{\n region = unknown()\n}}\nresource \"migration_hub_network\" \"hub\" {{\n{body}\n}}"
    );
    let plan = world.tf.plan(&deferred).await.unwrap();
    check(&paths(plan.errors()));
    let fine = "provider \"migration\" {\n region = unknown()\n}\nresource \"migration_hub_network\" \"hub\" {\n name = \"hub\"\n vpc_attachments = {\n one = {\n vpc_id = \"vpc-0000000000000dead\"\n subnet_ids = [\"subnet-0dead\"]\n }\n }\n}".to_string();
    let plan = world.tf.plan(&fine).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
}

#[tokio::test]
async fn unknown_values_and_missing_credentials_do_not_fail_the_plan() {
    let mut world = World::start().await;
    let a = world.vpc(1, 1, 1).await;
    let b = world.vpc(2, 1, 1).await;
    // The VPC id comes from a resource not created yet.
    let body = format!(
        "name = \"hub\"\nvpc_attachments = {{\n{}\n later = {{\n vpc_id = unknown()\n subnet_ids = [unknown()]\n }}\n}}",
        attachment("a", &a, &a.subnets, &a.tables)
    );
    let plan = world.tf.plan(&world.config(&body)).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    let planned = &plan.change(ADDRESS).unwrap().planned;
    assert!(get(planned, &["vpc_attachments", "later", "cidr_blocks"]).is_unknown());
    assert!(
        get(planned, &["routes"]).is_unknown(),
        "the mesh depends on the unknown VPC"
    );
    assert!(!get(planned, &["vpc_attachments", "a", "cidr_blocks"]).is_unknown());

    // No credentials at all (CI with skip_credentials_validation): warned, not failed, even
    // though b's table is listed under a (a live error with credentials).
    let mut anonymous = Terraform::new(LaunchOptions {
        env: vec![
            ("AWS_REGION".into(), "eu-west-1".into()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ],
        ..Default::default()
    });
    let text = format!(
        "{}\nresource \"migration_hub_network\" \"hub\" {{\n name = \"hub\"\n vpc_attachments = {{\n{}\n}}\n}}",
        world
            .emulator
            .provider_block("skip_credentials_validation = true"),
        attachment("a", &a, &a.subnets, &b.tables)
    );
    let plan = anonymous.plan(&text).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert!(
        plan.warnings()
            .iter()
            .any(|w| w.summary == "Live checks skipped"),
        "{:#?}",
        plan.diagnostics
    );
    let with_credentials = world
        .tf
        .plan(&world.config(&format!(
            "name = \"hub\"\nvpc_attachments = {{\n{}\n}}",
            attachment("a", &a, &a.subnets, &b.tables)
        )))
        .await
        .unwrap();
    assert!(
        with_credentials.has_errors(),
        "the same plan with credentials fails"
    );
}
