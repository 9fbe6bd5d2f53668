//! Crash safety on real Terraform: the provider process killed (SIGKILL, as the OOM killer or a
//! lost CI runner does: no answer, no Shutdown) in the middle of a create, at a moment read from
//! the emulator's call record rather than slept for; then `terraform apply` again. AWS must
//! then hold exactly what one uninterrupted apply makes (no second Transit Gateway, share,
//! attachment, association, rule or route), the next plan must be empty with the unconfirmed
//! marker gone, and destroy must leave nothing.

use std::time::Duration;

use harness::cli::Cli;
use serde_json::{Value as Json, json};

use crate::client_vpn::{self, Access};
use crate::hub_network::{self, Hub};
use crate::scenario;
use crate::spoke::{SPOKE, SPOKE_ACCOUNT, TwoAccounts, two_account_delays};
use crate::world::{
    World, assert_no_changes, assert_nothing_left, created_counts, delays_with, objects,
    small_delays, with,
};

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![
        scenario!(hub_killed_once_the_transit_gateway_is_created),
        scenario!(hub_killed_once_the_share_is_created),
        scenario!(hub_killed_while_the_attachments_settle),
        scenario!(hub_killed_during_the_data_center_link),
        scenario!(hub_killed_during_the_routes),
        scenario!(hub_two_interrupts_while_the_attachments_settle),
        scenario!(client_vpn_killed_while_the_rules_settle),
        scenario!(client_vpn_killed_while_the_routes_settle),
        scenario!(hub_killed_during_an_update_adding_the_data_center),
        scenario!(hub_killed_during_an_update_adding_a_vpc),
        scenario!(hub_killed_during_an_updates_routes),
        scenario!(client_vpn_killed_during_an_update_adding_a_group),
        scenario!(hub_killed_during_destroy),
        scenario!(hub_killed_during_destroy_while_the_routes_go),
        scenario!(client_vpn_killed_during_destroy),
        scenario!(hub_converges_through_dropped_connections_and_server_errors),
        scenario!(spoke_killed_while_its_attachment_settles),
    ]
}

/// How the apply is cut short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cut {
    /// SIGKILL to the provider process.
    KillProvider,
    /// Two SIGINTs to Terraform: after the second it stops waiting for the provider and exits
    /// without saving what the provider was doing.
    TwoInterrupts,
}

/// Where a create is killed: once the emulator has answered `count` calls of `action` (`0`: as
/// soon as the first one arrives, while it is in flight), with `slow` transitions keeping the
/// provider busy there.
struct Moment {
    cut: Cut,
    what: &'static str,
    action: &'static str,
    count: usize,
    slow: &'static [(&'static str, f64)],
    /// Milliseconds every AWS call takes, so that the apply is still running when the moment
    /// comes (a phase with nothing to wait for would otherwise end before the kill).
    latency_ms: u64,
}

/// What the provider creates, by kind, in the emulator: the counts compared between a retried
/// and a clean apply (Client VPN routes without those AWS adds on association).
async fn made(world: &World) -> Vec<(String, usize)> {
    let inventory = world.inventory().await;
    let mut counts = created_counts(&inventory);
    let routes = objects(&inventory, "client_vpn_routes")
        .into_iter()
        .filter(|r| r["origin"] != "associate")
        .count();
    counts.push(("client_vpn_routes".to_string(), routes));
    counts
}

fn shown(counts: &[(String, usize)]) -> String {
    let shown: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(kind, n)| format!("{kind}={n}"))
        .collect();
    if shown.is_empty() {
        "nothing".to_string()
    } else {
        shown.join(" ")
    }
}

/// Runs `command` (`apply` or `destroy`) and cuts it short at `moment`, with the emulator
/// slowed as the moment asks; returns Terraform's run (which must have failed) once every AWS
/// call the dead process started has ended, with the emulator back at its usual pace. The call
/// record is cleared first, so that the moment counts only this command's calls.
async fn cut_short(cli: &Cli, world: &World, command: &str, moment: &Moment) -> harness::cli::Run {
    world.emulator.clear_calls().await.unwrap();
    world
        .emulator
        .configure(delays_with(moment.slow))
        .await
        .unwrap();
    world
        .emulator
        .configure(json!({"latency_ms": moment.latency_ms}))
        .await
        .unwrap();
    let running = world.ws.spawn(&[command, "-auto-approve"]);
    if moment.count == 0 {
        world.wait_for_call(moment.action).await;
    } else {
        world.wait_for_answers(moment.action, moment.count).await;
    }
    let crashed = match moment.cut {
        Cut::KillProvider => {
            let killed = world.ws.kill_providers();
            assert!(killed >= 1, "a provider process to kill");
            running.finish(Duration::from_secs(120)).await
        }
        Cut::TwoInterrupts => {
            running.interrupt();
            tokio::time::sleep(Duration::from_millis(200)).await;
            running.interrupt();
            let run = running.finish(Duration::from_secs(120)).await;
            // A provider Terraform no longer waits for must not keep working on its own.
            world.wait_until_quiet().await;
            let orphans = world.ws.kill_providers();
            eprintln!(
                "[{}] provider processes still running after Terraform exited: {orphans}",
                cli.version
            );
            run
        }
    };
    assert!(
        !crashed.success(),
        "{}",
        crashed.report(&format!("a {command} cut short {} fails", moment.what))
    );
    world.wait_until_quiet().await;
    world.emulator.configure(small_delays()).await.unwrap();
    world
        .emulator
        .configure(json!({"latency_ms": 0}))
        .await
        .unwrap();
    crashed
}

/// Starts the create of `address` (its variables already written), cuts it short at `moment`,
/// checks that Terraform saved nothing of it (when the provider was killed), applies again
/// (`adopts`: a resource whose retry must say it adopts what the dead process made, when
/// nothing was saved), and compares AWS with a clean apply of the same configuration, kind by
/// kind.
async fn killed_at(cli: &Cli, world: &World, address: &str, moment: Moment, adopts: bool) {
    cut_short(cli, world, "apply", &moment).await;
    // A killed provider never answers, so Terraform saves nothing; after two Ctrl-Cs it may
    // have saved the partial state the first one asked for, if it came before the second.
    let saved = world.ws.resource(address).await.is_some();
    assert!(
        !(saved && moment.cut == Cut::KillProvider),
        "Terraform saved nothing of {address} (the provider never answered)"
    );
    let adopts = adopts && !saved;
    let left = made(world).await;
    let retried = world.ws.apply(&[]).await.ok();
    assert_eq!(
        retried
            .output()
            .contains("Adopting what an interrupted apply made"),
        adopts,
        "{}",
        retried.report("the retry says whether it adopts")
    );
    let after_retry = made(world).await;
    assert_no_changes(&world.ws, "the retry").await;
    let inventory: Json = world.inventory().await;
    for gateway in objects(&inventory, "transit_gateways") {
        assert!(
            gateway["tags"].get("migration:unconfirmed").is_none(),
            "the refresh of the saved resource removed the unconfirmed marker: {gateway:#}"
        );
    }
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);

    // What one uninterrupted apply of the same configuration makes.
    world.ws.apply(&[]).await.ok();
    let clean = made(world).await;
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    eprintln!(
        "[{}] {address} cut ({:?}) {}: left {} | after the retry {} | one clean apply {} | \
         state saved before the retry: {saved}",
        cli.version,
        moment.cut,
        moment.what,
        shown(&left),
        shown(&after_retry),
        shown(&clean)
    );
    assert_eq!(
        after_retry, clean,
        "after the kill and a retry AWS holds what one clean apply makes, no more"
    );
}

async fn hub_killed_at(cli: Cli, moment: Moment) {
    let hub = Hub::seed(&cli).await;
    hub.world.ws.set_vars(&hub.vars());
    killed_at(&cli, &hub.world, hub_network::HUB, moment, true).await;
}

/// Killed while the new gateway is `pending`: before its owner tag, the share, anything else.
async fn hub_killed_once_the_transit_gateway_is_created(cli: Cli) {
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "once the Transit Gateway is created",
        action: "CreateTransitGateway",
        count: 1,
        slow: &[("transit_gateway.pending", 5.0)],
        latency_ms: 0,
    };
    hub_killed_at(cli, moment).await;
}

/// Killed once the RAM share is created (with the gateway in it and the owner tag on it), before
/// the attachments.
async fn hub_killed_once_the_share_is_created(cli: Cli) {
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "once the share is created",
        action: "CreateResourceShare",
        count: 1,
        slow: &[
            ("transit_gateway.pending", 1.0),
            ("vpc_attachment.pending", 10.0),
        ],
        latency_ms: 0,
    };
    hub_killed_at(cli, moment).await;
}

/// Killed once both VPC attachments are created, while they are `pending`.
async fn hub_killed_while_the_attachments_settle(cli: Cli) {
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "while the attachments settle",
        action: "CreateTransitGatewayVpcAttachment",
        count: 2,
        slow: &[("vpc_attachment.pending", 10.0)],
        latency_ms: 0,
    };
    hub_killed_at(cli, moment).await;
}

/// Killed once the Direct Connect gateway association is created, while it is `associating`.
async fn hub_killed_during_the_data_center_link(cli: Cli) {
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "during the data center link",
        action: "CreateDirectConnectGatewayAssociation",
        count: 1,
        slow: &[("dx_association.associating", 10.0)],
        latency_ms: 0,
    };
    hub_killed_at(cli, moment).await;
}

/// Killed while the first VPC route to the gateway is being created (every call takes 1 s): the
/// emulator makes the route, the provider never hears of it, and the retry must adopt it (AWS
/// refuses a second route to the same destination).
async fn hub_killed_during_the_routes(cli: Cli) {
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "during the routes",
        action: "CreateRoute",
        count: 0,
        slow: &[],
        latency_ms: 1000,
    };
    hub_killed_at(cli, moment).await;
}

/// Ctrl-C twice once both VPC attachments are created, while they are `pending`.
async fn hub_two_interrupts_while_the_attachments_settle(cli: Cli) {
    let moment = Moment {
        cut: Cut::TwoInterrupts,
        what: "while the attachments settle",
        action: "CreateTransitGatewayVpcAttachment",
        count: 2,
        slow: &[("vpc_attachment.pending", 10.0)],
        latency_ms: 0,
    };
    hub_killed_at(cli, moment).await;
}

/// Killed once the first rule is authorized, while it is `authorizing`: AWS refuses a second
/// rule of the same SID and network, and the resource adopts the first (no marker needed, so
/// no adoption warning).
async fn client_vpn_killed_while_the_rules_settle(cli: Cli) {
    let access = Access::seed(&cli).await;
    access.world.ws.set_vars(&access.vars());
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "while the rules settle",
        action: "AuthorizeClientVpnIngress",
        count: 1,
        slow: &[("client_vpn_rule.authorizing", 10.0)],
        latency_ms: 0,
    };
    killed_at(&cli, &access.world, client_vpn::ACCESS, moment, false).await;
}

/// Applies `vars`, then cuts the destroy of `address` short at `moment`: the state keeps the
/// resource (the provider never answered), and a second destroy removes what is left.
async fn killed_during_destroy(
    cli: &Cli,
    world: &World,
    address: &str,
    vars: &Json,
    moment: Moment,
) {
    world.ws.set_vars(vars);
    world.ws.apply(&[]).await.ok();
    cut_short(cli, world, "destroy", &moment).await;
    assert!(
        world.ws.resource(address).await.is_some(),
        "{address} stays in state until a destroy finishes"
    );
    let left = made(world).await;
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    eprintln!(
        "[{}] {address} cut ({:?}) during destroy {}: left {} | after a second destroy: nothing",
        cli.version,
        moment.cut,
        moment.what,
        shown(&left)
    );
}

/// Killed during a destroy, once the first VPC attachment is deleted.
async fn hub_killed_during_destroy(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "once the first attachment is deleted",
        action: "DeleteTransitGatewayVpcAttachment",
        count: 1,
        slow: &[("vpc_attachment.deleting", 10.0)],
        latency_ms: 0,
    };
    killed_during_destroy(&cli, &hub.world, hub_network::HUB, &hub.vars(), moment).await;
}

/// Killed during a destroy while the first VPC route is being deleted (every call takes 1 s).
async fn hub_killed_during_destroy_while_the_routes_go(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "while the routes are deleted",
        action: "DeleteRoute",
        count: 0,
        slow: &[],
        latency_ms: 1000,
    };
    killed_during_destroy(&cli, &hub.world, hub_network::HUB, &hub.vars(), moment).await;
}

/// Killed during a destroy, once the first authorization rule is revoked, while it is
/// `revoking`.
async fn client_vpn_killed_during_destroy(cli: Cli) {
    let access = Access::seed(&cli).await;
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "while the rules are revoked",
        action: "RevokeClientVpnIngress",
        count: 1,
        slow: &[("client_vpn_rule.revoking", 10.0)],
        latency_ms: 0,
    };
    killed_during_destroy(
        &cli,
        &access.world,
        client_vpn::ACCESS,
        &access.vars(),
        moment,
    )
    .await;
}

/// One AWS call in ten fails (seeded): half by a dropped connection, half by a 500 error, on
/// every API, through a create, a no-op plan and a destroy. Each command may have to be run
/// again, as a user would; the hub converges to what one clean apply makes, with no duplicate,
/// and the destroy leaves nothing.
async fn hub_converges_through_dropped_connections_and_server_errors(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    world.ws.set_vars(&hub.vars());
    world.ws.apply(&[]).await.ok();
    let clean = made(world).await;
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    world.emulator.clear_calls().await.unwrap();

    world
        .emulator
        .configure(json!({"faults": [
            {"action": "*", "drop_connection": true, "count": -1, "probability": 0.05, "seed": 7},
            {"action": "*", "error": "InternalError", "status": 500, "count": -1,
             "probability": 0.05, "seed": 11},
        ]}))
        .await
        .unwrap();
    let mut attempts = Vec::new();
    for command in [
        &["apply", "-auto-approve"][..],
        &["plan", "-detailed-exitcode"][..],
    ] {
        let mut runs = 0;
        loop {
            runs += 1;
            let run = world.ws.run(command).await;
            let done = match command[0] {
                "plan" => run.code == Some(0),
                _ => run.success(),
            };
            if done {
                break;
            }
            assert!(
                runs < 3,
                "{}",
                run.report(&format!("{} still fails after {runs} runs", command[0]))
            );
        }
        attempts.push(format!("{} ×{runs}", command[0]));
    }
    let faulted = made(world).await;
    let mut destroys = 0;
    loop {
        destroys += 1;
        let run = world.ws.destroy(&[]).await;
        if run.success() {
            break;
        }
        assert!(destroys < 3, "{}", run.report("destroy still fails"));
    }
    attempts.push(format!("destroy ×{destroys}"));
    let calls = world.calls().await;
    let failed = calls.iter().filter(|c| c.error.is_some()).count();
    world
        .emulator
        .configure(json!({"faults": []}))
        .await
        .unwrap();
    assert_nothing_left(&world.inventory().await);
    eprintln!(
        "[{}] 10 % faults: {} of {} calls failed; runs: {}; after apply {} | clean {}",
        cli.version,
        failed,
        calls.len(),
        attempts.join(", "),
        shown(&faulted),
        shown(&clean)
    );
    assert_eq!(faulted, clean, "no duplicate, nothing missing");
}

/// Killed once the first Client VPN route is created, while it is `creating`.
async fn client_vpn_killed_while_the_routes_settle(cli: Cli) {
    let access = Access::seed(&cli).await;
    access.world.ws.set_vars(&access.vars());
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "while the routes settle",
        action: "CreateClientVpnRoute",
        count: 1,
        slow: &[("client_vpn_route.creating", 10.0)],
        latency_ms: 0,
    };
    killed_at(&cli, &access.world, client_vpn::ACCESS, moment, false).await;
}

/// An update cut short: `before` is applied, then the update to `after` is killed at `moment`.
/// The state still holds the resource as it was; the retry must find what the dead process
/// made instead of asking for it again, and end where one clean apply of `after` ends.
async fn killed_during_update(
    cli: &Cli,
    world: &World,
    address: &str,
    before: &Json,
    after: &Json,
    moment: Moment,
) {
    world.ws.set_vars(before);
    world.ws.apply(&[]).await.ok();
    world.ws.set_vars(after);
    cut_short(cli, world, "apply", &moment).await;
    assert!(
        world.ws.resource(address).await.is_some(),
        "{address} stays in state through an update the provider never answered"
    );
    let left = made(world).await;
    world.ws.apply(&[]).await.ok();
    let after_retry = made(world).await;
    assert_no_changes(&world.ws, "the retried update").await;
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    world.ws.apply(&[]).await.ok();
    let clean = made(world).await;
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    eprintln!(
        "[{}] {address} cut ({:?}) during an update {}: left {} | after the retry {} | one \
         clean apply {}",
        cli.version,
        moment.cut,
        moment.what,
        shown(&left),
        shown(&after_retry),
        shown(&clean)
    );
    assert_eq!(
        after_retry, clean,
        "after the kill and a retry AWS holds what one clean apply makes, no more"
    );
}

/// The hub without its data center, then an update adding it, killed once the Direct Connect
/// association is created: the retry must find the association on the hub's gateway instead of
/// asking for a second.
async fn hub_killed_during_an_update_adding_the_data_center(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let before = with(&hub.vars(), json!({"data_center": null}));
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "adding the data center",
        action: "CreateDirectConnectGatewayAssociation",
        count: 1,
        slow: &[("dx_association.associating", 10.0)],
        latency_ms: 0,
    };
    killed_during_update(
        &cli,
        &hub.world,
        hub_network::HUB,
        &before,
        &hub.vars(),
        moment,
    )
    .await;
}

/// The hub with one VPC, without the target VPC's attachment.
fn hub_with_staging_only(hub: &Hub) -> Json {
    let mut before = hub.vars();
    before["vpc_attachments"]
        .as_object_mut()
        .expect("the hub's attachments")
        .remove("target");
    before
}

/// An update adding a VPC, killed once its attachment is created, while it is `pending`.
async fn hub_killed_during_an_update_adding_a_vpc(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "adding a VPC, while its attachment settles",
        action: "CreateTransitGatewayVpcAttachment",
        count: 1,
        slow: &[("vpc_attachment.pending", 10.0)],
        latency_ms: 0,
    };
    let before = hub_with_staging_only(&hub);
    killed_during_update(
        &cli,
        &hub.world,
        hub_network::HUB,
        &before,
        &hub.vars(),
        moment,
    )
    .await;
}

/// An update adding a VPC, killed while the first route to the new VPC is being created (every
/// call takes 1 s): AWS refuses a second route to the same destination, and the retry adopts it.
async fn hub_killed_during_an_updates_routes(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "adding a VPC, during its routes",
        action: "CreateRoute",
        count: 0,
        slow: &[],
        latency_ms: 1000,
    };
    let before = hub_with_staging_only(&hub);
    killed_during_update(
        &cli,
        &hub.world,
        hub_network::HUB,
        &before,
        &hub.vars(),
        moment,
    )
    .await;
}

/// An update adding a group, killed once the group's first rule is authorized, while it is
/// `authorizing`.
async fn client_vpn_killed_during_an_update_adding_a_group(cli: Cli) {
    let access = Access::seed(&cli).await;
    let mut before = access.vars();
    before["groups"]
        .as_object_mut()
        .expect("the access's groups")
        .remove("operations");
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "adding a group, while its rules settle",
        action: "AuthorizeClientVpnIngress",
        count: 1,
        slow: &[("client_vpn_rule.authorizing", 10.0)],
        latency_ms: 0,
    };
    killed_during_update(
        &cli,
        &access.world,
        client_vpn::ACCESS,
        &before,
        &access.vars(),
        moment,
    )
    .await;
}

/// What the provider made in both accounts of the two-account world, kind by kind (the hub's
/// account, then the spoke's).
async fn made_in_both(world: &World) -> Vec<(String, usize)> {
    let mut counts = made(world).await;
    let spoke = world.emulator.inventory(SPOKE_ACCOUNT).await.unwrap();
    counts.extend(
        created_counts(&spoke)
            .into_iter()
            .map(|(kind, n)| (format!("spoke {kind}"), n)),
    );
    counts
}

/// The spoke killed once its attachment to the hub's gateway is created (a call of the spoke
/// account), while the attachment is `pending`: the hub was saved, the spoke was not. The
/// retry's create finds the attachment by its unconfirmed marker (the spoke's fingerprint) and
/// adopts it, so both accounts then hold what one clean apply makes, and destroy leaves
/// nothing in either.
async fn spoke_killed_while_its_attachment_settles(cli: Cli) {
    let accounts = TwoAccounts::seed(&cli).await;
    let world = &accounts.world;
    world.emulator.clear_calls().await.unwrap();
    world
        .emulator
        .configure(two_account_delays(&[("vpc_attachment.pending", 10.0)]))
        .await
        .unwrap();
    let running = world.ws.spawn(&["apply", "-auto-approve"]);
    let mut attached = false;
    for _ in 0..1200 {
        let calls = world.emulator.calls(SPOKE_ACCOUNT).await.unwrap();
        attached = calls
            .iter()
            .any(|c| c.action == "CreateTransitGatewayVpcAttachment" && c.end.is_finite());
        if attached {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(attached, "the spoke attached its VPC within a minute");
    assert!(world.ws.kill_providers() >= 1, "a provider process to kill");
    let crashed = running.finish(Duration::from_secs(120)).await;
    assert!(
        !crashed.success(),
        "{}",
        crashed.report("an apply whose provider is killed fails")
    );
    world.wait_until_quiet().await;
    world
        .emulator
        .configure(two_account_delays(&[]))
        .await
        .unwrap();
    assert!(
        world.ws.resource(SPOKE).await.is_none(),
        "Terraform saved nothing of the spoke (its provider never answered)"
    );
    let left = made_in_both(world).await;

    let retried = world.ws.apply(&[]).await.ok();
    assert!(
        retried
            .output()
            .contains("Adopting what an interrupted apply made"),
        "{}",
        retried.report("the retry adopts the spoke's attachment")
    );
    let after_retry = made_in_both(world).await;
    assert_no_changes(&world.ws, "the retry").await;
    let attachments = accounts
        .spoke_aws
        .ec2
        .describe_transit_gateway_vpc_attachments()
        .send()
        .await
        .unwrap();
    let attachments: Vec<_> = attachments
        .transit_gateway_vpc_attachments()
        .iter()
        .filter(|a| a.vpc_id() == Some(accounts.spoke_vpc.as_str()))
        .filter(|a| a.state().is_some_and(|s| s.as_str() != "deleted"))
        .collect();
    assert_eq!(
        attachments.len(),
        1,
        "one attachment of the spoke's VPC: {attachments:#?}"
    );
    assert!(
        attachments[0]
            .tags()
            .iter()
            .all(|t| t.key() != Some("migration:unconfirmed")),
        "the refresh after the retry confirmed the spoke's attachment: {attachments:#?}"
    );
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    assert_nothing_left(&world.emulator.inventory(SPOKE_ACCOUNT).await.unwrap());

    world.ws.apply(&[]).await.ok();
    let clean = made_in_both(world).await;
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    assert_nothing_left(&world.emulator.inventory(SPOKE_ACCOUNT).await.unwrap());
    eprintln!(
        "[{}] {SPOKE} cut (KillProvider) while its attachment settles: left {} | after the \
         retry {} | one clean apply {}",
        cli.version,
        shown(&left),
        shown(&after_retry),
        shown(&clean)
    );
    assert_eq!(
        after_retry, clean,
        "after the kill and a retry both accounts hold what one clean apply makes, no more"
    );
}
