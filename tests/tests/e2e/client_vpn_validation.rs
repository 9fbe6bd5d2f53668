//! Plan-time checks of `migration_client_vpn_group_access`, each on its attribute path: offline
//! ones, and those against the endpoint, its subnets, rules, routes and directory.

use harness::{LaunchOptions, Terraform};
use terraform_provider_migration::protocol::diagnostics::{Diagnostic, Severity};

use crate::client_vpn_fixture::{ADDRESS, DirectoryKind, OWNER, site, site_with};

/// The diagnostics at `path`.
fn at<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    path: &str,
) -> Vec<&'a Diagnostic> {
    diagnostics
        .into_iter()
        .filter(|d| d.attribute.as_ref().map(ToString::to_string).as_deref() == Some(path))
        .collect()
}

fn summaries(diagnostics: &[&Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(|d| d.summary.clone()).collect()
}

const SID_A: &str = "S-1-5-21-1004336348-1177238915-682003330-1104";
const SID_B: &str = "S-1-5-21-1004336348-1177238915-682003330-1105";

#[tokio::test]
async fn configuration_errors_point_at_their_attribute() {
    let mut tf = Terraform::new(LaunchOptions::default());
    let config = format!(
        r#"
provider "migration" {{
  region = "eu-west-1"
}}
resource "migration_client_vpn_group_access" "access" {{
  client_vpn_endpoint_id = "cvpn-endpoint-0123456789abcdef0"
  directory_id           = "corp.example.com"
  groups = {{
    no_sid   = {{ networks = ["10.0.0.0/16"] }}
    both     = {{ sid = "{SID_A}", name = "Engineers", networks = [] }}
    bad_sid  = {{ sid = "S-1-5-21-engineers", networks = [] }}
    lower    = {{ sid = "s-1-5-21-1004336348-1177238915-682003330-1106", networks = [] }}
    cidr     = {{ sid = "{SID_B}", networks = ["10.0.0.1/16", "fd00::/8"] }}
    internet = {{ sid = "S-1-5-21-1-2-3-4", networks = ["0.0.0.0/0"] }}
    dup      = {{ sid = "{SID_B}", networks = [] }}
  }}
  route_subnet_ids = ["sn-1"]
  timeouts = {{ create = "soon" }}
}}
"#
    );
    let diagnostics = tf.validate(&config).await.unwrap();
    let all: Vec<&Diagnostic> = diagnostics.iter().map(|(_, d)| d).collect();
    assert!(
        all.iter().all(|d| d.severity == Severity::Error),
        "{all:#?}"
    );
    let expect = |path: &str, summary: &str, detail_part: &str| {
        let found = at(all.iter().copied(), path);
        assert!(
            found
                .iter()
                .any(|d| d.summary == summary && d.detail.contains(detail_part)),
            "{path}: {summary} / {detail_part} not in {found:#?}"
        );
    };
    expect("directory_id", "Invalid directory ID", "d-");
    expect(
        r#"groups["no_sid"]"#,
        "Group has neither sid nor name",
        "S-1-5-21-",
    );
    expect(
        r#"groups["both"].name"#,
        "Both sid and name are set",
        "set only one",
    );
    expect(r#"groups["bad_sid"].sid"#, "Invalid SID", "Get-ADGroup");
    expect(
        r#"groups["lower"].sid"#,
        "SID not in canonical form",
        "\"S-1-5-21-1004336348-1177238915-682003330-1106\"",
    );
    expect(
        r#"groups["cidr"].networks"#,
        "Invalid network",
        "use 10.0.0.0/16",
    );
    expect(
        r#"groups["cidr"].networks"#,
        "Invalid network",
        "IPv4 CIDRs only",
    );
    expect(
        r#"groups["internet"].networks"#,
        "Internet access not allowed",
        "allow_internet = true",
    );
    // "cidr" sorts before "dup": the second group with the SID is the one reported.
    expect(r#"groups["dup"].sid"#, "Duplicate group SID", "\"cidr\"");
    expect("route_subnet_ids", "Invalid subnet ID", "sn-1");
    expect("timeouts.create", "Invalid timeout", "");
    assert_eq!(all.len(), 11, "{all:#?}");
}

#[tokio::test]
async fn aws_documented_shadowing_example_is_a_warning_naming_both_groups() {
    let site = site(&[]).await;
    let mut tf = site.terraform();
    // AWS's troubleshooting page: group A on 10.0.0.0/16 and group B on 10.0.1.0/24 means
    // group A's users are denied 10.0.1.0/24.
    let config = site.config(&format!(
        r#"
  groups = {{
    a = {{ sid = "{SID_A}", networks = ["10.0.0.0/16"] }}
    b = {{ sid = "{SID_B}", networks = ["10.0.1.0/24"] }}
  }}"#
    ));
    let plan = tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.diagnostics);
    let warnings = plan.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let warning = warnings[0];
    assert_eq!(
        warning.attribute.as_ref().unwrap().to_string(),
        r#"groups["a"].networks"#
    );
    assert_eq!(
        warning.summary,
        "Network partly taken by another group's rule"
    );
    for part in [
        "Group \"a\" is authorized for 10.0.0.0/16",
        "cannot reach 10.0.1.0/24",
        "only group \"b\" has a rule",
        "most specific matching rule",
    ] {
        assert!(
            warning.detail.contains(part),
            "{part:?} in {}",
            warning.detail
        );
    }
}

#[tokio::test]
async fn checks_against_the_endpoint_name_their_attribute() {
    let site = site(&[]).await;
    let [a, _, free] = site.subnets.clone();
    // A second subnet in the Availability Zone of an associated one can never be associated.
    let vpc = site
        .aws
        .ec2
        .describe_subnets()
        .subnet_ids(&a)
        .send()
        .await
        .unwrap();
    let vpc_id = vpc.subnets()[0].vpc_id().unwrap().to_string();
    let same_zone = harness::seed::subnet(&site.aws.ec2, &vpc_id, "10.10.9.0/24", "a")
        .await
        .unwrap();
    let missing = "subnet-0123456789abcdef0";
    let mut tf = site.terraform();
    let config = site.config(&format!(
        r#"
  groups = {{
    a = {{ sid = "{SID_A}", networks = ["10.0.0.0/16", "172.16.1.0/24"] }}
  }}
  route_subnet_ids = ["{free}", "{same_zone}", "{missing}"]"#
    ));
    let plan = tf.plan(&config).await.unwrap();
    let all: Vec<&Diagnostic> = plan.diagnostics.iter().map(|(_, d)| d).collect();
    let subnets = at(all.iter().copied(), "route_subnet_ids");
    let about = |subnet: &str| {
        subnets
            .iter()
            .find(|d| d.detail.starts_with(subnet))
            .unwrap_or_else(|| panic!("nothing about {subnet}: {subnets:#?}"))
    };
    let later = about(&free);
    assert_eq!(
        (later.severity, later.summary.as_str()),
        (Severity::Warning, "Route subnet not associated yet"),
        "its association may be created by the same configuration"
    );
    assert!(later.detail.contains("depends_on"));
    let never = about(&same_zone);
    assert_eq!(
        (never.severity, never.summary.as_str()),
        (Severity::Error, "Route subnet cannot be associated")
    );
    assert!(
        never.detail.contains(&format!("{a} is already associated")),
        "{}",
        never.detail
    );
    assert!(about(missing).detail.contains("does not exist"));
    let networks = at(all.iter().copied(), r#"groups["a"].networks"#);
    assert_eq!(summaries(&networks), ["Network overlaps the client CIDR"]);
    assert!(
        networks[0].detail.contains("172.16.1.0/24")
            && networks[0].detail.contains("172.16.0.0/22")
    );
    assert!(plan.has_errors());
}

#[tokio::test]
async fn a_route_subnet_still_unassociated_when_applying_fails_until_associated() {
    let site = site(&[]).await;
    let [a, _, later] = site.subnets.clone();
    let mut tf = site.terraform();
    let config = site.config(&format!(
        r#"
  groups = {{ a = {{ sid = "{SID_A}", networks = ["10.20.0.0/16"] }} }}
  route_subnet_ids = ["{a}", "{later}"]"#
    ));
    let applied = tf.apply(&config).await.unwrap();
    assert_eq!(
        summaries(&applied.plan.warnings()),
        ["Route subnet not associated yet"]
    );
    let errors = applied.errors();
    assert_eq!(summaries(&errors), ["Route subnet not associated"]);
    assert_eq!(
        errors[0].attribute.as_ref().unwrap().to_string(),
        "route_subnet_ids"
    );
    assert!(tf.state.is_empty(), "nothing was made");
    assert!(site.calls_of("AuthorizeClientVpnIngress").await.is_empty());

    site.aws
        .ec2
        .associate_client_vpn_target_network()
        .client_vpn_endpoint_id(&site.endpoint_id)
        .subnet_id(&later)
        .send()
        .await
        .unwrap();
    let applied = tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    assert!(
        applied.plan.warnings().is_empty(),
        "{:#?}",
        applied.plan.warnings()
    );
    let routes = site.routes().await;
    for subnet in [&a, &later] {
        assert!(routes.contains(&(
            "10.20.0.0/16".to_string(),
            subnet.clone(),
            "add-route".to_string()
        )));
    }
}

#[tokio::test]
async fn warnings_about_routes_redundancy_and_rules_for_all_groups() {
    let site = site(&[]).await;
    let [a, _, _] = site.subnets.clone();
    let ec2 = &site.aws.ec2;
    ec2.authorize_client_vpn_ingress()
        .client_vpn_endpoint_id(&site.endpoint_id)
        .target_network_cidr("10.60.0.0/16")
        .authorize_all_groups(true)
        .send()
        .await
        .unwrap();
    ec2.create_client_vpn_route()
        .client_vpn_endpoint_id(&site.endpoint_id)
        .destination_cidr_block("10.77.0.0/16")
        .target_vpc_subnet_id(&a)
        .send()
        .await
        .unwrap();
    let mut tf = site.terraform();
    let unmanaged_routes = site.config(&format!(
        r#"
  groups = {{ ops = {{ sid = "{SID_A}", networks = ["10.10.0.0/16", "10.90.0.0/16"] }} }}
  manage_routes = false"#
    ));
    let plan = tf.plan(&unmanaged_routes).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.diagnostics);
    let warnings = plan.warnings();
    let endpoint = at(warnings.iter().copied(), "client_vpn_endpoint_id");
    assert_eq!(
        summaries(&endpoint),
        ["Rules authorize all groups", "Routes without authorization"]
    );
    assert!(endpoint[0].detail.contains("10.60.0.0/16"));
    assert!(endpoint[1].detail.contains("10.77.0.0/16"));
    let networks = at(warnings.iter().copied(), r#"groups["ops"].networks"#);
    assert_eq!(summaries(&networks), ["Authorized network without a route"]);
    assert!(
        networks[0].detail.contains("10.90.0.0/16") && !networks[0].detail.contains("10.10.0.0/16"),
        "the VPC's CIDR has the route AWS added on association: {}",
        networks[0].detail
    );

    let one_zone = site.config(&format!(
        r#"
  groups = {{ ops = {{ sid = "{SID_A}", networks = ["10.10.0.0/16", "10.77.0.0/16"] }} }}
  route_subnet_ids = ["{a}"]"#
    ));
    let plan = tf.plan(&one_zone).await.unwrap();
    let warnings = plan.warnings();
    let subnets = at(warnings.iter().copied(), "route_subnet_ids");
    assert_eq!(summaries(&subnets), ["Routes without redundancy"]);
    assert!(subnets[0].detail.contains("eu-west-1a"));
    assert!(
        !summaries(&warnings).contains(&"Routes without authorization".to_string()),
        "10.77.0.0/16 is authorized now"
    );
}

#[tokio::test]
async fn group_names_need_managed_ad_and_must_exist() {
    let connector = site_with(DirectoryKind::AdConnector, &[]).await;
    let mut tf = connector.terraform();
    let by_name = |site: &crate::client_vpn_fixture::Site, name: &str| {
        site.config(&format!(
            r#"
  groups = {{ eng = {{ name = "{name}", networks = ["10.20.0.0/16"] }} }}"#
        ))
    };
    let plan = tf.plan(&by_name(&connector, "Engineers")).await.unwrap();
    let errors = plan.errors();
    let name = at(errors.iter().copied(), r#"groups["eng"].name"#);
    assert_eq!(
        summaries(&name),
        ["Group names need AWS Managed Microsoft AD"]
    );
    assert!(
        name[0].detail.contains("ADConnector") && name[0].detail.contains("SIDs must be given")
    );
    assert!(
        connector.calls_of("DescribeGroup").await.is_empty(),
        "no call that cannot work"
    );

    let managed = site(&["Engineers"]).await;
    let mut tf = managed.terraform();
    let plan = tf.plan(&by_name(&managed, "Nobody")).await.unwrap();
    let errors = plan.errors();
    let name = at(errors.iter().copied(), r#"groups["eng"].name"#);
    assert_eq!(summaries(&name), ["Group not found"]);
    assert!(
        name[0].detail.contains("\"Nobody\"") && name[0].detail.contains(&managed.directory_id)
    );
    let plan = tf.plan(&by_name(&managed, "Engineers")).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.diagnostics);
    let planned = &plan.change(ADDRESS).unwrap().planned;
    assert_eq!(
        planned.attr("groups").unwrap().as_map().unwrap()["eng"]
            .attr("sid")
            .and_then(|v| v.as_str()),
        Some(managed.sid("Engineers")),
        "the SID is known at plan time"
    );

    // Directory Service Data disabled on the directory: the plan fails saying how to enable it.
    managed.set_data_access(false).await;
    let plan = tf.plan(&by_name(&managed, "Engineers")).await.unwrap();
    let errors = plan.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0]
            .detail
            .contains("Directory Service Data is not enabled")
            && errors[0].detail.contains(&format!(
                "aws ds enable-directory-data-access --directory-id {}",
                managed.directory_id
            )),
        "{errors:#?}"
    );
}

#[tokio::test]
async fn directory_warnings() {
    let simple = site_with(DirectoryKind::SimpleAd, &[]).await;
    let mut tf = simple.terraform();
    let config = simple.config(&format!(
        r#"
  groups = {{ eng = {{ sid = "{SID_A}", networks = ["10.20.0.0/16"] }} }}"#
    ));
    let plan = tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.diagnostics);
    let warnings = plan.warnings();
    let endpoint = at(warnings.iter().copied(), "client_vpn_endpoint_id");
    assert_eq!(summaries(&endpoint), ["Simple AD directory"]);
    assert!(endpoint[0].detail.contains("AD Connector"));

    // A directory other than the one the endpoint authenticates against.
    let config = simple.config(&format!(
        r#"
  directory_id = "d-0123456789"
  groups = {{ eng = {{ sid = "{SID_A}", networks = ["10.20.0.0/16"] }} }}"#
    ));
    let plan = tf.plan(&config).await.unwrap();
    let warnings = plan.warnings();
    let directory = at(warnings.iter().copied(), "directory_id");
    assert_eq!(
        summaries(&directory),
        ["Not the endpoint's directory", "Directory not found"]
    );
    assert!(directory[0].detail.contains(&simple.directory_id));
}

#[tokio::test]
async fn the_rule_quota_counts_rules_this_resource_does_not_manage() {
    let site = site(&[]).await;
    for i in 0..196 {
        site.aws
            .ec2
            .authorize_client_vpn_ingress()
            .client_vpn_endpoint_id(&site.endpoint_id)
            .target_network_cidr(format!("10.200.{i}.0/24"))
            .access_group_id("S-1-5-21-9-9-9-9")
            .send()
            .await
            .unwrap();
    }
    let mut tf = site.terraform();
    let config = site.config(&format!(
        r#"
  groups = {{ a = {{ sid = "{SID_A}", networks = ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16", "10.5.0.0/16"] }} }}
  manage_routes = false"#
    ));
    let plan = tf.plan(&config).await.unwrap();
    let errors = plan.errors();
    let quota = at(errors.iter().copied(), "groups");
    assert_eq!(summaries(&quota), ["Too many authorization rules"]);
    assert!(
        quota[0]
            .detail
            .contains("201 authorization rules (5 from this resource, 196 others)"),
        "{}",
        quota[0].detail
    );
}

#[tokio::test]
async fn unknown_values_leave_the_checks_they_need_for_apply() {
    let site = site(&[]).await;
    let mut tf = site.terraform();
    let groups = format!(
        r#"
  groups = {{
    a = {{ sid = "{SID_A}", networks = ["10.0.0.0/16"] }}
    b = {{ sid = "{SID_B}", networks = ["10.0.1.0/24", unknown()] }}
  }}"#
    );
    // The endpoint is not created yet: everything about it is known after apply, and the
    // configuration's own checks still run.
    let config = format!(
        "{}\nresource \"migration_client_vpn_group_access\" \"access\" {{\n  \
         client_vpn_endpoint_id = unknown()\n{groups}\n}}\n",
        site.emulator.provider_block("")
    );
    let plan = tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.diagnostics);
    assert_eq!(
        summaries(&plan.warnings()),
        ["Network partly taken by another group's rule"]
    );
    let planned = &plan.change(ADDRESS).unwrap().planned;
    for name in [
        "id",
        "client_cidr_block",
        "authorization_rules",
        "routes",
        "route_subnet_ids",
    ] {
        assert!(planned.attr(name).unwrap().is_unknown(), "{name}");
    }
    assert_eq!(
        planned.attr("manage_routes").and_then(|v| v.as_bool()),
        Some(true)
    );
    assert_eq!(
        planned.attr("allow_internet").and_then(|v| v.as_bool()),
        Some(false)
    );

    // A provider configuration unknown at plan time: no AWS call, offline checks only.
    site.emulator.clear_calls().await.unwrap();
    let mut tf = site.terraform();
    let deferred = format!(
        r#"
provider "migration" {{
  region = unknown()
}}
resource "migration_client_vpn_group_access" "access" {{
  client_vpn_endpoint_id = "{}"
  {groups}
}}
"#,
        site.endpoint_id
    );
    let plan = tf.plan(&deferred).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.diagnostics);
    assert_eq!(
        summaries(&plan.warnings()),
        ["Network partly taken by another group's rule"]
    );
    assert!(site.emulator.calls(OWNER).await.unwrap().is_empty());
}

#[tokio::test]
async fn without_credentials_the_plan_runs_offline_checks_and_says_so() {
    let site = site(&[]).await;
    // A CI plan: credentials validation skipped, and no credentials anywhere.
    let mut tf = Terraform::new(LaunchOptions {
        env: vec![
            ("AWS_REGION".into(), "eu-west-1".into()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ],
        ..Default::default()
    });
    let config = site
        .config(&format!(
            r#"
  groups = {{
    a = {{ sid = "{SID_A}", networks = ["10.0.0.0/16"] }}
    b = {{ sid = "{SID_B}", networks = ["10.0.1.0/24"] }}
  }}"#
        ))
        .replace(
            "region = \"eu-west-1\"",
            "region = \"eu-west-1\"\n  skip_credentials_validation = true",
        );
    let started = std::time::Instant::now();
    let plan = tf.plan(&config).await.unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "no retries of what cannot succeed: {:?}",
        started.elapsed()
    );
    assert!(!plan.has_errors(), "{:#?}", plan.diagnostics);
    assert_eq!(
        summaries(&plan.warnings()),
        [
            "Planned without AWS access",
            "Network partly taken by another group's rule"
        ]
    );
    assert!(plan.warnings()[0].detail.contains("no AWS credentials"));
    let planned = &plan.change(ADDRESS).unwrap().planned;
    assert!(planned.attr("client_cidr_block").unwrap().is_unknown());
    assert!(
        !planned.attr("authorization_rules").unwrap().is_unknown(),
        "known from the configuration"
    );
}
