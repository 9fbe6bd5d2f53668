//! The shared AWS finders and mutators (`terraform_provider_migration::aws`) used the way a
//! third resource would, outside both resources: a spoke account attaches its VPC to a hub's
//! shared Transit Gateway, the hub sees both attachments, accepts one and rejects the other, and
//! the spoke routes to the gateway. Every call but the accept and the reject goes through `Aws`
//! (paced, retried, budgeted).

use std::collections::BTreeSet;
use std::time::Duration;

use harness::emulator::Emulator;
use harness::seed;
use terraform_provider_migration::aws::Tags;
use terraform_provider_migration::aws::call::Aws;
use terraform_provider_migration::aws::ec2::attachment::{VpcAttachment, VpcAttachmentSpec};
use terraform_provider_migration::aws::ec2::transit_gateway::TransitGatewaySpec;
use terraform_provider_migration::aws::retry::Budget;
use terraform_provider_migration::aws::waiter::{Poll, poll, wait_until};
use tokio_util::sync::CancellationToken;

const OWNER: &str = "111122223333";
const SPOKE: &str = "444455556666";

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A VPC attachment of one subnet, from `aws`'s account.
async fn attach(aws: &Aws<'_>, tgw_id: &str, vpc_id: &str, subnet: &str) -> VpcAttachment {
    aws.create_vpc_attachment(VpcAttachmentSpec {
        transit_gateway_id: tgw_id,
        vpc_id,
        subnet_ids: &set(&[subnet]),
        appliance_mode_support: false,
        dns_support: true,
        tags: &Tags::new(),
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_spoke_attaches_and_routes_through_the_shared_finders() {
    let emulator = Emulator::start().await.unwrap();
    let (owner_clients, spoke_clients) = (
        emulator.clients(OWNER).await.unwrap(),
        emulator.clients(SPOKE).await.unwrap(),
    );
    let budget = Budget::new(Duration::from_secs(120), CancellationToken::new(), 3);
    let (owner, spoke) = (
        Aws::new(&owner_clients, &budget),
        Aws::new(&spoke_clients, &budget),
    );

    // The hub: a gateway that does not accept shared attachments by itself, shared with the
    // spoke, which accepts the invitation.
    let tgw = owner
        .create_transit_gateway(&TransitGatewaySpec {
            description: Some("hub".into()),
            amazon_side_asn: 64512,
            auto_accept_shared_attachments: false,
            default_route_table_association: true,
            default_route_table_propagation: false,
            dns_support: true,
            vpn_ecmp_support: true,
            cidr_blocks: BTreeSet::new(),
            tags: Tags::from([("Name".to_string(), "hub".to_string())]),
        })
        .await
        .unwrap();
    let tgw = wait_until(&budget, "the hub", || async {
        poll(owner.transit_gateway_available(&tgw.id).await)
    })
    .await
    .unwrap();
    assert!(!tgw.auto_accept_shared_attachments);
    assert!(tgw.association_default_route_table_id.is_some());
    let share = owner
        .create_share(
            "hub",
            &tgw.arn,
            &set(&[SPOKE]),
            true,
            &Tags::new(),
            "aws-finders-share",
        )
        .await
        .unwrap();
    let invitations = spoke_clients
        .ram
        .get_resource_share_invitations()
        .send()
        .await
        .unwrap();
    spoke_clients
        .ram
        .accept_resource_share_invitation()
        .resource_share_invitation_arn(
            invitations.resource_share_invitations()[0]
                .resource_share_invitation_arn()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let found = owner
        .find_share(Some(&share), ("migration:owner", &tgw.id))
        .await
        .unwrap()
        .expect("the share");
    assert_eq!(found.principals, set(&[SPOKE]));
    assert_eq!(found.resources, set(&[&tgw.arn]));

    // The spoke's networks, found by the same finders the hub uses: zones by name and by id.
    let (accepted_vpc, rejected_vpc) = (
        seed::vpc(&spoke_clients.ec2, "10.20.0.0/16").await.unwrap(),
        seed::vpc(&spoke_clients.ec2, "10.30.0.0/16").await.unwrap(),
    );
    let a = seed::subnet(&spoke_clients.ec2, &accepted_vpc, "10.20.1.0/24", "a")
        .await
        .unwrap();
    let b = seed::subnet(&spoke_clients.ec2, &rejected_vpc, "10.30.1.0/24", "b")
        .await
        .unwrap();
    let vpcs = spoke
        .vpcs(&set(&[
            &accepted_vpc,
            &rejected_vpc,
            "vpc-0000000000000000f",
        ]))
        .await
        .unwrap();
    assert_eq!(
        vpcs.len(),
        2,
        "a VPC that does not exist is absent: {vpcs:?}"
    );
    assert_eq!(vpcs[&accepted_vpc].owner_id, SPOKE);
    assert_eq!(vpcs[&accepted_vpc].cidr_blocks, set(&["10.20.0.0/16"]));
    let subnets = spoke.subnets(&set(&[&a, &b])).await.unwrap();
    assert_eq!(subnets[&a].availability_zone, "eu-west-1a");
    assert_eq!(subnets[&b].vpc_id, rejected_vpc);
    let zone_id = subnets[&a].availability_zone_id.clone();
    assert!(
        zone_id
            .as_deref()
            .is_some_and(|id| !id.starts_with("eu-west-1")),
        "the zone id is not the name: {zone_id:?}"
    );
    assert_eq!(Some(subnets[&a].zone_id()), zone_id.as_deref());

    // Two attachments from the spoke; the hub accepts one and rejects the other.
    let accepted = attach(&spoke, &tgw.id, &accepted_vpc, &a).await;
    let rejected = attach(&spoke, &tgw.id, &rejected_vpc, &b).await;
    assert_eq!(accepted.vpc_owner_id, SPOKE);
    let awaiting = wait_until(&budget, "both attachments pending acceptance", || async {
        poll(
            async {
                let seen = owner.vpc_attachments(&tgw.id).await?;
                Ok(
                    if seen.len() == 2 && seen.iter().all(|a| a.state == "pendingAcceptance") {
                        Poll::Done(seen)
                    } else {
                        Poll::Pending(format!("{seen:?}"))
                    },
                )
            }
            .await,
        )
    })
    .await
    .unwrap();
    assert!(awaiting.iter().all(|a| a.vpc_owner_id == SPOKE));
    // Accepting and rejecting are the spoke resource's to add (with their IAM permissions):
    // the SDK here.
    owner_clients
        .ec2
        .accept_transit_gateway_vpc_attachment()
        .transit_gateway_attachment_id(&accepted.id)
        .send()
        .await
        .unwrap();
    owner_clients
        .ec2
        .reject_transit_gateway_vpc_attachment()
        .transit_gateway_attachment_id(&rejected.id)
        .send()
        .await
        .unwrap();
    wait_until(&budget, "the rejected attachment to go", || async {
        poll(owner.vpc_attachment_gone(&rejected.id).await)
    })
    .await
    .unwrap();
    wait_until(&budget, "the accepted attachment", || async {
        poll(
            async {
                let seen = owner
                    .vpc_attachments_by_id(std::slice::from_ref(&accepted.id))
                    .await?;
                Ok(match seen.first() {
                    Some(a) if a.state == "available" => Poll::Done(()),
                    Some(a) => Poll::Pending(a.state.clone()),
                    None => Poll::Failed("gone".into()),
                })
            }
            .await,
        )
    })
    .await
    .unwrap();
    let summaries = owner.transit_gateway_attachments(&tgw.id).await.unwrap();
    let summary = summaries
        .iter()
        .find(|s| s.id == accepted.id)
        .expect("listed with every attachment of the gateway");
    assert_eq!(
        (
            summary.resource_type.as_str(),
            summary.resource_owner_id.as_str()
        ),
        ("vpc", SPOKE)
    );
    assert!(
        summaries.iter().all(|s| s.id != rejected.id),
        "a rejected attachment is gone: {summaries:?}"
    );

    // The spoke routes to the hub.
    let table = seed::route_table(&spoke_clients.ec2, &accepted_vpc)
        .await
        .unwrap();
    spoke
        .create_vpc_route(&table, "10.0.0.0/8", &tgw.id)
        .await
        .unwrap();
    let tables = spoke
        .route_tables_to(&set(&[&accepted_vpc]), &tgw.id)
        .await
        .unwrap();
    let routes: Vec<(&str, &str)> = tables[&table]
        .routes
        .iter()
        .filter(|r| r.target == tgw.id)
        .map(|r| (r.destination.as_str(), r.target.as_str()))
        .collect();
    assert_eq!(routes, [("10.0.0.0/8", tgw.id.as_str())]);
    spoke.delete_vpc_route(&table, "10.0.0.0/8").await.unwrap();
    // Already gone: not an error.
    spoke.delete_vpc_route(&table, "10.0.0.0/8").await.unwrap();
    assert!(
        spoke
            .route_tables_to(&set(&[&accepted_vpc]), &tgw.id)
            .await
            .unwrap()
            .is_empty()
    );
}
