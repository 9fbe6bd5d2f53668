//! The executor (`apply::run`) against the in-memory AWS of `fake.rs`, with plans made by the
//! pure `diff` and `plan` for desired hubs of the property tests' world. Time is paused, so
//! waits cost nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::fake::{
    DIRECT_CONNECT, FakeHubAws, HUB_ROUTE, SHARE, TRANSIT_GATEWAY, VPC_ATTACHMENT, VPC_ROUTE, VPN,
};
use super::{Outcome, run};
use crate::aws::ec2::attachment::VpcAttachmentSpec;
use crate::aws::retry::{Budget, OpError};
use crate::framework::tags::OWNER_TAG;
use crate::resources::hub_network::diff::{Change, TagObject, diff};
use crate::resources::hub_network::model::{Desired, Link, with_owner};
use crate::resources::hub_network::plan::{HubOp, plan};
use crate::resources::hub_network::properties::{sample_desired, world};
use crate::resources::hub_network::topology::{DataCenterLink, Topology};

/// Describes a new or changed object stays transitional for.
const SETTLE: usize = 2;

/// A hub with a share, three or more VPCs meshed, and a VPN with static hub routes.
fn vpn_hub() -> Desired {
    sample_desired("a meshed hub with a share and a static VPN", |d| {
        d.attachments.len() >= 3
            && d.mesh_routes
            && d.share.is_some()
            && matches!(
                d.data_center.as_ref().map(|dc| &dc.link),
                Some(Link::Vpn {
                    static_routes_only: true,
                    ..
                })
            )
    })
}

/// A hub with three or more VPCs meshed and a Direct Connect gateway.
fn direct_connect_hub() -> Desired {
    sample_desired("a meshed hub with Direct Connect", |d| {
        d.attachments.len() >= 3
            && d.mesh_routes
            && matches!(
                d.data_center.as_ref().map(|dc| &dc.link),
                Some(Link::DirectConnect { .. })
            )
    })
}

fn fake() -> Arc<FakeHubAws> {
    Arc::new(FakeHubAws::new(&world(), SETTLE, CancellationToken::new()))
}

/// One apply against `fake`: the plan for `desired` from the record `from`.
async fn apply_with(
    fake: &Arc<FakeHubAws>,
    desired: Option<&Desired>,
    from: Topology,
    cancel: CancellationToken,
    timeout: Duration,
) -> Outcome {
    fake.restart(cancel.clone());
    let budget = Budget::new(timeout, cancel.clone(), 3);
    let plan = plan(diff(desired, &from));
    run(fake.clone(), budget, &cancel, from, plan).await
}

async fn apply(fake: &Arc<FakeHubAws>, desired: Option<&Desired>, from: Topology) -> Outcome {
    let hour = Duration::from_secs(3600);
    apply_with(fake, desired, from, CancellationToken::new(), hour).await
}

/// The objects a topology holds, by identity. States are left out: a record may be a poll
/// behind AWS (an attachment AWS made `available` after the last describe the apply read).
fn inventory(t: &Topology) -> BTreeSet<String> {
    let mut items = BTreeSet::new();
    if let Some(tgw) = &t.tgw {
        items.insert(format!("transit gateway {}", tgw.id));
    }
    if let Some(share) = &t.share {
        items.insert(format!("share {}", share.arn));
        items.extend(share.principals.iter().map(|p| format!("principal {p}")));
        items.extend(share.resources.iter().map(|r| format!("shared {r}")));
    }
    for (vpc, a) in &t.attachments {
        items.insert(format!("attachment of {vpc}: {}", a.id));
    }
    if let Some(dc) = &t.data_center {
        items.insert(match &dc.link {
            DataCenterLink::DirectConnect { association_id, .. } => {
                format!("direct connect {association_id}")
            }
            DataCenterLink::Vpn { connection_id, .. } => format!("vpn {connection_id}"),
        });
        if let Some(a) = &dc.attachment {
            items.insert(format!("data center attachment {}", a.id));
        }
    }
    items.extend(t.propagations.iter().map(|p| format!("propagation {p}")));
    for (destination, route) in &t.hub_routes {
        items.insert(format!(
            "hub route {destination} -> {:?}",
            route.attachment_id
        ));
    }
    for table in t.route_tables.values() {
        for r in &table.routes {
            items.insert(format!(
                "route {} {} -> {}",
                table.id, r.destination, r.target
            ));
        }
    }
    items
}

fn creates(plan_of: &[HubOp], f: fn(&Change) -> bool) -> usize {
    plan_of
        .iter()
        .filter(|op| matches!(op, HubOp::Change(c) if f(c)))
        .count()
}

/// What a complete apply of `desired` from nothing makes, by kind.
fn expected_objects(desired: &Desired) -> BTreeMap<&'static str, usize> {
    let ops: Vec<HubOp> = plan(diff(Some(desired), &world()))
        .operations()
        .cloned()
        .collect();
    let mut expected = BTreeMap::from([
        (TRANSIT_GATEWAY, 1),
        (VPC_ATTACHMENT, desired.attachments.len()),
        (
            VPC_ROUTE,
            creates(&ops, |c| matches!(c, Change::CreateVpcRoute { .. })),
        ),
    ]);
    if desired.share.is_some() {
        expected.insert(SHARE, 1);
    }
    match desired
        .data_center
        .as_ref()
        .map(|dc| (&dc.link, dc.cidr_blocks.len()))
    {
        Some((Link::DirectConnect { .. }, _)) => {
            expected.insert(DIRECT_CONNECT, 1);
        }
        Some((Link::Vpn { .. }, cidrs)) => {
            expected.insert(VPN, 1);
            expected.insert(HUB_ROUTE, cidrs);
        }
        None => {}
    }
    expected.retain(|_, n| *n > 0);
    expected
}

fn injected(failures: &[(HubOp, OpError)], call: &str) -> bool {
    failures
        .iter()
        .any(|(_, e)| matches!(e, OpError::Aws(a) if a.code == "InjectedFault" && a.action == call))
}

#[tokio::test(start_paused = true)]
async fn a_full_plan_creates_everything_once_and_records_it() {
    for desired in [vpn_hub(), direct_connect_hub()] {
        let fake = fake();
        let outcome = apply(&fake, Some(&desired), world()).await;
        assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
        assert_eq!(outcome.not_started, 0);

        let expected = expected_objects(&desired);
        assert!(expected[&VPC_ROUTE] > 0 && expected[&VPC_ATTACHMENT] >= 3);
        assert_eq!(fake.lock().created, expected, "one of each, no duplicate");
        // The record is AWS, field for field (states, tags, associations, routes).
        assert_eq!(outcome.topology, fake.held(&world()));
        let t = &outcome.topology;
        assert_eq!(t.tgw.as_ref().unwrap().state, "available");
        assert!(t.attachments.values().all(|a| a.state == "available"
            && t.owns(&a.tags)
            && a.associated_route_table.as_deref() == Some(super::fake::HUB_TABLE)));
        let dc = t.data_center.as_ref().expect("a data center");
        assert_eq!(dc.attachment.as_ref().unwrap().state, "available");
        assert!(t.owns(&dc.attachment.as_ref().unwrap().tags));
        assert_eq!(
            t.propagations.len(),
            if desired.route_propagation {
                desired.attachments.len() + 1
            } else {
                0
            }
        );
        // Waiting took polls (the fake held everything `pending` for SETTLE describes) and
        // nothing is left to do.
        assert!(fake.lock().calls["transit_gateway_attachments"] > SETTLE);
        let left = diff(Some(&desired), t);
        assert!(left.is_empty(), "{left:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_failure_anywhere_keeps_what_exists_and_a_rerun_creates_no_duplicate() {
    let (mut cases, mut retagged) = (0, Vec::new());
    for desired in [vpn_hub(), direct_connect_hub()] {
        let expected = expected_objects(&desired);
        let clean = fake();
        apply(&clean, Some(&desired), world()).await;
        let calls = clean.lock().calls.clone();
        for (call, count) in calls {
            for nth in BTreeSet::from([1, count.div_ceil(2), count]) {
                let case = format!("call {nth} of {count} to {call}");
                let fake = fake();
                fake.fail(call, nth);
                let failed = apply(&fake, Some(&desired), world()).await;
                assert!(
                    injected(&failed.failures, call),
                    "{case}: {:?}",
                    failed.failures
                );
                // Nothing made is forgotten, nothing recorded is missing. The data center's
                // attachment is AWS's part of the link, which the record learns from the next
                // describe: a record holding the link without it yet has forgotten nothing.
                let mut held = fake.held(&world());
                let link_only = failed
                    .topology
                    .data_center
                    .as_ref()
                    .is_some_and(|dc| dc.attachment.is_none());
                if let (true, Some(dc)) = (link_only, held.data_center.as_mut()) {
                    dc.attachment = None;
                }
                assert_eq!(inventory(&failed.topology), inventory(&held), "{case}");

                let rerun = apply(&fake, Some(&desired), failed.topology).await;
                assert!(rerun.failures.is_empty(), "{case}: {:?}", rerun.failures);
                assert_eq!(fake.lock().created, expected, "{case}: no duplicate");
                assert_eq!(rerun.topology, fake.held(&world()), "{case}");
                // A data center attachment first seen during the rerun (the record held the
                // link only) was not in its plan: its tags are the next apply's, as they would
                // be after a refresh. Nothing else may be left.
                let left = diff(Some(&desired), &rerun.topology);
                let retag = |c: &Change| {
                    matches!(
                        c,
                        Change::Tag {
                            object: TagObject::DataCenterAttachment,
                            ..
                        }
                    )
                };
                assert!(left.iter().all(retag), "{case}: left {left:?}");
                let mut end = rerun.topology;
                if !left.is_empty() {
                    let third = apply(&fake, Some(&desired), end).await;
                    assert!(third.failures.is_empty(), "{case}: {:?}", third.failures);
                    end = third.topology;
                    retagged.push(case.clone());
                }
                assert_eq!(fake.lock().created, expected, "{case}: no duplicate");
                assert!(diff(Some(&desired), &end).is_empty(), "{case}");
                cases += 1;
            }
        }
    }
    assert!(cases > 40, "{cases} cases");
    // Only a failed first poll of the new data center link leaves its attachment's tags for
    // later.
    assert!(
        retagged.iter().all(|c| c.starts_with("call 1 of")
            && (c.ends_with("transit_gateway_attachments")
                || c.ends_with("direct_connect_associations"))),
        "{retagged:?}"
    );
    eprintln!(
        "{cases} cases; the data center attachment retagged by a third apply after: {retagged:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stop_ends_the_run_with_what_exists_recorded() {
    let desired = vpn_hub();
    let fake = fake();
    // StopProvider arrives while the second attachment is being created: that call is
    // answered, nothing starts after it.
    fake.lock().cancel_at = Some(("create_vpc_attachment", 2));
    let stopped = apply(&fake, Some(&desired), world()).await;
    assert!(!stopped.failures.is_empty());
    assert!(
        stopped
            .failures
            .iter()
            .all(|(_, e)| *e == OpError::Cancelled),
        "{:?}",
        stopped.failures
    );
    assert!(stopped.not_started > 0);
    assert_eq!(fake.lock().created[VPC_ATTACHMENT], 2);
    assert_eq!(stopped.topology.attachments.len(), 2);
    assert_eq!(fake.lock().created.get(VPC_ROUTE), None);
    assert_eq!(stopped.topology, fake.held(&world()));

    let resumed = apply(&fake, Some(&desired), stopped.topology).await;
    assert!(resumed.failures.is_empty(), "{:?}", resumed.failures);
    assert_eq!(fake.lock().created, expected_objects(&desired));
    assert!(diff(Some(&desired), &resumed.topology).is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_attachment_whose_answer_was_lost_is_adopted_and_another_hubs_refused() {
    let desired = direct_connect_hub();
    for foreign in [false, true] {
        let fake = fake();
        fake.fail("create_vpc_attachment", 1);
        let failed = apply(&fake, Some(&desired), world()).await;
        let Some((
            HubOp::Change(Change::CreateAttachment {
                vpc_id,
                subnet_ids,
                appliance_mode_support,
                dns_support,
                tags,
                ..
            }),
            _,
        )) = failed.failures.first()
        else {
            panic!("{:?}", failed.failures);
        };
        assert_eq!(failed.failures.len(), 1);
        // The call did attach the VPC; only its answer was lost.
        let tgw_id = failed.topology.tgw_id().unwrap();
        fake.plant_vpc_attachment(VpcAttachmentSpec {
            transit_gateway_id: tgw_id,
            vpc_id,
            subnet_ids,
            appliance_mode_support: *appliance_mode_support,
            dns_support: *dns_support,
            tags: &with_owner(tags.clone(), if foreign { "tgw-0another" } else { tgw_id }),
        });
        let vpc_id = vpc_id.clone();
        let planted = fake.held(&world()).attachments[&vpc_id].id.clone();

        let rerun = apply(&fake, Some(&desired), failed.topology.clone()).await;
        let created = fake.lock().created[VPC_ATTACHMENT];
        assert_eq!(
            created,
            desired.attachments.len() - 1,
            "never attached twice"
        );
        if foreign {
            assert!(
                matches!(&rerun.failures[..], [(_, OpError::Refused(why))]
                    if why.contains(OWNER_TAG) && why.contains("tgw-0another")),
                "{:?}",
                rerun.failures
            );
            assert!(!rerun.topology.attachments.contains_key(&vpc_id));
        } else {
            assert!(rerun.failures.is_empty(), "{:?}", rerun.failures);
            assert_eq!(rerun.topology.attachments[&vpc_id].id, planted);
            assert_eq!(rerun.topology, fake.held(&world()));
            assert!(diff(Some(&desired), &rerun.topology).is_empty());
        }
    }
}

#[tokio::test(start_paused = true)]
async fn an_attachment_held_pending_times_out_with_every_attachment_recorded() {
    let desired = vpn_hub();
    let stuck = desired.attachments.values().next().unwrap().vpc_id.clone();
    let fake = fake();
    fake.lock().hold.insert(stuck.clone(), usize::MAX);
    let ten_minutes = Duration::from_secs(600);
    let outcome = apply_with(
        &fake,
        Some(&desired),
        world(),
        CancellationToken::new(),
        ten_minutes,
    )
    .await;
    match &outcome.failures[..] {
        [(HubOp::AwaitAttachments { gone: false, .. }, OpError::Timeout(what))] => {
            assert!(what.contains("pending"), "{what}")
        }
        other => panic!("{other:?}"),
    }
    assert!(outcome.not_started > 0, "routes wait for the attachments");
    let t = &outcome.topology;
    assert_eq!(t.attachments.len(), desired.attachments.len());
    for (vpc, a) in &t.attachments {
        let want = if *vpc == stuck {
            "pending"
        } else {
            "available"
        };
        assert_eq!(a.state, want, "{vpc}");
    }
    assert_eq!(fake.lock().created.get(VPC_ROUTE), None);
    assert_eq!(*t, fake.held(&world()));
}

#[tokio::test(start_paused = true)]
async fn destroying_removes_everything_it_made() {
    for desired in [vpn_hub(), direct_connect_hub()] {
        let fake = fake();
        let made = apply(&fake, Some(&desired), world()).await;
        assert!(made.failures.is_empty());
        let destroyed = apply(&fake, None, made.topology).await;
        assert!(destroyed.failures.is_empty(), "{:?}", destroyed.failures);
        let held = fake.held(&world());
        assert_eq!(held.tgw, None);
        assert!(held.attachments.is_empty() && held.data_center.is_none());
        assert!(
            fake.lock().attachments.is_empty(),
            "no attachment of any kind"
        );
        assert_eq!(held.share, None);
        assert_eq!(
            held.route_tables,
            world().route_tables,
            "only local routes left"
        );
        assert_eq!(destroyed.topology, held);
    }
}
