//! The provider-defined functions on real Terraform (they need Terraform ≥ 1.8):
//! `cidr_overlaps` in an output, a `check` block and an output's `precondition`, through plan,
//! apply and `terraform output`; a bad CIDR shown on the argument; `terraform console`; and the
//! Registry example. `cidr_contains`, `cidr_subtract`, `cidr_summarize` and
//! `client_vpn_effective_group` the same way (case `functions_sets`), with a bad value of each
//! named on its argument and every function's Registry example planned. None of it configures the provider — Terraform calls functions on a
//! provider it does not configure — so these workspaces have no AWS environment at all.

use harness::cli::{Cli, Run, Workspace};
use harness::docs::repository_root;
use serde_json::{Value as Json, json};

use crate::scenario;

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![
        scenario!(overlaps_in_outputs_checks_and_preconditions, needs "1.8"),
        scenario!(a_bad_cidr_is_shown_on_the_argument, needs "1.8"),
        scenario!(console_evaluates_the_function, needs "1.8"),
        scenario!(the_registry_example_plans, needs "1.8"),
        scenario!(set_functions_in_outputs_checks_and_preconditions, needs "1.8"),
        scenario!(set_function_errors_name_the_argument_and_value, needs "1.8"),
        scenario!(the_set_function_examples_plan, needs "1.8"),
    ]
}

/// Everything Terraform printed with its line wrapping undone, for phrases it may wrap.
fn flat(run: &Run) -> String {
    run.output()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[track_caller]
fn assert_says(run: &Run, phrase: &str) {
    assert!(
        flat(run).contains(phrase),
        "{}",
        run.report(&format!("should say {phrase:?}"))
    );
}

async fn workspace(cli: &Cli, name: &str) -> Workspace {
    let ws = Workspace::new(cli, name, &[]);
    ws.use_case("functions");
    ws.init().await;
    ws
}

/// Two IPv4 blocks nested in a third (one of them listed twice under another name), an IPv6
/// pair, and a block that overlaps nothing.
fn networks() -> Json {
    json!({
        "dc": "10.0.0.0/8",
        "dup": "10.20.0.0/16",
        "staging": "10.20.0.0/16",
        "target": "172.16.0.0/16",
        "v6_app": "fd00:0:0:7::/64",
        "v6_hub": "fd00::/8",
    })
}

/// What cidr_overlaps answers for [`networks`] (map keys sorted: dc, dup, staging, target,
/// v6_app, v6_hub): every pair, in address order.
fn expected_pairs() -> Json {
    let pair = |wider: &str, wi: u32, narrower: &str, ni: u32| json!({"wider": wider, "wider_index": wi, "narrower": narrower, "narrower_index": ni});
    json!([
        pair("10.0.0.0/8", 0, "10.20.0.0/16", 1),
        pair("10.0.0.0/8", 0, "10.20.0.0/16", 2),
        pair("10.20.0.0/16", 1, "10.20.0.0/16", 2),
        pair("fd00::/8", 5, "fd00:0:0:7::/64", 4),
    ])
}

async fn overlaps_in_outputs_checks_and_preconditions(cli: Cli) {
    let ws = workspace(&cli, "functions").await;
    ws.set_vars(&json!({ "networks": networks() }));

    // The plan shows the pairs as an output, and the check warns naming them.
    let plan = ws.plan(&[]).await;
    assert_eq!(plan.code, Some(2), "{}", plan.report("plans new outputs"));
    for line in [
        "+ wider = \"10.0.0.0/8\"",
        "+ narrower = \"fd00:0:0:7::/64\"",
        "+ narrower_index = 4",
        "+ disjoint = false",
    ] {
        assert_says(&plan, line);
    }
    assert_says(&plan, "Check block assertion failed");
    assert_says(
        &plan,
        "Overlapping networks: dup (10.20.0.0/16) lies inside dc (10.0.0.0/8); staging \
         (10.20.0.0/16) lies inside dc (10.0.0.0/8); staging (10.20.0.0/16) lies inside dup \
         (10.20.0.0/16); v6_app (fd00:0:0:7::/64) lies inside v6_hub (fd00::/8).",
    );

    // Applied, the output holds exactly the pairs, in order.
    ws.apply(&[]).await.ok();
    let output = ws.run(&["output", "-json", "overlaps"]).await.ok();
    let saved: Json = serde_json::from_str(&output.stdout).expect("output JSON");
    assert_eq!(saved, expected_pairs());
    assert_eq!(
        ws.run(&["output", "-json", "disjoint"])
            .await
            .ok()
            .stdout
            .trim(),
        "false"
    );

    // A precondition on the same pairs fails the plan with their names.
    let refused = ws.plan(&["-var=require_disjoint=true"]).await.failed();
    assert_says(&refused, "precondition failed");
    assert_says(
        &refused,
        "v6_app (fd00:0:0:7::/64) lies inside v6_hub (fd00::/8).",
    );

    // Disjoint networks: no pairs, no warning, the precondition holds.
    ws.set_vars(&json!({
        "networks": {"a": "10.0.0.0/16", "b": "10.1.0.0/16", "c": "fd00::/16", "d": "fd01::/16"},
        "require_disjoint": true,
    }));
    let clean = ws.apply(&[]).await.ok();
    assert!(
        !flat(&clean).contains("Check block assertion failed"),
        "{}",
        clean.report("no overlap, no warning")
    );
    let output = ws.run(&["output", "-json", "overlaps"]).await.ok();
    assert_eq!(
        serde_json::from_str::<Json>(&output.stdout).unwrap(),
        json!([])
    );
}

async fn a_bad_cidr_is_shown_on_the_argument(cli: Cli) {
    let ws = workspace(&cli, "functions-bad-cidr").await;
    ws.set_vars(&json!({ "networks": {"dc": "10.0.0.0/8", "staging": "10.20.0.1/16"} }));
    let plan = ws.plan(&[]).await.failed();
    assert_says(&plan, "Error: Invalid function argument");
    // Terraform points at the call and names the parameter; the provider names the element and
    // the value, and the block meant.
    assert_says(
        &plan,
        "overlaps = provider::migration::cidr_overlaps(values(var.networks))",
    );
    assert_says(
        &plan,
        "while calling provider::migration::cidr_overlaps(cidrs)",
    );
    assert_says(
        &plan,
        "Invalid value for \"cidrs\" parameter: cidrs[1] = \"10.20.0.1/16\" is not a canonical \
         CIDR because its host bits are set: the network is \"10.20.0.0/16\".",
    );

    ws.set_vars(&json!({ "networks": {"dc": "10.0.0.0/8", "vpc": "vpc-0123"} }));
    let plan = ws.plan(&[]).await.failed();
    assert_says(
        &plan,
        "cidrs[1] = \"vpc-0123\" is not a CIDR block: expected an IPv4 or IPv6 network such as \
         \"10.0.0.0/16\" or \"fd00::/8\".",
    );
}

async fn console_evaluates_the_function(cli: Cli) {
    let ws = workspace(&cli, "functions-console").await;
    ws.set_vars(&json!({ "networks": {} }));
    // One expression per run: a piped console prints only its last result.
    let console = |expression: &str| {
        let ws = &ws;
        let input = format!("{expression}\n");
        async move { ws.run_with_stdin(&["console"], &input).await }
    };
    let run = console(r#"provider::migration::cidr_overlaps(["10.0.0.0/8", "10.1.0.0/16"])"#)
        .await
        .ok();
    // Terraform's own rendering of the result...
    for line in [
        "\"narrower\" = \"10.1.0.0/16\"",
        "\"narrower_index\" = 1",
        "\"wider\" = \"10.0.0.0/8\"",
        "\"wider_index\" = 0",
    ] {
        assert_says(&run, line);
    }
    let run = console(
        r#"jsonencode(provider::migration::cidr_overlaps(["fd00::/8", "10.0.0.0/16", "fd00:1::/64", "10.0.0.0/16"]))"#,
    )
    .await
    .ok();
    // ...and the exact value, through jsonencode (printed as a quoted string).
    let encoded = run
        .stdout
        .lines()
        .find(|l| l.starts_with("\"[{"))
        .unwrap_or_else(|| panic!("{}", run.report("prints the jsonencode result")));
    let text: String = serde_json::from_str(encoded).expect("a quoted string");
    let value: Json = serde_json::from_str(&text).expect("JSON inside");
    assert_eq!(
        value,
        json!([
            {"wider": "10.0.0.0/16", "wider_index": 1, "narrower": "10.0.0.0/16", "narrower_index": 3},
            {"wider": "fd00::/8", "wider_index": 0, "narrower": "fd00:1::/64", "narrower_index": 2},
        ])
    );

    let bad = console(r#"provider::migration::cidr_overlaps(["10.0.0.0/08"])"#)
        .await
        .failed();
    assert_says(&bad, "Error: Invalid function argument");
    assert_says(
        &bad,
        "cidrs[0] = \"10.0.0.0/08\" is not a canonical CIDR: AWS writes it \"10.0.0.0/8\"",
    );
}

async fn the_registry_example_plans(cli: Cli) {
    let ws = Workspace::new(&cli, "functions-example", &[]);
    ws.use_dir(&repository_root().join("examples/functions/cidr_overlaps"));
    ws.init().await;
    let plan = ws.plan(&[]).await;
    assert_eq!(plan.code, Some(2), "{}", plan.report("plans the output"));
    assert_says(
        &plan,
        "\"staging (10.20.0.0/16) lies inside data_center (10.0.0.0/8)\"",
    );
    assert_says(
        &plan,
        "Overlapping networks: 10.20.0.0/16 inside 10.0.0.0/8.",
    );
    ws.run(&["validate"]).await.ok();
}

/// Variables of case `functions_sets` with the database inside the VPC.
fn set_vars() -> Json {
    json!({
        "containment": {
            "subnet": ["10.0.0.0/16", "10.0.1.0/24"],
            "address": ["10.0.0.0/16", "10.0.255.255"],
            "outside": ["10.0.0.0/16", "10.1.0.0/24"],
            "wider": ["10.0.1.0/24", "10.0.0.0/16"],
            "v6": ["fd00::/8", "fd00::5"],
            "mixed": ["0.0.0.0/0", "fd00::5"],
        },
        "vpc_cidr": "10.0.0.0/16",
        "subnets": ["10.0.1.0/24", "10.0.0.0/24", "fd00::/8", "10.0.0.128/25", "10.0.4.0"],
        "routes": ["fd00:0:0:1::/64", "10.1.1.0/24", "10.1.0.0/24", "10.1.0.0/24", "10.1.3.0/24", "fd00::/64", "192.0.2.7"],
        "rules": {
            "ops": ["10.0.0.0/16", "172.16.0.0/16"],
            "dev": ["10.0.1.0/24"],
            "db": ["10.0.1.0/24", "fd00::/8"],
            "everyone": ["0.0.0.0/0"],
        },
        "destinations": {
            "build": "10.0.1.5",
            "app": "10.0.2.5",
            "internet": "8.8.8.8",
            "v6": "fd00::1",
            "link_local": "fe80::1",
            "split": "10.0.0.0/16",
        },
        "database": "10.0.9.9",
    })
}

async fn output_json(ws: &Workspace, name: &str) -> Json {
    let run = ws.run(&["output", "-json", name]).await.ok();
    serde_json::from_str(&run.stdout).unwrap_or_else(|_| panic!("{}", run.report("output JSON")))
}

async fn set_functions_in_outputs_checks_and_preconditions(cli: Cli) {
    let ws = Workspace::new(&cli, "functions-sets", &[]);
    ws.use_case("functions_sets");
    ws.init().await;
    ws.set_vars(&set_vars());

    let plan = ws.plan(&[]).await;
    assert_eq!(plan.code, Some(2), "{}", plan.report("plans new outputs"));
    assert_says(&plan, "+ \"10.0.2.0/23\",");
    assert_says(&plan, "+ \"10.1.0.0/23\",");
    assert!(
        !flat(&plan).contains("Check block assertion failed"),
        "{}",
        plan.report("the database is inside: no warning")
    );

    ws.apply(&[]).await.ok();
    assert_eq!(
        output_json(&ws, "contains").await,
        json!({"subnet": true, "address": true, "outside": false, "wider": false, "v6": true, "mixed": false})
    );
    // 10.0.0.0/16 without 10.0.0.0/24 (10.0.0.128/25 inside it), 10.0.1.0/24 and the address
    // 10.0.4.0; fd00::/8 is of the other family and changes nothing.
    assert_eq!(
        output_json(&ws, "free").await,
        json!([
            "10.0.2.0/23",
            "10.0.4.1/32",
            "10.0.4.2/31",
            "10.0.4.4/30",
            "10.0.4.8/29",
            "10.0.4.16/28",
            "10.0.4.32/27",
            "10.0.4.64/26",
            "10.0.4.128/25",
            "10.0.5.0/24",
            "10.0.6.0/23",
            "10.0.8.0/21",
            "10.0.16.0/20",
            "10.0.32.0/19",
            "10.0.64.0/18",
            "10.0.128.0/17",
        ])
    );
    assert_eq!(
        output_json(&ws, "summary").await,
        json!(["10.1.0.0/23", "10.1.3.0/24", "192.0.2.7/32", "fd00::/63"])
    );
    assert_eq!(
        output_json(&ws, "effective").await,
        json!({
            "build": ["db", "dev"],
            "app": ["ops"],
            "internet": ["everyone"],
            "v6": ["db"],
            "link_local": [],
            "split": [],
        })
    );
    assert_eq!(output_json(&ws, "nobody_is_null").await, json!(false));
    assert_eq!(output_json(&ws, "database_inside").await, json!(true));

    // The database moved outside the VPC: the check warns, the precondition fails the plan.
    let mut vars = set_vars();
    vars["database"] = json!("10.1.0.9");
    ws.set_vars(&vars);
    let warned = ws.plan(&[]).await;
    assert_says(&warned, "Check block assertion failed");
    assert_says(&warned, "The database 10.1.0.9 is outside 10.0.0.0/16.");
    let refused = ws.plan(&["-var=require_inside=true"]).await.failed();
    assert_says(&refused, "precondition failed");
    assert_says(&refused, "The database 10.1.0.9 is outside 10.0.0.0/16.");
}

async fn set_function_errors_name_the_argument_and_value(cli: Cli) {
    let ws = workspace(&cli, "functions-sets-errors").await;
    ws.set_vars(&json!({ "networks": {} }));
    // The console shows no source line nor the call; Terraform names the parameter, the
    // provider the element, the value and what to write.
    for (expression, said) in [
        (
            r#"provider::migration::cidr_contains("10.0.0.1/16", "10.0.0.1")"#,
            "Invalid value for \"container\" parameter: container = \"10.0.0.1/16\" is not a \
             canonical CIDR because its host bits are set: the network is \"10.0.0.0/16\".",
        ),
        (
            r#"provider::migration::cidr_subtract("10.0.0.0/16", ["10.0.1.0/24", "subnet-1"])"#,
            "Invalid value for \"remove\" parameter: remove[1] = \"subnet-1\" is not an IP \
             address or CIDR block",
        ),
        (
            r#"provider::migration::cidr_summarize(["10.0.0.0/24", "FD00::1"])"#,
            "Invalid value for \"cidrs\" parameter: cidrs[1] = \"FD00::1\" is not a canonical \
             IP address: AWS writes it \"fd00::1\".",
        ),
        (
            r#"provider::migration::client_vpn_effective_group({ops = ["10.0.0.0/16", "10.0.1.1/24"]}, "10.0.1.5")"#,
            "Invalid value for \"rules\" parameter: rules[\"ops\"][1] = \"10.0.1.1/24\" is not a \
             canonical CIDR because its host bits are set: the network is \"10.0.1.0/24\".",
        ),
    ] {
        let run = ws
            .run_with_stdin(&["console"], &format!("{expression}\n"))
            .await
            .failed();
        assert_says(&run, "Error: Invalid function argument");
        assert_says(&run, said);
    }
}

async fn the_set_function_examples_plan(cli: Cli) {
    let ws = Workspace::new(&cli, "functions-set-examples", &[]);
    for (example, phrases) in [
        (
            "cidr_contains",
            &["+ database_in_vpc = true", "+ subnet_in_vpc = false"][..],
        ),
        (
            "cidr_subtract",
            &["+ \"10.0.2.0/23\",", "+ \"10.0.128.0/17\","],
        ),
        (
            "cidr_summarize",
            &[
                "+ \"10.1.0.0/22\",",
                "+ \"10.9.0.5/32\",",
                "+ \"fd00::/63\",",
            ],
        ),
        (
            "client_vpn_effective_group",
            &[
                "+ build_server_group = \"dev\"",
                "Client VPN lets [\"dev\"] through to 10.0.1.5, not ops",
            ],
        ),
    ] {
        ws.use_dir(&repository_root().join("examples/functions").join(example));
        ws.init().await;
        let plan = ws.plan(&[]).await;
        assert_eq!(plan.code, Some(2), "{}", plan.report(example));
        for phrase in phrases {
            assert_says(&plan, phrase);
        }
    }
}
