//! The hub's side of the spoke contract, pure: which declared spoke another account's
//! attachment belongs to, what the hub does with it (accept, connect, leave unpropagated, or
//! only warn), and the status each spoke shows.
//!
//! What the hub can know of a spoke's attachment is what AWS shows the gateway's owner: the
//! attachment, its state, the VPC id and the VPC's *account* (DescribeTransitGatewayVpcAttachments
//! / …Attachments); the VPC's CIDRs are not visible to the owner (DescribeVpcs of another
//! account's VPC fails). The first place the owner sees them is the hub route table, once the
//! attachment propagates into it (SearchTransitGatewayRoutes, type `propagated`). So an
//! attachment in `pendingAcceptance` is accepted on its account alone, and its CIDRs are checked
//! against the declaration as soon as the route table has learned them: an attachment bringing
//! a CIDR outside its declaration has its propagation turned off (the hub's VPC routes cover
//! only declared CIDRs anyway) and is a warning. What was learned is kept in the resource's
//! private data, because once propagation is off the route table no longer shows it.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use super::model::SpokeDesired;
use super::topology::ForeignAttachment;

/// States of an attachment that is gone for good (AWS lists them for a while).
const GONE: [&str; 4] = ["deleted", "deleting", "failed", "rejected"];

/// Status of a spoke with no attachment.
pub(crate) const NOT_ATTACHED: &str = "not attached";
/// Status of a spoke whose attachment the hub route table routes to.
pub(crate) const PROPAGATED: &str = "propagated";

/// What the hub does with another account's VPC attachment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Not the hub's business: gone, or on its way (`pending`, `modifying`).
    Wait,
    /// A declared spoke's attachment waiting for the owner: accept it, then connect it.
    Accept,
    /// A declared spoke's attachment, available: associate it with the hub route table and
    /// make its propagation `route_propagation` (no call when it already is).
    Connect,
    /// A declared account's attachment whose VPC brings CIDRs outside every declaration of
    /// that account: connected without propagation.
    Mismatch { outside: BTreeSet<String> },
    /// No spoke declares its account: never accepted, rejected or routed; a warning.
    Undeclared,
}

/// Resource type of the attachment of a Client VPN endpoint attached to the gateway.
pub(crate) const CLIENT_VPN: &str = "client-vpn";

/// A VPC attachment of another account, or a Client VPN endpoint's attachment (not a data
/// center or another kind of attachment).
pub(crate) fn is_spoke_attachment(attachment: &ForeignAttachment) -> bool {
    matches!(attachment.resource_type.as_str(), "vpc" | CLIENT_VPN)
        && !GONE.contains(&attachment.state.as_str())
}

fn parsed(cidrs: &BTreeSet<String>) -> Vec<IpNet> {
    cidrs.iter().filter_map(|c| c.parse().ok()).collect()
}

/// The CIDRs of `learned` that no CIDR of `declared` contains.
pub(crate) fn outside(learned: &BTreeSet<String>, declared: &BTreeSet<String>) -> BTreeSet<String> {
    let declared = parsed(declared);
    learned
        .iter()
        .filter(|cidr| {
            cidr.parse::<IpNet>()
                .map_or(true, |net| !declared.iter().any(|d| d.contains(&net)))
        })
        .cloned()
        .collect()
}

/// The declared spokes that expect the attachment (its account's VPC spokes, or the spoke
/// naming its Client VPN endpoint), by name.
fn declarations<'a>(
    spokes: &'a BTreeMap<String, SpokeDesired>,
    attachment: &'a ForeignAttachment,
) -> impl Iterator<Item = (&'a String, &'a SpokeDesired)> {
    spokes.iter().filter(move |(_, s)| {
        s.expects(
            &attachment.resource_type,
            &attachment.resource_id,
            &attachment.resource_owner_id,
        )
    })
}

/// What the hub does with `attachment`.
pub(crate) fn verdict(
    spokes: &BTreeMap<String, SpokeDesired>,
    attachment: &ForeignAttachment,
) -> Verdict {
    if !is_spoke_attachment(attachment) {
        return Verdict::Wait;
    }
    let declared: BTreeSet<String> = declarations(spokes, attachment)
        .flat_map(|(_, s)| s.cidr_blocks.iter().cloned())
        .collect();
    if declarations(spokes, attachment).next().is_none() {
        return Verdict::Undeclared;
    }
    match attachment.state.as_str() {
        "pendingAcceptance" => Verdict::Accept,
        "available" => {
            let outside = outside(&attachment.propagated_cidrs, &declared);
            if outside.is_empty() {
                Verdict::Connect
            } else {
                Verdict::Mismatch { outside }
            }
        }
        _ => Verdict::Wait,
    }
}

/// What an apply does to another account's attachment: accept it first or not, then the
/// propagation it gets (association included); `None` when nothing is to be done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Action {
    pub accept: bool,
    pub propagate: bool,
}

/// The [`Action`] for `attachment`, given whether it propagates now and the hub's
/// `route_propagation`.
pub(crate) fn action(
    spokes: &BTreeMap<String, SpokeDesired>,
    attachment: &ForeignAttachment,
    propagating: bool,
    route_propagation: bool,
) -> Option<Action> {
    let unassociated = attachment.associated_route_table.is_none();
    let (accept, propagate) = match verdict(spokes, attachment) {
        Verdict::Accept => {
            return Some(Action {
                accept: true,
                propagate: route_propagation,
            });
        }
        Verdict::Connect => (false, route_propagation),
        Verdict::Mismatch { .. } => (false, false),
        Verdict::Wait | Verdict::Undeclared => return None,
    };
    (unassociated || propagating != propagate).then_some(Action { accept, propagate })
}

/// The spokes an attachment counts for: those of its account whose CIDRs contain everything it
/// is known to bring (all of the account's while nothing is known yet, or when none does).
pub(crate) fn spokes_of<'a>(
    spokes: &'a BTreeMap<String, SpokeDesired>,
    attachment: &'a ForeignAttachment,
) -> Vec<&'a str> {
    let all: Vec<(&String, &SpokeDesired)> = declarations(spokes, attachment).collect();
    let fitting: Vec<&str> = all
        .iter()
        .filter(|(_, s)| outside(&attachment.propagated_cidrs, &s.cidr_blocks).is_empty())
        .map(|(name, _)| name.as_str())
        .collect();
    if fitting.is_empty() {
        all.iter().map(|(name, _)| name.as_str()).collect()
    } else {
        fitting
    }
}

/// Order of progress of a status, to show a spoke's least advanced attachment.
fn rank(status: &str) -> u8 {
    match status {
        PROPAGATED => 3,
        "available" => 2,
        "pendingAcceptance" => 1,
        _ => 0,
    }
}

/// One attachment's status: `propagated` when the hub route table has its propagation (and
/// it brings nothing undeclared), else AWS's state.
pub(crate) fn attachment_status(
    spokes: &BTreeMap<String, SpokeDesired>,
    attachment: &ForeignAttachment,
    propagating: bool,
) -> String {
    let mismatch = matches!(verdict(spokes, attachment), Verdict::Mismatch { .. });
    if attachment.state == "available" && propagating && !mismatch {
        PROPAGATED.to_string()
    } else {
        attachment.state.clone()
    }
}

/// Each declared spoke's attachments and status.
pub(crate) fn statuses(
    spokes: &BTreeMap<String, SpokeDesired>,
    attachments: &[ForeignAttachment],
    propagations: &BTreeSet<String>,
) -> BTreeMap<String, (BTreeSet<String>, String)> {
    let mut out: BTreeMap<String, (BTreeSet<String>, Option<String>)> = spokes
        .keys()
        .map(|name| (name.clone(), (BTreeSet::new(), None)))
        .collect();
    for attachment in attachments.iter().filter(|a| is_spoke_attachment(a)) {
        let status = attachment_status(spokes, attachment, propagations.contains(&attachment.id));
        for name in spokes_of(spokes, attachment) {
            if let Some((ids, worst)) = out.get_mut(name) {
                ids.insert(attachment.id.clone());
                if worst.as_deref().is_none_or(|w| rank(&status) < rank(w)) {
                    *worst = Some(status.clone());
                }
            }
        }
    }
    out.into_iter()
        .map(|(name, (ids, worst))| {
            (
                name,
                (ids, worst.unwrap_or_else(|| NOT_ATTACHED.to_string())),
            )
        })
        .collect()
}

/// Warnings about other accounts' attachments: (the spoke's name when declared, summary,
/// detail). Undeclared ones are named with their account and VPC; mismatching ones with the
/// CIDRs outside their declaration.
pub(crate) fn warnings(
    spokes: &BTreeMap<String, SpokeDesired>,
    attachments: &[ForeignAttachment],
) -> Vec<(Option<String>, String, String)> {
    let mut out = Vec::new();
    for attachment in attachments {
        let (id, account, vpc) = (
            &attachment.id,
            &attachment.resource_owner_id,
            &attachment.resource_id,
        );
        match verdict(spokes, attachment) {
            Verdict::Undeclared if attachment.resource_type == CLIENT_VPN => out.push((
                None,
                "Client VPN endpoint not declared".to_string(),
                format!(
                    "Transit Gateway attachment {id} ({}) of Client VPN endpoint {vpc} in \
                     account {account} belongs to no spoke in `spokes`, so the hub neither \
                     accepts nor routes it (nor rejects it). Declare it as a spoke with \
                     client_vpn_endpoint_id = \"{vpc}\" and its client CIDR in cidr_blocks, \
                     or delete the endpoint.",
                    attachment.state
                ),
            )),
            Verdict::Undeclared => out.push((
                None,
                "Attachment of an undeclared account".to_string(),
                format!(
                    "Transit Gateway attachment {id} ({}) of VPC {vpc} in account {account} \
                     belongs to no spoke in `spokes`, so the hub neither accepts nor routes it \
                     (nor rejects it). Declare the account in `spokes` with the CIDRs it may \
                     bring, or have account {account} delete the attachment.",
                    attachment.state
                ),
            )),
            Verdict::Mismatch { outside } => {
                let names = spokes_of(spokes, attachment);
                let first = names.first().map(|n| n.to_string());
                out.push((
                    first,
                    "Spoke attachment brings undeclared networks".to_string(),
                    format!(
                        "Transit Gateway attachment {id} of {} {vpc} in account {account} \
                         brings {} outside the cidr_blocks declared for that account, so the \
                         hub does not propagate it into its route table. Add the CIDRs to the \
                         spoke's cidr_blocks if they are meant to be reached, or attach a VPC \
                         that fits the declaration.",
                        if attachment.resource_type == CLIENT_VPN {
                            "Client VPN endpoint"
                        } else {
                            "VPC"
                        },
                        outside.iter().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn spokes() -> BTreeMap<String, SpokeDesired> {
        BTreeMap::from([(
            "branch".to_string(),
            SpokeDesired {
                account_id: Some("222233334444".into()),
                cidr_blocks: set(&["10.50.0.0/16"]),
                client_vpn_endpoint_id: None,
            },
        )])
    }

    fn attachment(owner: &str, state: &str, learned: &[&str]) -> ForeignAttachment {
        ForeignAttachment {
            id: "tgw-attach-1".into(),
            resource_type: "vpc".into(),
            resource_id: "vpc-9".into(),
            resource_owner_id: owner.into(),
            state: state.into(),
            associated_route_table: None,
            propagated_cidrs: set(learned),
        }
    }

    #[test]
    fn a_declared_account_s_pending_attachment_is_accepted_an_undeclared_one_only_warned() {
        let spokes = spokes();
        assert_eq!(
            verdict(
                &spokes,
                &attachment("222233334444", "pendingAcceptance", &[])
            ),
            Verdict::Accept
        );
        let stranger = attachment("999988887777", "pendingAcceptance", &[]);
        assert_eq!(verdict(&spokes, &stranger), Verdict::Undeclared);
        let warned = warnings(&spokes, &[stranger]);
        assert_eq!(warned.len(), 1);
        assert!(warned[0].2.contains("tgw-attach-1") && warned[0].2.contains("999988887777"));
        assert_eq!(
            verdict(&spokes, &attachment("222233334444", "pending", &[])),
            Verdict::Wait
        );
        assert_eq!(
            verdict(&spokes, &attachment("999988887777", "deleted", &[])),
            Verdict::Wait
        );
    }

    #[test]
    fn learned_cidrs_outside_the_declaration_are_a_mismatch_named_on_the_spoke() {
        let spokes = spokes();
        let fits = attachment("222233334444", "available", &["10.50.1.0/24"]);
        assert_eq!(verdict(&spokes, &fits), Verdict::Connect);
        let wide = attachment(
            "222233334444",
            "available",
            &["10.50.0.0/16", "10.60.0.0/16"],
        );
        assert_eq!(
            verdict(&spokes, &wide),
            Verdict::Mismatch {
                outside: set(&["10.60.0.0/16"])
            }
        );
        let warned = warnings(&spokes, &[wide]);
        assert_eq!(warned[0].0.as_deref(), Some("branch"));
        assert!(warned[0].2.contains("10.60.0.0/16"), "{}", warned[0].2);
    }

    #[test]
    fn status_follows_aws_and_the_propagation() {
        let spokes = spokes();
        let none = statuses(&spokes, &[], &BTreeSet::new());
        assert_eq!(none["branch"], (BTreeSet::new(), NOT_ATTACHED.to_string()));
        let pending = attachment("222233334444", "pendingAcceptance", &[]);
        assert_eq!(
            statuses(&spokes, &[pending], &BTreeSet::new())["branch"].1,
            "pendingAcceptance"
        );
        let available = attachment("222233334444", "available", &[]);
        assert_eq!(
            statuses(&spokes, std::slice::from_ref(&available), &BTreeSet::new())["branch"].1,
            "available"
        );
        let propagating = set(&["tgw-attach-1"]);
        assert_eq!(
            statuses(&spokes, &[available], &propagating)["branch"],
            (set(&["tgw-attach-1"]), PROPAGATED.to_string())
        );
        let wide = attachment("222233334444", "available", &["10.60.0.0/16"]);
        assert_eq!(
            statuses(&spokes, &[wide], &propagating)["branch"].1,
            "available"
        );
    }

    fn client_vpn(endpoint: &str, owner: &str, state: &str, learned: &[&str]) -> ForeignAttachment {
        ForeignAttachment {
            id: format!("tgw-attach-{endpoint}"),
            resource_type: CLIENT_VPN.into(),
            resource_id: endpoint.into(),
            resource_owner_id: owner.into(),
            state: state.into(),
            associated_route_table: None,
            propagated_cidrs: set(learned),
        }
    }

    /// The spokes of a hub with a VPC spoke in 222233334444, that account's Client VPN
    /// endpoint, and an endpoint of the hub's own account (no `account_id`).
    fn with_endpoints() -> BTreeMap<String, SpokeDesired> {
        let mut spokes = spokes();
        spokes.insert(
            "branch_vpn".into(),
            SpokeDesired {
                account_id: Some("222233334444".into()),
                cidr_blocks: set(&["172.16.0.0/22"]),
                client_vpn_endpoint_id: Some("cvpn-endpoint-0b".into()),
            },
        );
        spokes.insert(
            "staff".into(),
            SpokeDesired {
                account_id: None,
                cidr_blocks: set(&["172.20.0.0/22"]),
                client_vpn_endpoint_id: Some("cvpn-endpoint-0a".into()),
            },
        );
        spokes
    }

    #[test]
    fn a_declared_client_vpn_endpoint_s_attachment_is_accepted_and_counted_for_its_spoke_only() {
        let spokes = with_endpoints();
        let pending = client_vpn("cvpn-endpoint-0b", "222233334444", "pendingAcceptance", &[]);
        assert_eq!(verdict(&spokes, &pending), Verdict::Accept);
        assert_eq!(spokes_of(&spokes, &pending), vec!["branch_vpn"]);
        assert_eq!(
            action(&spokes, &pending, false, true),
            Some(Action {
                accept: true,
                propagate: true
            })
        );
        // The account's VPC spoke does not take the endpoint's attachment, nor the endpoint
        // spoke the account's VPC attachment.
        let vpc = attachment("222233334444", "pendingAcceptance", &[]);
        assert_eq!(spokes_of(&spokes, &vpc), vec!["branch"]);
        // The same endpoint id in another account is not the declared one.
        let elsewhere = client_vpn("cvpn-endpoint-0b", "999988887777", "pendingAcceptance", &[]);
        assert_eq!(verdict(&spokes, &elsewhere), Verdict::Undeclared);
        // Without account_id, the endpoint is found by its id (the hub's own account).
        let own = client_vpn(
            "cvpn-endpoint-0a",
            "111122223333",
            "available",
            &["172.20.0.0/22"],
        );
        assert_eq!(verdict(&spokes, &own), Verdict::Connect);
        let statuses = statuses(
            &spokes,
            std::slice::from_ref(&own),
            &set(&[own.id.as_str()]),
        );
        assert_eq!(statuses["staff"].1, PROPAGATED);
        assert_eq!(statuses["branch"].1, NOT_ATTACHED);
    }

    #[test]
    fn an_undeclared_or_mismatching_client_vpn_endpoint_is_a_warning_saying_how_to_declare_it() {
        let spokes = with_endpoints();
        let stranger = client_vpn("cvpn-endpoint-0c", "111122223333", "available", &[]);
        let warned = warnings(&spokes, &[stranger]);
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert_eq!(warned[0].0, None);
        assert_eq!(warned[0].1, "Client VPN endpoint not declared");
        assert!(
            warned[0]
                .2
                .contains("client_vpn_endpoint_id = \"cvpn-endpoint-0c\""),
            "{}",
            warned[0].2
        );
        // A client CIDR other than the declared one is not propagated, and named.
        let wide = client_vpn(
            "cvpn-endpoint-0a",
            "111122223333",
            "available",
            &["172.30.0.0/22"],
        );
        assert_eq!(
            action(&spokes, &wide, true, true),
            Some(Action {
                accept: false,
                propagate: false
            })
        );
        let warned = warnings(&spokes, &[wide]);
        assert_eq!(warned[0].0.as_deref(), Some("staff"));
        assert!(
            warned[0].2.contains("Client VPN endpoint cvpn-endpoint-0a")
                && warned[0].2.contains("172.30.0.0/22"),
            "{}",
            warned[0].2
        );
    }

    proptest! {
        /// Whatever an attachment's account and state, only a declared account's attachment is
        /// ever accepted or connected, and an undeclared one is always warned about.
        #[test]
        fn only_declared_accounts_are_accepted(
            owner in prop::sample::select(vec!["222233334444", "999988887777"]),
            state in prop::sample::select(vec![
                "pendingAcceptance", "available", "pending", "deleted", "rejected", "modifying",
            ]),
            third_octet in 0u8..=255,
        ) {
            let spokes = spokes();
            let learned = format!("10.{}.0.0/16", 40 + third_octet % 30);
            let a = attachment(owner, state, &[learned.as_str()]);
            let v = verdict(&spokes, &a);
            let declared = owner == "222233334444";
            let live = !GONE.contains(&state);
            if matches!(v, Verdict::Accept | Verdict::Connect | Verdict::Mismatch { .. }) {
                prop_assert!(declared && live);
            }
            prop_assert_eq!(v == Verdict::Undeclared, !declared && live);
            prop_assert_eq!(
                warnings(&spokes, &[a]).is_empty(),
                !(live && (!declared || matches!(v, Verdict::Mismatch { .. })))
            );
        }
    }
}
