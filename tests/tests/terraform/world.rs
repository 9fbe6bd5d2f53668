//! One scenario's world: a fresh emulator with short state delays, the provider's AWS clients
//! for the account Terraform acts as, and a working directory whose `terraform` talks to that
//! emulator through the standard AWS environment variables (as a CI job would).
//!
//! Also what the scenarios share: the objects that exist before Terraform (VPCs with subnets in
//! distinct zones and route tables, a Direct Connect gateway, a customer gateway, a Client VPN
//! site with a Managed AD and its groups), readers of the emulator (inventory, call record, the
//! SDK's own describes, as `aws ec2 describe-…` would show a user), and the steps every
//! scenario takes (one change planned, shown, applied and re-planned).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use harness::cli::{Cli, Run, Running, Version, Workspace, actions, case_line};
use harness::emulator::{Call, Emulator};
use harness::seed;
use serde_json::{Value as Json, json};
use terraform_provider_migration::config::clients::AwsClients;

/// The account Terraform and the provider act as.
pub const ACCOUNT: &str = "111122223333";

/// How soon Terraform must return after a Ctrl-C, however long the provider's waits.
pub const INTERRUPT_LIMIT: Duration = Duration::from_secs(5);

pub struct World {
    pub emulator: Emulator,
    pub aws: AwsClients,
    pub ws: Workspace,
}

/// Delays short enough for a fast suite, long enough that every waiter really waits.
pub fn small_delays() -> Json {
    json!({"delays": {
        "transit_gateway.pending": 0.3,
        "transit_gateway.deleting": 0.2,
        "vpc_attachment.pending": 0.3,
        "vpc_attachment.deleting": 0.2,
        "vpc_attachment.modifying": 0.2,
        "vpn_attachment.pending": 0.2,
        "dx_association.associating": 0.3,
        "dx_association.updating": 0.2,
        "dx_association.disassociating": 0.2,
        "ram_association.associating": 0.1,
        "client_vpn_rule.authorizing": 0.2,
        "client_vpn_rule.revoking": 0.2,
        "client_vpn_route.creating": 0.2,
        "client_vpn_route.deleting": 0.2,
    }})
}

/// [`small_delays`] with some transitions made slow (seconds), e.g. to interrupt an apply
/// while the provider waits.
pub fn delays_with(slow: &[(&str, f64)]) -> Json {
    let mut config = small_delays();
    for (key, seconds) in slow {
        config["delays"][*key] = json!(seconds);
    }
    config
}

/// The environment of a Terraform run acting as `account` against `emulator`.
pub fn aws_env(emulator: &Emulator, account: &str) -> Vec<(String, String)> {
    let mut env = emulator.provider_env(account);
    env.push(("AWS_ENDPOINT_URL".into(), emulator.url.clone()));
    env
}

/// A VPC seeded for a hub: `10.<n>.0.0/16`, one subnet per zone, its route tables.
#[derive(Clone, Debug)]
pub struct Net {
    pub vpc: String,
    pub cidr: String,
    pub subnets: Vec<String>,
    pub tables: Vec<String>,
}

impl Net {
    /// This VPC as an element of the `vpc_attachments` variable: every subnet, every table.
    pub fn attachment(&self) -> Json {
        json!({
            "vpc_id": self.vpc,
            "subnet_ids": self.subnets,
            "route_table_ids": self.tables,
        })
    }
}

/// A Client VPN site: a VPC (10.10.0.0/16) with subnets in eu-west-1a, b and c, a Managed AD
/// with groups, and an endpoint (client CIDR 172.16.0.0/22) authenticating against it with the
/// subnets of a and b associated (which, as on AWS, adds a route to 10.10.0.0/16 through each).
#[derive(Clone, Debug)]
pub struct Site {
    pub vpc: String,
    pub endpoint_id: String,
    pub directory_id: String,
    pub subnets: [String; 3],
    /// Group name → SID.
    pub sids: BTreeMap<String, String>,
}

impl Site {
    pub fn sid(&self, group: &str) -> &str {
        &self.sids[group]
    }
}

/// A route of a Client VPN endpoint: (destination, target subnet, origin).
pub use harness::inspect::ClientVpnRoute as ClientRoute;
/// An authorization rule of a Client VPN endpoint, as DescribeClientVpnAuthorizationRules
/// reports it.
pub use harness::inspect::ClientVpnRule as Rule;

impl World {
    /// A world whose working directory holds the configuration of `case`.
    pub async fn start(cli: &Cli, case: &str) -> World {
        let world = World::empty(cli, case).await;
        world.ws.use_case(case);
        world
    }

    /// A world with an empty working directory named after `name`.
    pub async fn empty(cli: &Cli, name: &str) -> World {
        let emulator = Emulator::start().await.expect("emulator starts");
        emulator.configure(small_delays()).await.unwrap();
        let aws = emulator.clients(ACCOUNT).await.expect("clients");
        let ws = Workspace::new(cli, name, &aws_env(&emulator, ACCOUNT));
        World { emulator, aws, ws }
    }

    /// Another working directory with no state, talking to the same AWS (a colleague's
    /// checkout, or a lost state).
    pub fn workspace(&self, name: &str) -> Workspace {
        Workspace::new(&self.ws.cli, name, &aws_env(&self.emulator, ACCOUNT))
    }

    /// Every live object of the account, per kind.
    pub async fn inventory(&self) -> Json {
        self.emulator.inventory(ACCOUNT).await.expect("inventory")
    }

    /// The AWS calls made so far.
    pub async fn calls(&self) -> Vec<Call> {
        self.emulator.calls(ACCOUNT).await.expect("call record")
    }

    /// Waits until the call record holds a call of `action` (the provider reached that
    /// step), polling every 50 ms for up to a minute.
    pub async fn wait_for_call(&self, action: &str) {
        for _ in 0..1200 {
            if self.calls().await.iter().any(|c| c.action == action) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no {action} call within a minute");
    }

    /// Waits until `count` calls of `action` have been answered (the emulator recorded their
    /// end), polling every 50 ms for up to a minute.
    pub async fn wait_for_answers(&self, action: &str, count: usize) {
        for _ in 0..1200 {
            let answered = self
                .calls()
                .await
                .iter()
                .filter(|c| c.action == action && c.end.is_finite())
                .count();
            if answered >= count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("fewer than {count} {action} calls answered within a minute");
    }

    /// Waits until no AWS call is in flight (every call the emulator received is answered).
    pub async fn wait_until_quiet(&self) {
        for _ in 0..1200 {
            if self.calls().await.iter().all(|c| c.end.is_finite()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("AWS calls still in flight after a minute");
    }

    /// Sends Ctrl-C to `running` and waits for its end: Terraform must return within
    /// [`INTERRUPT_LIMIT`] and fail (an interrupted apply exits 1). Prints how long it took.
    pub async fn interrupt(&self, running: Running, what: &str) -> Run {
        let interrupted = Instant::now();
        running.interrupt();
        let run = running.finish(Duration::from_secs(60)).await;
        let returned_after = interrupted.elapsed();
        eprintln!(
            "[{}] {what}: terraform returned {:.2} s after SIGINT (exit {:?})",
            self.ws.cli.version,
            returned_after.as_secs_f64(),
            run.code
        );
        assert!(
            returned_after < INTERRUPT_LIMIT,
            "{}",
            run.report(&format!("returned {returned_after:?} after SIGINT"))
        );
        assert!(
            !run.success(),
            "{}",
            run.report("an interrupted apply fails")
        );
        assert!(
            run.output().contains("Interrupt received"),
            "{}",
            run.report("acknowledges the interrupt")
        );
        run
    }

    // ---- what exists before Terraform ----

    /// A VPC `10.<n>.0.0/16` with `zones` subnets `10.<n>.<i>.0/24` (one per zone, a, b, c)
    /// and `tables` route tables.
    pub async fn vpc(&self, n: u8, zones: usize, tables: usize) -> Net {
        self.vpc_with_cidr(&format!("10.{n}.0.0/16"), zones, tables)
            .await
    }

    /// A VPC with `cidr` (a /16 or longer), `zones` subnets carved from its start (/24s, or the
    /// whole CIDR for a /24) and `tables` route tables.
    pub async fn vpc_with_cidr(&self, cidr: &str, zones: usize, tables: usize) -> Net {
        let vpc = seed::vpc(&self.aws.ec2, cidr).await.unwrap();
        let net: ipnet::Ipv4Net = cidr.parse().unwrap();
        let subnet_cidrs: Vec<String> = if net.prefix_len() >= 24 {
            vec![net.to_string()]
        } else {
            net.subnets(24).unwrap().map(|s| s.to_string()).collect()
        };
        let mut subnets = Vec::new();
        for (i, zone) in ["a", "b", "c"].iter().take(zones).enumerate() {
            subnets.push(
                seed::subnet(&self.aws.ec2, &vpc, &subnet_cidrs[i], zone)
                    .await
                    .unwrap(),
            );
        }
        let mut route_tables = Vec::new();
        for _ in 0..tables {
            route_tables.push(seed::route_table(&self.aws.ec2, &vpc).await.unwrap());
        }
        Net {
            vpc,
            cidr: cidr.to_string(),
            subnets,
            tables: route_tables,
        }
    }

    /// Another route table of `vpc`; its id.
    pub async fn route_table(&self, vpc: &str) -> String {
        seed::route_table(&self.aws.ec2, vpc).await.unwrap()
    }

    /// A Direct Connect gateway with Amazon side `asn`; its id.
    pub async fn direct_connect_gateway(&self, asn: i64) -> String {
        seed::direct_connect_gateway(&self.aws.direct_connect, "data-center", asn)
            .await
            .unwrap()
    }

    /// A route in `table` (of `vpc`) to `destination` through a new internet gateway: a route
    /// in the way of the hub's. Returns the gateway's id.
    pub async fn route_in_the_way(&self, vpc: &str, table: &str, destination: &str) -> String {
        let ec2 = &self.aws.ec2;
        let igw = ec2
            .create_internet_gateway()
            .send()
            .await
            .unwrap()
            .internet_gateway()
            .unwrap()
            .internet_gateway_id()
            .unwrap()
            .to_string();
        ec2.attach_internet_gateway()
            .internet_gateway_id(&igw)
            .vpc_id(vpc)
            .send()
            .await
            .unwrap();
        ec2.create_route()
            .route_table_id(table)
            .destination_cidr_block(destination)
            .gateway_id(&igw)
            .send()
            .await
            .unwrap();
        igw
    }

    /// A Client VPN site ([`Site`]) whose directory has the groups `groups`.
    pub async fn client_vpn_site(&self, groups: &[&str]) -> Site {
        let net = self.vpc(10, 3, 0).await;
        let subnets: [String; 3] = net.subnets.clone().try_into().unwrap();
        let directory_id = seed::managed_ad(&self.aws.directory, &net.vpc, &subnets[..2])
            .await
            .unwrap();
        let mut sids = BTreeMap::new();
        for group in groups {
            let created = self
                .aws
                .directory_data
                .create_group()
                .directory_id(&directory_id)
                .sam_account_name(*group)
                .send()
                .await
                .unwrap();
            sids.insert(group.to_string(), created.sid().unwrap().to_string());
        }
        let endpoint_id = self.client_vpn_endpoint(&net.vpc, &directory_id).await;
        for subnet in &subnets[..2] {
            self.associate(&endpoint_id, subnet).await;
        }
        Site {
            vpc: net.vpc,
            endpoint_id,
            directory_id,
            subnets,
            sids,
        }
    }

    /// A Client VPN endpoint of this account on the Transit Gateway `tgw` (which needs a CIDR
    /// block), with `client_cidr`, authenticating against a Managed AD in a VPC of its own
    /// (10.<n>.0.0/16); its id.
    pub async fn client_vpn_endpoint_on(&self, tgw: &str, client_cidr: &str, n: u8) -> String {
        let net = self.vpc(n, 2, 0).await;
        let directory_id = seed::managed_ad(&self.aws.directory, &net.vpc, &net.subnets)
            .await
            .unwrap();
        seed::client_vpn_endpoint_on_transit_gateway(
            &self.aws.ec2,
            ACCOUNT,
            client_cidr,
            &directory_id,
            tgw,
        )
        .await
        .unwrap()
    }

    /// Another endpoint in the site's VPC, same directory, with the same two subnets
    /// associated; its id.
    pub async fn second_endpoint(&self, site: &Site) -> String {
        let endpoint_id = self
            .client_vpn_endpoint(&site.vpc, &site.directory_id)
            .await;
        for subnet in &site.subnets[..2] {
            self.associate(&endpoint_id, subnet).await;
        }
        endpoint_id
    }

    async fn client_vpn_endpoint(&self, vpc: &str, directory_id: &str) -> String {
        seed::client_vpn_endpoint(&self.aws.ec2, ACCOUNT, "172.16.0.0/22", directory_id, vpc)
            .await
            .unwrap()
    }

    async fn associate(&self, endpoint_id: &str, subnet: &str) {
        self.aws
            .ec2
            .associate_client_vpn_target_network()
            .client_vpn_endpoint_id(endpoint_id)
            .subnet_id(subnet)
            .send()
            .await
            .unwrap();
    }

    // ---- what AWS holds ----

    /// The Transit Gateway `id`, as DescribeTransitGateways reports it.
    pub async fn transit_gateway(&self, id: &str) -> aws_sdk_ec2::types::TransitGateway {
        self.aws
            .ec2
            .describe_transit_gateways()
            .transit_gateway_ids(id)
            .send()
            .await
            .unwrap()
            .transit_gateways()
            .first()
            .cloned()
            .unwrap_or_else(|| panic!("no Transit Gateway {id}"))
    }

    /// The VPC attachment `id`, as DescribeTransitGatewayVpcAttachments reports it.
    pub async fn vpc_attachment(
        &self,
        id: &str,
    ) -> aws_sdk_ec2::types::TransitGatewayVpcAttachment {
        self.aws
            .ec2
            .describe_transit_gateway_vpc_attachments()
            .transit_gateway_attachment_ids(id)
            .send()
            .await
            .unwrap()
            .transit_gateway_vpc_attachments()
            .first()
            .cloned()
            .unwrap_or_else(|| panic!("no VPC attachment {id}"))
    }

    /// Every rule of `endpoint`, sorted.
    pub async fn rules(&self, endpoint: &str) -> Vec<Rule> {
        harness::inspect::client_vpn_rules(&self.aws, endpoint).await
    }

    /// Every route of `endpoint`, sorted.
    pub async fn client_routes(&self, endpoint: &str) -> Vec<ClientRoute> {
        harness::inspect::client_vpn_routes(&self.aws, endpoint).await
    }
}

/// The objects of `kind` in an inventory.
pub fn objects<'a>(inventory: &'a Json, kind: &str) -> Vec<&'a Json> {
    inventory[kind]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// Kinds the provider creates, and how many of each `inventory` holds.
pub fn created_counts(inventory: &Json) -> Vec<(String, usize)> {
    const CREATED: &[&str] = &[
        "transit_gateways",
        "transit_gateway_attachments",
        "transit_gateway_route_tables",
        "vpc_routes_to_transit_gateways",
        "ram_resource_shares",
        "dx_gateway_associations",
        "client_vpn_authorization_rules",
    ];
    CREATED
        .iter()
        .map(|kind| (kind.to_string(), objects(inventory, kind).len()))
        .collect()
}

/// Objects of `kind` that belong to the hub `tgw`: the gateway itself, what is attached to
/// it, and what carries its owner tag.
pub fn ours<'a>(inventory: &'a Json, kind: &str, tgw: &str) -> Vec<&'a Json> {
    objects(inventory, kind)
        .into_iter()
        .filter(|o| {
            o["id"] == tgw || o["transit_gateway_id"] == tgw || o["tags"]["migration:owner"] == tgw
        })
        .collect()
}

/// Panics unless nothing the provider creates is left in `inventory` (Client VPN: no rule;
/// routes only those AWS added on association).
pub fn assert_nothing_left(inventory: &Json) {
    let left: Vec<_> = created_counts(inventory)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect();
    assert!(left.is_empty(), "destroy leaves nothing: {left:?}");
    let routes: Vec<&Json> = objects(inventory, "client_vpn_routes")
        .into_iter()
        .filter(|r| r["origin"] != "associate")
        .collect();
    assert!(routes.is_empty(), "Client VPN routes left: {routes:#?}");
}

/// The VPC routes to `tgw` in `inventory`, as (route table, destination), sorted.
pub fn vpc_routes(inventory: &Json, tgw: &str) -> Vec<(String, String)> {
    let mut routes: Vec<(String, String)> = ours(inventory, "vpc_routes_to_transit_gateways", tgw)
        .iter()
        .map(|r| {
            (
                r["route_table_id"].as_str().unwrap_or_default().to_string(),
                r["destination"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    routes.sort();
    routes
}

/// The pairs (route table, destination) every table of `nets` gets in a full mesh of `nets`
/// plus `others` (data center, Transit Gateway CIDR blocks), sorted.
pub fn mesh(nets: &[&Net], others: &[&str]) -> Vec<(String, String)> {
    let mut routes = Vec::new();
    for net in nets {
        for table in &net.tables {
            for other in nets.iter().filter(|o| o.vpc != net.vpc) {
                routes.push((table.clone(), other.cidr.clone()));
            }
            for destination in others {
                routes.push((table.clone(), destination.to_string()));
            }
        }
    }
    routes.sort();
    routes
}

/// Merges `changes` (an object) into the JSON object `base`: top-level keys replaced, `null`
/// removes a key.
pub fn with(base: &Json, changes: Json) -> Json {
    let mut merged = base.clone();
    for (key, value) in changes.as_object().expect("an object of changes") {
        if value.is_null() {
            merged.as_object_mut().unwrap().remove(key);
        } else {
            merged[key.as_str()] = value.clone();
        }
    }
    merged
}

/// A plan that should change nothing: `plan -detailed-exitcode` exits 0.
pub async fn assert_no_changes(ws: &Workspace, after: &str) -> Run {
    let run = ws.plan(&[]).await;
    assert_eq!(
        run.code,
        Some(0),
        "{}",
        run.report(&format!("should plan no change after {after}"))
    );
    run
}

/// A `-refresh-only` plan that finds nothing: exit 0 with `-detailed-exitcode`, "No changes."
///
/// Terraform 1.10 to 1.14 exit 2 instead, while printing "No changes." and showing no drift
/// (`resource_drift` empty, the refreshed state equal to the saved one): the behaviour reported
/// as hashicorp/terraform#36403 (with azurerm, on 1.10.5). Terraform ≤ 1.9.8 and 1.15.5 exit 0
/// for the same provider and state, and `terraform_data` alone exits 0 on every release, so
/// the trigger is some detail of a plugin's refreshed object that those releases count as a
/// change. From 1.15 a configuration that reads any data source exits 2 the same way, even
/// with only the built-in `terraform_remote_state`
/// (`directory_groups::refresh_only_with_a_builtin_data_source_exits_2`). On those releases
/// the text is asserted, and the code 2 accepted.
pub async fn assert_refresh_only_empty(ws: &Workspace, after: &str) -> Run {
    let run = ws.plan(&["-refresh-only"]).await;
    let version = ws.cli.version;
    let reads_data = run.stdout.contains("Read complete after");
    let known_exit_2 = (version >= Version(1, 10, 0) && version < Version(1, 15, 0))
        || (version >= Version(1, 15, 0) && reads_data);
    let accepted = match run.code {
        Some(0) => true,
        Some(2) => known_exit_2,
        _ => false,
    };
    assert!(
        accepted && run.stdout.contains("No changes."),
        "{}",
        run.report(&format!("refresh-only should find nothing after {after}"))
    );
    run
}

/// One step of a scenario: the variables become `vars`; `terraform plan -out` must plan
/// exactly `expected` (`["update"]`, `["delete", "create"]`, …) for `address` and nothing for
/// any other resource; the saved plan is applied; the plan after it is empty. Returns the shown
/// plan (`terraform show -json tfplan`).
pub async fn step(
    ws: &Workspace,
    vars: &Json,
    address: &str,
    expected: &[&str],
    what: &str,
) -> Json {
    ws.set_vars(vars);
    let (run, plan) = ws.plan_json(&[]).await;
    let planned = actions(&plan, address);
    assert_eq!(
        planned,
        expected,
        "{what}: planned actions for {address}\n{}",
        run.report("planned")
    );
    let others: Vec<(String, Vec<String>)> = plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["address"] != address)
        .map(|c| {
            (
                c["address"].as_str().unwrap_or_default().to_string(),
                actions(&plan, c["address"].as_str().unwrap_or_default()),
            )
        })
        .filter(|(_, a)| a.iter().any(|a| a != "no-op" && a != "read"))
        .collect();
    assert!(others.is_empty(), "{what}: other changes {others:?}");
    let applied = ws.run(&["apply", "tfplan"]).await;
    assert!(
        applied.success(),
        "{}",
        applied.report(&format!("{what}: applying the saved plan failed"))
    );
    assert_no_changes(ws, what).await;
    plan
}

/// A string attribute of a resource's values.
pub fn text(values: &Json, name: &str) -> String {
    values[name].as_str().unwrap_or_default().to_string()
}

/// The line a diagnostic about `needle`'s argument is reported on: the argument's own line on
/// Terraform ≥ 1.15; older releases cannot find an argument nested in an attribute's object
/// value and point at the resource block's header (hashicorp/terraform#33491).
pub fn expected_line(cli: &Cli, case: &str, needle: &str, header: &str) -> usize {
    if cli.version >= Version(1, 15, 0) {
        case_line(case, "main.tf", needle)
    } else {
        case_line(case, "main.tf", header)
    }
}

/// Whether `run` (a `plan -generate-config-out`) is one of the known Terraform failures of its
/// release, asserted exactly:
///
/// * before 1.8, a crash in `configschema.(*Block).Filter`: generating configuration filters
///   out read-only attributes, then dereferences the nested type of the attribute it just
///   dropped, so any schema with a computed-only nested attribute (`routes`,
///   `authorization_rules`) crashes it (hashicorp/terraform#34463, fixed by #34472 in January
///   2024; 1.6.6 has the bug, 1.8.4 not);
/// * on 1.8, when the resource has nested objects with read-only attributes
///   (`read_only_nested`: the hub's `vpc_attachments` and `data_center`), the generated value is
///   refused: `incorrect map element type: attributes "attachment_id", … are required`, or
///   `attribute "data_center": attributes "association_id", … are required`, whichever Terraform
///   meets first (1.9.8 generates it).
///
/// No 1.7 or early 1.9 release is installed to place either boundary exactly.
pub fn generate_config_fails(cli: &Cli, run: &Run, read_only_nested: bool) -> bool {
    let output = run.output();
    if cli.version < Version(1, 8, 0) {
        assert!(
            run.code == Some(11)
                && output.contains("TERRAFORM CRASH")
                && output.contains("configschema.(*Block).Filter")
                && output.contains("generateHCLStringAttributes"),
            "{}",
            run.report("should crash in configschema.(*Block).Filter on this release")
        );
        return true;
    }
    if cli.version < Version(1, 9, 0) && read_only_nested {
        let refused = output.contains("incorrect map element type: attributes \"attachment_id\"")
            || output.contains("attribute \"data_center\": attributes \"association_id\"");
        assert!(
            run.code == Some(1) && refused && output.contains(" are required"),
            "{}",
            run.report("should refuse the generated map of nested objects on this release")
        );
        return true;
    }
    false
}

/// Asserts the plan of an import that changes nothing, applies it, and asserts the plan after
/// is empty.
pub async fn import_changes_nothing(ws: &Workspace) {
    let plan = ws.plan(&[]).await;
    assert!(
        plan.stdout
            .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.report("imports without a change")
    );
    let applied = ws.apply(&[]).await.ok();
    assert!(
        applied
            .stdout
            .contains("Resources: 1 imported, 0 added, 0 changed, 0 destroyed."),
        "{}",
        applied.report("imports")
    );
    assert_no_changes(ws, "the import").await;
}

/// The resource identity Terraform saved for `address`, as `terraform show -json` prints it
/// (Terraform ≥ 1.12); `Null` when there is none.
pub async fn saved_identity(ws: &Workspace, address: &str) -> Json {
    let state = ws.state().await;
    state["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|resources| resources.iter().find(|r| r["address"] == address))
        .map(|r| r["identity"].clone())
        .unwrap_or(Json::Null)
}

/// Importing with an identity of another account or Region fails at plan, with the provider's
/// error naming the identity attribute and what to do; nothing is imported.
pub async fn misplaced_identity_is_refused(ws: &Workspace, attribute: &str, summary: &str) {
    let plan = ws.plan(&[]).await;
    assert_eq!(
        plan.code,
        Some(1),
        "{}",
        plan.report("refuses the identity")
    );
    let said = plan.output();
    assert!(
        said.contains(summary) && said.contains(&format!("\"{attribute}\"")),
        "{}",
        plan.report("names the identity attribute")
    );
    assert!(
        said.contains("configure the provider"),
        "{}",
        plan.report("says what to do")
    );
}
