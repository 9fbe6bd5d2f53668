//! `migration_client_vpn_group_access` on real Terraform, as a user sees it: the configuration
//! is `tests/terraform/cases/client_vpn/` (every argument an input variable; the scenarios only
//! rewrite `terraform.tfvars.json`), against a Client VPN site seeded in the emulator (a
//! Managed AD with groups, an endpoint with subnets in two zones associated).

use std::collections::BTreeMap;
use std::time::Duration;

use harness::cli::{Cli, Severity, actions, diagnostics, resource_change};
use serde_json::{Value as Json, json};

use crate::scenario;
use crate::shapes::{GroupRules, authorization_rules, client_routes, rule_pairs};
use crate::world::{
    ACCOUNT, ClientRoute, Rule, Site, World, assert_no_changes, assert_nothing_left,
    assert_refresh_only_empty, delays_with, expected_line, generate_config_fails,
    import_changes_nothing, misplaced_identity_is_refused, saved_identity, small_delays, step,
    with,
};
use harness::emulator::REGION;

pub(crate) const ACCESS: &str = "migration_client_vpn_group_access.access";
const STAGING: &str = "10.10.0.0/16";
const DATA_CENTER: &str = "192.168.0.0/16";
const ENGINEERS_DESCRIPTION: &str = "engineers: Staging and the data center";

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![
        scenario!(create_plan_empty_and_destroy),
        scenario!(groups_update_in_place),
        scenario!(routing_and_options_update_in_place),
        scenario!(manage_routes_off_leaves_the_routes),
        scenario!(a_new_endpoint_replaces_the_access),
        scenario!(create_before_destroy_replacement_keeps_every_rule),
        scenario!(replace_without_create_before_destroy_authorizes_every_rule_again),
        scenario!(a_second_configuration_is_refused_unless_it_takes_over),
        scenario!(drift_shows_in_the_plan_and_apply_repairs_it),
        scenario!(import_block_then_empty_plan, needs "1.6"),
        scenario!(import_command_then_empty_plan),
        scenario!(generated_configuration_plans_only_the_import, needs "1.6"),
        scenario!(identity_is_saved_and_imports_the_access, needs "1.12"),
        scenario!(an_identity_of_another_region_is_refused, needs "1.12"),
        scenario!(unknown_inputs_plan_and_converge, needs "1.4"),
        scenario!(plan_time_errors_and_warnings_point_at_the_argument),
        scenario!(interrupted_apply_keeps_what_was_created),
        scenario!(interrupt_during_an_authorize_call_loses_nothing),
        scenario!(state_rules_and_routes_are_maps),
    ]
}

/// A world with the access's configuration and a Client VPN site whose directory has the
/// groups Engineers, Operations and Auditors.
pub(crate) struct Access {
    pub(crate) world: World,
    site: Site,
}

impl Access {
    pub(crate) async fn seed(cli: &Cli) -> Access {
        Access::seed_case(cli, "client_vpn").await
    }

    /// [`Access::seed`] with the configuration of another case (the same variables).
    async fn seed_case(cli: &Cli, case: &str) -> Access {
        let world = World::start(cli, case).await;
        let site = world
            .client_vpn_site(&["Engineers", "Operations", "Auditors"])
            .await;
        world.ws.init().await;
        Access { world, site }
    }

    /// Engineers reach staging and the data center, operations the data center; routes
    /// through every associated subnet (the default).
    pub(crate) fn vars(&self) -> Json {
        json!({
            "client_vpn_endpoint_id": self.site.endpoint_id,
            "directory_id": self.site.directory_id,
            "groups": {
                "engineers": {
                    "sid": self.site.sid("Engineers"),
                    "networks": [STAGING, DATA_CENTER],
                    "description": "Staging and the data center",
                },
                "operations": {
                    "sid": self.site.sid("Operations"),
                    "networks": [DATA_CENTER],
                },
            },
        })
    }

    async fn create(&self, vars: &Json) -> Json {
        self.world.ws.set_vars(vars);
        let applied = self.world.ws.apply(&[]).await.ok();
        assert!(
            applied.stdout.contains("Resources: 1 added"),
            "{}",
            applied.report("creates the access")
        );
        self.world.ws.resource(ACCESS).await.expect("in state")
    }

    fn rule(&self, group: &str, cidr: &str, description: &str) -> Rule {
        Rule {
            group: self.site.sid(group).to_string(),
            cidr: cidr.to_string(),
            description: Some(description.to_string()),
            status: "active".to_string(),
        }
    }

    /// The rules [`Access::vars`] makes.
    fn created_rules(&self) -> Vec<Rule> {
        sorted(vec![
            self.rule("Engineers", STAGING, ENGINEERS_DESCRIPTION),
            self.rule("Engineers", DATA_CENTER, ENGINEERS_DESCRIPTION),
            self.rule("Operations", DATA_CENTER, "operations"),
        ])
    }

    /// A route through subnet `zone` (0: a, 1: b) with `origin`.
    fn route(&self, cidr: &str, zone: usize, origin: &str) -> ClientRoute {
        (
            cidr.to_string(),
            self.site.subnets[zone].clone(),
            origin.to_string(),
        )
    }

    /// The routes AWS added when the two subnets were associated.
    fn association_routes(&self) -> Vec<ClientRoute> {
        vec![
            self.route(STAGING, 0, "associate"),
            self.route(STAGING, 1, "associate"),
        ]
    }

    /// The routes [`Access::vars`] leads to: the association routes, and one to the data
    /// center through each subnet.
    fn created_routes(&self) -> Vec<ClientRoute> {
        let mut routes = self.association_routes();
        routes.push(self.route(DATA_CENTER, 0, "add-route"));
        routes.push(self.route(DATA_CENTER, 1, "add-route"));
        sorted(routes)
    }

    async fn rules(&self) -> Vec<Rule> {
        self.world.rules(&self.site.endpoint_id).await
    }

    /// The endpoint's ownership tags (`migration:group-owner:<SID>`): SID → owning token.
    async fn owners(&self) -> BTreeMap<String, String> {
        let found = self
            .world
            .aws
            .ec2
            .describe_client_vpn_endpoints()
            .client_vpn_endpoint_ids(&self.site.endpoint_id)
            .send()
            .await
            .unwrap();
        found.client_vpn_endpoints()[0]
            .tags()
            .iter()
            .filter_map(|t| {
                let sid = t.key()?.strip_prefix("migration:group-owner:")?;
                let token = t.value()?.split_whitespace().next()?;
                Some((sid.to_string(), token.to_string()))
            })
            .collect()
    }

    async fn routes(&self) -> Vec<ClientRoute> {
        self.world.client_routes(&self.site.endpoint_id).await
    }
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items
}

/// Create from nothing: the plan adds one resource; after apply the plan and a
/// `-refresh-only` plan are empty; the endpoint holds exactly one rule per group and network
/// (described `<key>: <description>` or `<key>`) and a route to the data center through each
/// associated subnet (the association routes to the VPC are used, not duplicated); destroy
/// leaves no rule and only the association routes.
async fn create_plan_empty_and_destroy(cli: Cli) {
    let access = Access::seed(&cli).await;
    let ws = &access.world.ws;
    ws.set_vars(&access.vars());
    let plan = ws.plan(&[]).await;
    assert_eq!(plan.code, Some(2), "{}", plan.report("plans the access"));
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.report("plans one resource")
    );
    let state = access.create(&access.vars()).await;
    assert_eq!(state["id"], access.site.endpoint_id.as_str());
    assert_no_changes(ws, "create").await;
    assert_refresh_only_empty(ws, "create").await;
    assert_eq!(access.rules().await, access.created_rules());
    assert_eq!(access.routes().await, access.created_routes());

    let destroyed = ws.destroy(&[]).await.ok();
    assert!(
        destroyed.stdout.contains("Resources: 1 destroyed"),
        "{}",
        destroyed.report("destroys the access")
    );
    assert_eq!(access.rules().await, []);
    assert_eq!(access.routes().await, sorted(access.association_routes()));
    assert_nothing_left(&access.world.inventory().await);
}

/// The groups change in place, one step each: a group added by name (its SID looked up in the
/// directory), a network added to a group, a network removed, a description changed (that
/// group's rules re-described), a group removed (its rules revoked, the routes only it needed
/// deleted).
async fn groups_update_in_place(cli: Cli) {
    let access = Access::seed(&cli).await;
    let ws = &access.world.ws;
    let mut vars = access.vars();
    access.create(&vars).await;

    vars["groups"]["auditors"] = json!({"name": "Auditors", "networks": ["10.20.0.0/16"]});
    step(ws, &vars, ACCESS, &["update"], "a group added by name").await;
    let mut rules = access.created_rules();
    rules.push(access.rule("Auditors", "10.20.0.0/16", "auditors"));
    assert_eq!(access.rules().await, sorted(rules.clone()));
    let mut routes = access.created_routes();
    routes.push(access.route("10.20.0.0/16", 0, "add-route"));
    routes.push(access.route("10.20.0.0/16", 1, "add-route"));
    assert_eq!(access.routes().await, sorted(routes.clone()));

    vars["groups"]["operations"]["networks"] = json!([DATA_CENTER, "10.30.0.0/16"]);
    step(ws, &vars, ACCESS, &["update"], "a network added").await;
    rules.push(access.rule("Operations", "10.30.0.0/16", "operations"));
    assert_eq!(access.rules().await, sorted(rules.clone()));
    routes.push(access.route("10.30.0.0/16", 0, "add-route"));
    routes.push(access.route("10.30.0.0/16", 1, "add-route"));
    assert_eq!(access.routes().await, sorted(routes.clone()));

    vars["groups"]["engineers"]["networks"] = json!([STAGING]);
    step(ws, &vars, ACCESS, &["update"], "a network removed").await;
    rules.retain(|r| !(r.group == access.site.sid("Engineers") && r.cidr == DATA_CENTER));
    assert_eq!(access.rules().await, sorted(rules.clone()));
    assert_eq!(
        access.routes().await,
        sorted(routes.clone()),
        "operations still needs the route to the data center"
    );

    vars["groups"]["engineers"]["description"] = json!("Staging only");
    step(ws, &vars, ACCESS, &["update"], "a description").await;
    for rule in rules
        .iter_mut()
        .filter(|r| r.group == access.site.sid("Engineers"))
    {
        rule.description = Some("engineers: Staging only".to_string());
    }
    assert_eq!(access.rules().await, sorted(rules.clone()));

    vars["groups"].as_object_mut().unwrap().remove("auditors");
    step(ws, &vars, ACCESS, &["update"], "a group removed").await;
    rules.retain(|r| r.group != access.site.sid("Auditors"));
    assert_eq!(access.rules().await, sorted(rules));
    routes.retain(|r| r.0 != "10.20.0.0/16");
    assert_eq!(access.routes().await, sorted(routes));
}

/// The other arguments change in place: routes through one subnet only (the others' routes
/// deleted, AWS's association routes kept), `allow_internet` with `0.0.0.0/0` (the rule
/// authorized, and its routes), `directory_id` unset (nothing to do on AWS).
async fn routing_and_options_update_in_place(cli: Cli) {
    let access = Access::seed(&cli).await;
    let ws = &access.world.ws;
    let mut vars = access.vars();
    access.create(&vars).await;

    vars = with(&vars, json!({"route_subnet_ids": [access.site.subnets[0]]}));
    step(ws, &vars, ACCESS, &["update"], "route_subnet_ids").await;
    let mut routes = access.association_routes();
    routes.push(access.route(DATA_CENTER, 0, "add-route"));
    assert_eq!(access.routes().await, sorted(routes.clone()));

    vars = with(&vars, json!({"allow_internet": true}));
    vars["groups"]["operations"]["networks"] = json!([DATA_CENTER, "0.0.0.0/0"]);
    step(ws, &vars, ACCESS, &["update"], "allow_internet").await;
    let mut rules = access.created_rules();
    rules.push(access.rule("Operations", "0.0.0.0/0", "operations"));
    assert_eq!(access.rules().await, sorted(rules.clone()));
    routes.push(access.route("0.0.0.0/0", 0, "add-route"));
    assert_eq!(access.routes().await, sorted(routes.clone()));

    // Unset, it defaults to the endpoint's directory, which it already is.
    vars = with(&vars, json!({"directory_id": null}));
    step(ws, &vars, ACCESS, &["no-op"], "directory_id unset").await;
    assert_eq!(access.rules().await, sorted(rules));
    assert_eq!(access.routes().await, sorted(routes));
}

/// `manage_routes` switched off in place: the schema says "Setting it to `false` leaves
/// existing routes in place", so the routes to the data center stay on the endpoint while the
/// rules are untouched.
async fn manage_routes_off_leaves_the_routes(cli: Cli) {
    let access = Access::seed(&cli).await;
    let ws = &access.world.ws;
    let vars = access.vars();
    access.create(&vars).await;
    let vars = with(&vars, json!({"manage_routes": false}));
    step(ws, &vars, ACCESS, &["update"], "manage_routes").await;
    assert_eq!(access.rules().await, access.created_rules());
    assert_eq!(
        access.routes().await,
        access.created_routes(),
        "`manage_routes = false` leaves existing routes in place (schema description)"
    );
}

/// `client_vpn_endpoint_id` is the one argument that forces replacement (the provider
/// returns it in `requires_replace`): Terraform plans `["delete", "create"]`; the rules and
/// routes leave the old endpoint (only AWS's association routes stay) and exist on the new one.
async fn a_new_endpoint_replaces_the_access(cli: Cli) {
    let access = Access::seed(&cli).await;
    let world = &access.world;
    let second = world.second_endpoint(&access.site).await;
    access.create(&access.vars()).await;

    let vars = with(&access.vars(), json!({"client_vpn_endpoint_id": second}));
    let plan = step(
        &world.ws,
        &vars,
        ACCESS,
        &["delete", "create"],
        "another endpoint",
    )
    .await;
    let replacing = &resource_change(&plan, ACCESS).unwrap()["change"]["replace_paths"];
    assert_eq!(
        replacing,
        &json!([["client_vpn_endpoint_id"]]),
        "replaced because of the endpoint"
    );
    assert_eq!(access.rules().await, []);
    assert_eq!(access.routes().await, sorted(access.association_routes()));
    assert_eq!(world.rules(&second).await, access.created_rules());
    assert_eq!(world.client_routes(&second).await, access.created_routes());
}

/// `lifecycle { create_before_destroy = true }` and `terraform apply -replace`: the new instance
/// takes the rules over (a warning per group says so, nothing is authorized again), the old
/// instance's destroy leaves them (a warning says so), and a watcher polling the rules all
/// through the apply never sees one missing. The plan after is empty. (Issue 18: the old
/// instance's destroy used to revoke every rule the new one had just adopted.)
async fn create_before_destroy_replacement_keeps_every_rule(cli: Cli) {
    let access = Access::seed_case(&cli, "client_vpn").await;
    let ws = &access.world.ws;
    // The access of `client_vpn/`, replaced create-before-destroy (an override file merges the
    // lifecycle argument into the resource as written).
    ws.write(
        "replace_override.tf",
        "resource \"migration_client_vpn_group_access\" \"access\" {\n  lifecycle {\n    \
         create_before_destroy = true\n  }\n}\n",
    );
    access.create(&access.vars()).await;
    assert_eq!(access.rules().await, access.created_rules());
    let before = access.world.calls().await.len();

    let done = std::sync::atomic::AtomicBool::new(false);
    let watch = async {
        let mut polls = 0;
        let mut fewest = usize::MAX;
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            let active = access
                .rules()
                .await
                .iter()
                .filter(|r| r.status == "active")
                .count();
            fewest = fewest.min(active);
            polls += 1;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        (polls, fewest)
    };
    let replace = async {
        let applied = ws.apply(&[&format!("-replace={ACCESS}")]).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        applied
    };
    let (applied, (polls, fewest)) = tokio::join!(replace, watch);
    let applied = applied.ok();
    assert!(
        applied
            .stdout
            .contains("Resources: 1 added, 0 changed, 1 destroyed"),
        "{}",
        applied.report("replaces the access")
    );
    let output = format!("{}{}", applied.stdout, applied.stderr);
    assert!(
        output.contains("Taking over a group's rules from another instance"),
        "{}",
        applied.report("the new instance says it takes the rules over")
    );
    assert!(
        output.contains("Left to another instance"),
        "{}",
        applied.report("the old instance says what it left")
    );
    assert!(polls > 1, "the watcher polled during the apply ({polls})");
    assert_eq!(
        fewest,
        access.created_rules().len(),
        "at some moment of the replacement fewer rules were active"
    );
    let during: Vec<String> = access.world.calls().await[before..]
        .iter()
        .map(|c| c.action.clone())
        .filter(|a| {
            [
                "AuthorizeClientVpnIngress",
                "RevokeClientVpnIngress",
                "CreateClientVpnRoute",
                "DeleteClientVpnRoute",
            ]
            .contains(&a.as_str())
        })
        .collect();
    assert_eq!(during, Vec::<String>::new(), "no rule or route was touched");
    assert_eq!(access.rules().await, access.created_rules());
    assert_eq!(access.routes().await, access.created_routes());
    assert_no_changes(ws, "the replacement").await;
}

/// `terraform apply -replace` without `create_before_destroy`: the old instance's destroy
/// revokes its rules, deletes its routes and its ownership tags, then the new instance
/// authorizes every rule again and creates the routes (the short outage the docs describe).
/// After the apply every rule is active, every route there, and the endpoint's ownership tags
/// name the new instance only: nothing of the old one is left. The plan after is empty.
async fn replace_without_create_before_destroy_authorizes_every_rule_again(cli: Cli) {
    let access = Access::seed(&cli).await;
    let ws = &access.world.ws;
    access.create(&access.vars()).await;
    let before = access.owners().await;
    let old_tokens: std::collections::BTreeSet<&String> = before.values().collect();
    assert_eq!(old_tokens.len(), 1, "one owner: {before:?}");

    let replaced = ws.apply(&[&format!("-replace={ACCESS}")]).await.ok();
    assert!(
        replaced
            .stdout
            .contains("Resources: 1 added, 0 changed, 1 destroyed"),
        "{}",
        replaced.report("replaces the access")
    );
    assert_eq!(
        access.rules().await,
        access.created_rules(),
        "every rule active"
    );
    assert_eq!(access.routes().await, access.created_routes());
    let after = access.owners().await;
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "one claim per group"
    );
    for token in after.values() {
        assert!(
            !old_tokens.contains(token),
            "the old instance's claim is left: {after:?}"
        );
    }
    assert_eq!(
        after
            .values()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        1,
        "{after:?}"
    );
    assert_no_changes(ws, "the replacement").await;
}

/// Two configurations (two working directories, two states) on one endpoint: the second
/// wants the operations group with other networks than the first gave it, so its plan is
/// refused with the error on `groups["operations"]`, naming the SID and `take_over`. With
/// `take_over = true` (an override file) it takes the group over: its rules become the
/// second's. The first instance leaves the group from then on, with a warning on it: its
/// plan, apply and a plain destroy run, and the destroy revokes only the group it still owns
/// (engineers) and leaves the operations rule, saying so.
async fn a_second_configuration_is_refused_unless_it_takes_over(cli: Cli) {
    let access = Access::seed(&cli).await;
    let world = &access.world;
    access.create(&access.vars()).await;
    let operations = access.site.sid("Operations").to_string();

    let second = world.workspace("client-vpn-second");
    second.use_cases(&["client_vpn"]);
    let mut vars = access.vars();
    vars["groups"] = json!({"operations": {"sid": operations, "networks": [STAGING]}});
    second.set_vars(&vars);
    second.init().await;
    let refused = second.plan(&[]).await.failed();
    let found = diagnostics(&refused.output());
    let error = found
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap_or_else(|| panic!("no error\n{}", refused.report("plan")));
    assert_eq!(error.summary, "Group's rules owned by another instance");
    assert_eq!(error.address.as_deref(), Some(ACCESS), "{error:#?}");
    // On `groups["operations"]`: the line of `groups`, on every release.
    let line = harness::cli::case_line(
        "client_vpn",
        "main.tf",
        "groups                 = var.groups",
    );
    assert_eq!(
        error.location(),
        Some(format!("main.tf:{line}")),
        "{error:#?}"
    );
    let body = error.body.split_whitespace().collect::<Vec<_>>().join(" ");
    for needed in [
        operations.as_str(),
        "group \"operations\"",
        "take_over = true",
    ] {
        assert!(body.contains(needed), "{needed}: {error:#?}");
    }
    assert_eq!(
        access.rules().await,
        access.created_rules(),
        "nothing changed"
    );

    second.write(
        "take_over_override.tf",
        "resource \"migration_client_vpn_group_access\" \"access\" {\n  take_over = true\n}\n",
    );
    let taken = second.apply(&[]).await.ok();
    assert!(
        taken
            .output()
            .contains("Taking over a group's rules from another instance"),
        "{}",
        taken.report("takes the group over")
    );
    let operations_rule = access.rule("Operations", STAGING, "operations");
    let mut rules = access.created_rules();
    rules.retain(|r| r.group != operations);
    rules.push(operations_rule.clone());
    assert_eq!(access.rules().await, sorted(rules));
    second.assert_no_changes().await;

    // The former owner leaves the group, with a warning on `groups["operations"]`: its plan
    // and its apply only let the group's rule leave its state, and touch nothing in AWS.
    let former = world.ws.plan(&[]).await.ok();
    let found = diagnostics(&former.output());
    let held = found
        .iter()
        .find(|d| d.summary == "Group's rules held by another instance")
        .unwrap_or_else(|| panic!("no warning\n{}", former.report("the former owner's plan")));
    assert_eq!(held.severity, Severity::Warning, "{held:#?}");
    assert_eq!(
        held.location(),
        Some(format!("main.tf:{line}")),
        "{held:#?}"
    );
    assert!(
        !found.iter().any(|d| d.severity == Severity::Error),
        "{}",
        former.report("the former owner's plan")
    );
    let rules_before = access.rules().await;
    world.ws.apply(&[]).await.ok();
    assert_eq!(
        access.rules().await,
        rules_before,
        "the apply changed no rule"
    );
    world.ws.assert_no_changes().await;
    // A plain `terraform destroy` (its refresh is a normal plan) leaves the group.
    let destroyed = world.ws.destroy(&[]).await.ok();
    assert!(
        destroyed.output().contains("Left to another instance"),
        "{}",
        destroyed.report("the first instance's destroy says what it left")
    );
    assert_eq!(
        access.rules().await,
        vec![operations_rule],
        "the engineers' rules revoked, the operations rule left to the second instance"
    );
    second.assert_no_changes().await;
}

/// A rule revoked and a route deleted behind Terraform's back: a `-refresh-only` plan reports
/// them under "Objects have changed outside of Terraform"; a normal plan updates the access
/// (exit 2); applying authorizes exactly that rule and creates exactly that route; the plan
/// after is empty.
async fn drift_shows_in_the_plan_and_apply_repairs_it(cli: Cli) {
    let access = Access::seed(&cli).await;
    let world = &access.world;
    let ws = &world.ws;
    access.create(&access.vars()).await;
    let ec2 = &world.aws.ec2;
    ec2.revoke_client_vpn_ingress()
        .client_vpn_endpoint_id(&access.site.endpoint_id)
        .target_network_cidr(DATA_CENTER)
        .access_group_id(access.site.sid("Operations"))
        .send()
        .await
        .unwrap();
    ec2.delete_client_vpn_route()
        .client_vpn_endpoint_id(&access.site.endpoint_id)
        .destination_cidr_block(DATA_CENTER)
        .target_vpc_subnet_id(&access.site.subnets[1])
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let refresh_only = ws.plan(&["-refresh-only"]).await;
    assert_eq!(
        refresh_only.code,
        Some(2),
        "{}",
        refresh_only.report("refresh-only shows the drift")
    );
    assert!(
        refresh_only
            .stdout
            .contains("Objects have changed outside of Terraform")
            && refresh_only
                .stdout
                .contains(&format!("{ACCESS} has changed")),
        "{}",
        refresh_only.report("names the drift")
    );

    let (run, plan) = ws.plan_json(&[]).await;
    assert_eq!(actions(&plan, ACCESS), ["update"], "{}", run.report("plan"));
    let from = world.calls().await.len();
    ws.run(&["apply", "tfplan"]).await.ok();
    let made: Vec<String> = world.calls().await[from..]
        .iter()
        .filter(|c| c.error.is_none())
        .filter(|c| {
            [
                "AuthorizeClientVpnIngress",
                "RevokeClientVpnIngress",
                "CreateClientVpnRoute",
                "DeleteClientVpnRoute",
            ]
            .contains(&c.action.as_str())
        })
        .map(|c| c.action.clone())
        .collect();
    assert_eq!(
        sorted(made),
        ["AuthorizeClientVpnIngress", "CreateClientVpnRoute"]
    );
    assert_eq!(access.rules().await, access.created_rules());
    assert_eq!(access.routes().await, access.created_routes());
    assert_no_changes(ws, "the repair").await;
}

/// Creates the access from the main working directory, then a fresh one (no state) holding
/// `cases`.
async fn created_then_fresh(cli: &Cli, cases: &[&str]) -> (Access, harness::cli::Workspace) {
    let access = Access::seed(cli).await;
    access.create(&access.vars()).await;
    let fresh = access.world.workspace("client-vpn-import");
    fresh.use_cases(cases);
    (access, fresh)
}

/// An `import {}` block in a fresh working directory with the same configuration: the plan
/// imports and changes nothing, the apply imports, the next plan is empty.
async fn import_block_then_empty_plan(cli: Cli) {
    let (access, fresh) = created_then_fresh(&cli, &["client_vpn", "client_vpn_import"]).await;
    fresh.set_vars(&with(
        &access.vars(),
        json!({"import_id": access.site.endpoint_id}),
    ));
    fresh.init().await;
    import_changes_nothing(&fresh).await;
}

/// `terraform import` in a fresh working directory with the same configuration, then an empty
/// plan.
async fn import_command_then_empty_plan(cli: Cli) {
    let (access, fresh) = created_then_fresh(&cli, &["client_vpn"]).await;
    fresh.set_vars(&access.vars());
    fresh.init().await;
    let imported = fresh
        .run(&["import", ACCESS, &access.site.endpoint_id])
        .await;
    assert!(
        imported.success() && imported.stdout.contains("Import successful!"),
        "{}",
        imported.report("imports")
    );
    assert_no_changes(&fresh, "terraform import").await;
}

/// With only an import block, `plan -generate-config-out` writes the access's configuration;
/// planning with it imports and changes nothing, and after the apply the plan is empty.
/// Terraform 1.6 crashes generating it instead (see [`generate_config_fails`]).
async fn generated_configuration_plans_only_the_import(cli: Cli) {
    let (access, fresh) = created_then_fresh(&cli, &["provider", "client_vpn_import"]).await;
    fresh.set_vars(&json!({"import_id": access.site.endpoint_id}));
    fresh.init().await;
    let generated = fresh
        .run(&["plan", "-generate-config-out=generated.tf"])
        .await;
    if generate_config_fails(&cli, &generated, false) {
        return;
    }
    assert!(
        generated.success(),
        "{}",
        generated.report("generates configuration")
    );
    let config = fresh.read("generated.tf");
    let plan = fresh.plan(&[]).await;
    assert!(
        plan.stdout
            .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}\n--- generated.tf\n{config}",
        plan.report("imports without a change")
    );
    fresh.apply(&[]).await.ok();
    assert_no_changes(&fresh, "importing with the generated configuration").await;
}

/// Terraform ≥ 1.12 saves the access's identity (account, Region, endpoint id) after the apply;
/// in a fresh working directory an `import` block with only
/// `identity = { client_vpn_endpoint_id = … }` imports it with no change.
async fn identity_is_saved_and_imports_the_access(cli: Cli) {
    let (access, fresh) =
        created_then_fresh(&cli, &["client_vpn", "client_vpn_import_identity"]).await;
    let expected = json!({
        "account_id": ACCOUNT,
        "region": REGION,
        "client_vpn_endpoint_id": access.site.endpoint_id,
    });
    assert_eq!(saved_identity(&access.world.ws, ACCESS).await, expected);
    fresh.set_vars(&with(
        &access.vars(),
        json!({"import_endpoint_id": access.site.endpoint_id}),
    ));
    fresh.init().await;
    import_changes_nothing(&fresh).await;
    assert_eq!(saved_identity(&fresh, ACCESS).await, expected);
}

/// An `import` block whose identity names another Region is refused at plan, with an error
/// naming `region` and what to do.
async fn an_identity_of_another_region_is_refused(cli: Cli) {
    let (access, fresh) =
        created_then_fresh(&cli, &["client_vpn", "client_vpn_import_identity"]).await;
    fresh.set_vars(&with(
        &access.vars(),
        json!({"import_endpoint_id": access.site.endpoint_id, "import_region": "us-east-1"}),
    ));
    fresh.init().await;
    misplaced_identity_is_refused(&fresh, "region", "Identity of another Region").await;
    assert!(fresh.resource(ACCESS).await.is_none(), "nothing imported");
}

/// The endpoint id and both SIDs come from `terraform_data.ids.output`, unknown at plan time:
/// the plan succeeds, the apply converges (rules and routes as planned once known), the next
/// plan is empty.
async fn unknown_inputs_plan_and_converge(cli: Cli) {
    let world = World::start(&cli, "client_vpn_unknown").await;
    let site = world.client_vpn_site(&["Engineers", "Operations"]).await;
    world.ws.set_vars(&json!({"ids": {
        "client_vpn_endpoint_id": site.endpoint_id,
        "engineers_sid": site.sid("Engineers"),
        "operations_sid": site.sid("Operations"),
    }}));
    world.ws.init().await;
    let (run, plan) = world.ws.plan_json(&[]).await;
    assert!(
        run.stdout
            .contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "{}",
        run.report("plans both resources")
    );
    assert_eq!(actions(&plan, ACCESS), ["create"]);
    let unknown = &resource_change(&plan, ACCESS).unwrap()["change"]["after_unknown"];
    assert_eq!(unknown["client_vpn_endpoint_id"], true, "{unknown:#}");
    world.ws.run(&["apply", "tfplan"]).await.ok();
    assert_no_changes(&world.ws, "applying unknown inputs").await;
    let rules: Vec<(String, String)> = world
        .rules(&site.endpoint_id)
        .await
        .into_iter()
        .map(|r| (r.group, r.cidr))
        .collect();
    assert_eq!(
        rules,
        sorted(vec![
            (site.sid("Engineers").to_string(), STAGING.to_string()),
            (site.sid("Engineers").to_string(), DATA_CENTER.to_string()),
            (site.sid("Operations").to_string(), DATA_CENTER.to_string()),
        ])
    );
}

/// Findings at plan time, each on the line of the argument at fault in the case's main.tf:
/// `Error: Invalid SID` and `Error: Invalid network` (host bits set; the detail gives the
/// canonical form) fail the plan; `Warning: Network partly taken by another group's rule`
/// (longest-prefix shadowing) lets it through. Nothing is created.
async fn plan_time_errors_and_warnings_point_at_the_argument(cli: Cli) {
    const CASE: &str = "client_vpn_invalid";
    let world = World::start(&cli, CASE).await;
    let site = world.client_vpn_site(&["Engineers", "Operations"]).await;
    world.ws.init().await;
    let header = "resource \"migration_client_vpn_group_access\" \"access\"";
    let base = json!({
        "client_vpn_endpoint_id": site.endpoint_id,
        "engineers_sid": "S-1-5-21-not-a-sid",
        "engineers_networks": [STAGING],
        "operations_sid": site.sid("Operations"),
        "operations_networks": ["10.40.0.1/16"],
    });
    world.ws.set_vars(&base);
    let plan = world.ws.plan(&[]).await;
    assert_eq!(plan.code, Some(1), "{}", plan.report("fails"));
    let found = diagnostics(&plan.output());
    for (summary, needle, mention) in [
        (
            "Invalid SID",
            "sid      = var.engineers_sid",
            "\"S-1-5-21-not-a-sid\" is not a security identifier",
        ),
        (
            "Invalid network",
            "networks = var.operations_networks",
            "use 10.40.0.0/16",
        ),
    ] {
        let diagnostic = found
            .iter()
            .find(|d| d.severity == Severity::Error && d.summary == summary)
            .unwrap_or_else(|| panic!("no Error: {summary}\n{}", plan.report("plan")));
        assert_eq!(
            diagnostic.address.as_deref(),
            Some(ACCESS),
            "{diagnostic:#?}"
        );
        let line = expected_line(&cli, CASE, needle, header);
        assert_eq!(
            diagnostic.location(),
            Some(format!("main.tf:{line}")),
            "{summary} on the line of `{needle}`: {diagnostic:#?}"
        );
        assert!(diagnostic.body.contains(mention), "{diagnostic:#?}");
    }

    world.ws.set_vars(&with(
        &base,
        json!({
            "engineers_sid": site.sid("Engineers"),
            "engineers_networks": ["10.0.0.0/16"],
            "operations_networks": ["10.0.1.0/24"],
        }),
    ));
    let plan = world.ws.plan(&[]).await;
    assert_eq!(
        plan.code,
        Some(2),
        "{}",
        plan.report("plans, with a warning")
    );
    let warning = diagnostics(&plan.output())
        .into_iter()
        .find(|d| {
            d.severity == Severity::Warning
                && d.summary == "Network partly taken by another group's rule"
        })
        .unwrap_or_else(|| panic!("no warning\n{}", plan.report("plan")));
    let line = expected_line(&cli, CASE, "networks = var.engineers_networks", header);
    assert_eq!(
        warning.location(),
        Some(format!("main.tf:{line}")),
        "{warning:#?}"
    );
    assert!(
        warning.body.contains("10.0.1.0/24") && warning.body.contains("\"operations\""),
        "{warning:#?}"
    );
    assert_eq!(world.rules(&site.endpoint_id).await, [], "nothing created");
}

/// The rules of the endpoint (SID, CIDR) that are not in the state's `authorization_rules`.
async fn rules_not_in_state(access: &Access) -> Vec<(String, String)> {
    let listed = access.world.ws.run(&["state", "list"]).await.ok();
    assert!(
        listed.stdout.lines().any(|l| l.trim() == ACCESS),
        "{}",
        listed.report("the access is in state")
    );
    let values = access.world.ws.resource(ACCESS).await.unwrap();
    let saved = rule_pairs(&values);
    access
        .rules()
        .await
        .into_iter()
        .map(|r| (r.group, r.cidr))
        .filter(|pair| !saved.contains(pair))
        .collect()
}

/// After an interrupted create: a second apply without the slow transitions converges, the
/// next plan is empty, destroy leaves no rule.
async fn recovers_and_destroys(access: &Access) {
    let world = &access.world;
    world.emulator.configure(small_delays()).await.unwrap();
    world
        .emulator
        .configure(json!({"latency_ms": 0}))
        .await
        .unwrap();
    world.ws.apply(&[]).await.ok();
    assert_no_changes(&world.ws, "the second apply").await;
    assert_eq!(access.rules().await, access.created_rules());
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
}

/// Ctrl-C while the provider waits for rules being authorized (20 s each), once one
/// authorization was answered: Terraform returns within seconds (measured), with the access
/// and every rule authorized so far in state; a second apply converges, the next plan is
/// empty, destroy leaves no rule.
async fn interrupted_apply_keeps_what_was_created(cli: Cli) {
    let access = Access::seed(&cli).await;
    let world = &access.world;
    world.ws.set_vars(&access.vars());
    world
        .emulator
        .configure(delays_with(&[("client_vpn_rule.authorizing", 20.0)]))
        .await
        .unwrap();
    let running = world.ws.spawn(&["apply", "-auto-approve"]);
    world.wait_for_answers("AuthorizeClientVpnIngress", 1).await;
    world
        .interrupt(running, "client VPN, waiting for rules")
        .await;
    world.wait_until_quiet().await;
    assert!(!access.rules().await.is_empty(), "a rule was authorized");
    let lost = rules_not_in_state(&access).await;
    assert!(lost.is_empty(), "authorized but not in state: {lost:?}");
    recovers_and_destroys(&access).await;
}

/// Ctrl-C while an AuthorizeClientVpnIngress call is in flight (every AWS call takes 1 s):
/// AWS authorizes the rule whether or not the provider waits for the answer; the resource
/// records each rule before its call, so the rule must be in state once AWS has answered.
/// Terraform returns within seconds; the second apply converges and destroy leaves nothing.
async fn interrupt_during_an_authorize_call_loses_nothing(cli: Cli) {
    let access = Access::seed(&cli).await;
    let world = &access.world;
    world.ws.set_vars(&access.vars());
    world
        .emulator
        .configure(json!({"latency_ms": 1000}))
        .await
        .unwrap();
    let running = world.ws.spawn(&["apply", "-auto-approve"]);
    world.wait_for_call("AuthorizeClientVpnIngress").await;
    world
        .interrupt(running, "client VPN, during an authorize call")
        .await;
    world.wait_until_quiet().await;
    let lost = rules_not_in_state(&access).await;
    recovers_and_destroys(&access).await;
    assert!(
        lost.is_empty(),
        "rules AWS authorized for a call in flight at Ctrl-C are not in state: {lost:?}"
    );
}

/// The state's `authorization_rules` is a map keyed by group key and `routes` a map keyed by
/// destination (the list→map change). A route deleted out of band is one missing subnet in the
/// refreshed state, and the plan adds back exactly that one.
async fn state_rules_and_routes_are_maps(cli: Cli) {
    let access = Access::seed(&cli).await;
    let state = access.create(&access.vars()).await;
    let rules = authorization_rules(&state);
    let networks = |cidrs: &[&str], description: &str| {
        cidrs
            .iter()
            .map(|c| {
                (
                    c.to_string(),
                    (Some(description.to_string()), "active".to_string()),
                )
            })
            .collect()
    };
    assert_eq!(
        rules.get("engineers"),
        Some(&GroupRules {
            sid: access.site.sid("Engineers").to_string(),
            networks: networks(&[STAGING, DATA_CENTER], ENGINEERS_DESCRIPTION),
        })
    );
    assert_eq!(
        rules.get("operations"),
        Some(&GroupRules {
            sid: access.site.sid("Operations").to_string(),
            networks: networks(&[DATA_CENTER], "operations"),
        })
    );
    assert_eq!(rules.len(), 2);
    let active = |subnets: &[&str]| -> BTreeMap<String, String> {
        subnets
            .iter()
            .map(|s| (s.to_string(), "active".to_string()))
            .collect()
    };
    let both = active(&[&access.site.subnets[0], &access.site.subnets[1]]);
    let routes = client_routes(&state);
    assert_eq!(routes.get(DATA_CENTER), Some(&both));
    assert_eq!(routes.get(STAGING), Some(&both), "the association routes");

    access
        .world
        .aws
        .ec2
        .delete_client_vpn_route()
        .client_vpn_endpoint_id(&access.site.endpoint_id)
        .destination_cidr_block(DATA_CENTER)
        .target_vpc_subnet_id(&access.site.subnets[1])
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, plan) = access.world.ws.plan_json(&[]).await;
    let change = &resource_change(&plan, ACCESS).unwrap()["change"];
    let before = client_routes(&change["before"]);
    let after = client_routes(&change["after"]);
    assert_eq!(
        before.get(DATA_CENTER).map(|s| s.len()),
        Some(1),
        "the refreshed state lacks the deleted route"
    );
    assert_eq!(after.get(DATA_CENTER).map(|s| s.len()), Some(2));
    assert_eq!(before.get(STAGING), after.get(STAGING));
}
