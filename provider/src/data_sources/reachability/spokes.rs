//! Spokes in the live matrix: other accounts' VPCs attached to the hub's Transit Gateway, as
//! the hub account sees them. That is the attachment (its state, the hub route table it is
//! associated with) and the CIDRs the hub route table learned from it by propagation; not the
//! VPC nor its route tables, which DescribeVpcs and DescribeRouteTables do not show to another
//! account. So a spoke is a `Side::Spoke` network whose own hop toward the gateway the matrix
//! reports as not visible instead of judging it.
//!
//! Nothing in AWS holds a spoke's name on the hub's side (the hub does not see the spoke's tags
//! on the attachment, and `spokes` keys live only in the hub's state). The data source's
//! `spokes` argument, given `migration_hub_network.<name>.spokes`, supplies them: an
//! attachment is named after the one declaration of its account that fits what it brings
//! (`hub_network::spokes::spokes_of`, the rule the hub's own `status` uses), and a declared
//! spoke with no attachment is a network of its declared CIDRs that is not attached. Without a
//! fitting declaration an attachment is `spoke:<account>:<vpc>`, which stays the same for the
//! attachment's life.

use std::collections::{BTreeMap, BTreeSet};

use crate::data_sources::hub_network::prefixes;
use crate::netplan::reachability::{Attachment, Network, Side};
use crate::resources::hub_network::model::SpokeDesired;
use crate::resources::hub_network::spokes::{is_spoke_attachment, spokes_of};
use crate::resources::hub_network::topology::ForeignAttachment;

/// The first of `candidates` no other network has taken, now taken; the last one when all are
/// (it is unique by construction: it names an account and a VPC).
fn claim(used: &mut BTreeSet<String>, candidates: Vec<String>) -> String {
    let last = candidates.last().cloned().unwrap_or_default();
    let name = candidates
        .into_iter()
        .find(|c| !used.contains(c))
        .unwrap_or(last);
    used.insert(name.clone());
    name
}

/// The spokes of the hub as networks: each live VPC attachment of another account (any state
/// but gone), then each declared spoke no attachment belongs to. `taken` are the names of the
/// hub's own networks, which a spoke's name never repeats (`spoke:<key>` then).
pub(crate) fn networks(
    attachments: &[ForeignAttachment],
    declared: &BTreeMap<String, SpokeDesired>,
    taken: &BTreeSet<String>,
) -> Vec<Network> {
    let live: Vec<&ForeignAttachment> = attachments
        .iter()
        .filter(|a| is_spoke_attachment(a))
        .collect();
    let fitting: Vec<Vec<&str>> = live.iter().map(|a| spokes_of(declared, a)).collect();
    // A declaration is an attachment's name when it is the only one that fits it and no
    // other attachment is named after it (a spoke of several VPCs names each by its VPC).
    let mut named: BTreeMap<&str, usize> = BTreeMap::new();
    for names in &fitting {
        if let [one] = names.as_slice() {
            *named.entry(one).or_default() += 1;
        }
    }
    let mut used = taken.clone();
    let mut networks = Vec::new();
    for (attachment, names) in live.iter().zip(&fitting) {
        let key = match names.as_slice() {
            [one] => Some(*one),
            _ => None,
        };
        let (account, vpc) = (&attachment.resource_owner_id, &attachment.resource_id);
        let mut candidates = Vec::new();
        if let Some(key) = key {
            if named[key] == 1 {
                candidates.extend([key.to_string(), format!("spoke:{key}")]);
            }
            candidates.push(format!("{key}:{vpc}"));
        }
        candidates.push(format!("spoke:{account}:{vpc}"));
        // What the hub route table learned is the VPC's address space; until it has learned
        // anything, the declaration's.
        let cidrs = if !attachment.propagated_cidrs.is_empty() {
            prefixes(&attachment.propagated_cidrs)
        } else {
            key.map(|k| prefixes(&declared[k].cidr_blocks))
                .unwrap_or_default()
        };
        networks.push(Network {
            name: claim(&mut used, candidates),
            cidrs,
            attachment: Some(Attachment {
                id: attachment.id.clone(),
                state: attachment.state.clone(),
                route_table: attachment.associated_route_table.clone(),
            }),
            side: Side::Spoke {
                account_id: account.clone(),
                vpc_id: Some(vpc.clone()),
            },
        });
    }
    let counted: BTreeSet<&str> = fitting.iter().flatten().copied().collect();
    for (key, spoke) in declared {
        if counted.contains(key.as_str()) {
            continue;
        }
        networks.push(Network {
            name: claim(
                &mut used,
                vec![
                    key.clone(),
                    format!("spoke:{key}"),
                    format!(
                        "spoke:{key}:{}",
                        spoke
                            .client_vpn_endpoint_id
                            .as_ref()
                            .or(spoke.account_id.as_ref())
                            .map_or("", String::as_str)
                    ),
                ],
            ),
            cidrs: prefixes(&spoke.cidr_blocks),
            attachment: None,
            side: Side::Spoke {
                account_id: spoke.account_id.clone().unwrap_or_default(),
                vpc_id: None,
            },
        });
    }
    networks
}

#[cfg(test)]
mod tests {
    use super::*;
    use ipnet::IpNet;

    const BRANCH_ACCOUNT: &str = "222233334444";
    const STRANGER: &str = "333344445555";

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn attachment(
        id: &str,
        owner: &str,
        vpc: &str,
        state: &str,
        learned: &[&str],
    ) -> ForeignAttachment {
        ForeignAttachment {
            id: id.into(),
            resource_type: "vpc".into(),
            resource_id: vpc.into(),
            resource_owner_id: owner.into(),
            state: state.into(),
            associated_route_table: (state == "available").then(|| "tgw-rtb-hub".to_string()),
            propagated_cidrs: set(learned),
        }
    }

    fn declared(entries: &[(&str, &str, &[&str])]) -> BTreeMap<String, SpokeDesired> {
        entries
            .iter()
            .map(|(name, account, cidrs)| {
                (
                    name.to_string(),
                    SpokeDesired {
                        account_id: Some(account.to_string()),
                        cidr_blocks: set(cidrs),
                        client_vpn_endpoint_id: None,
                    },
                )
            })
            .collect()
    }

    fn names(networks: &[Network]) -> Vec<&str> {
        networks.iter().map(|n| n.name.as_str()).collect()
    }

    fn cidrs(items: &[&str]) -> Vec<IpNet> {
        items.iter().map(|c| c.parse().unwrap()).collect()
    }

    #[test]
    fn a_declared_spoke_is_named_by_its_key_with_what_the_hub_route_table_learned() {
        let spokes = declared(&[("branch", BRANCH_ACCOUNT, &["10.50.0.0/16"])]);
        let found = networks(
            &[attachment(
                "tgw-attach-1",
                BRANCH_ACCOUNT,
                "vpc-9",
                "available",
                &["10.50.0.0/20"],
            )],
            &spokes,
            &set(&["staging"]),
        );
        assert_eq!(names(&found), ["branch"]);
        assert_eq!(found[0].cidrs, cidrs(&["10.50.0.0/20"]), "the learned ones");
        assert_eq!(
            found[0].side,
            Side::Spoke {
                account_id: BRANCH_ACCOUNT.into(),
                vpc_id: Some("vpc-9".into())
            }
        );
        let attached = found[0].attachment.as_ref().unwrap();
        assert_eq!(
            (attached.id.as_str(), attached.route_table.as_deref()),
            ("tgw-attach-1", Some("tgw-rtb-hub"))
        );
    }

    #[test]
    fn until_the_table_learns_a_spoke_s_cidrs_the_declared_ones_stand_for_them() {
        let spokes = declared(&[("branch", BRANCH_ACCOUNT, &["10.50.0.0/16"])]);
        let pending = attachment(
            "tgw-attach-1",
            BRANCH_ACCOUNT,
            "vpc-9",
            "pendingAcceptance",
            &[],
        );
        let found = networks(std::slice::from_ref(&pending), &spokes, &BTreeSet::new());
        assert_eq!(names(&found), ["branch"]);
        assert_eq!(found[0].cidrs, cidrs(&["10.50.0.0/16"]));
        assert_eq!(
            found[0].attachment.as_ref().unwrap().state,
            "pendingAcceptance"
        );
        // Undeclared, nothing is known of its address space.
        let found = networks(&[pending], &BTreeMap::new(), &BTreeSet::new());
        assert_eq!(names(&found), ["spoke:222233334444:vpc-9"]);
        assert!(found[0].cidrs.is_empty());
    }

    #[test]
    fn undeclared_and_ambiguous_attachments_are_named_by_account_and_vpc() {
        // Two declarations of one account and nothing learned: either could be it.
        let spokes = declared(&[
            ("branch", BRANCH_ACCOUNT, &["10.50.0.0/16"]),
            ("lab", BRANCH_ACCOUNT, &["10.51.0.0/16"]),
        ]);
        let found = networks(
            &[
                attachment(
                    "tgw-attach-1",
                    BRANCH_ACCOUNT,
                    "vpc-9",
                    "pendingAcceptance",
                    &[],
                ),
                attachment(
                    "tgw-attach-2",
                    STRANGER,
                    "vpc-7",
                    "available",
                    &["10.60.0.0/16"],
                ),
            ],
            &spokes,
            &BTreeSet::new(),
        );
        assert_eq!(
            names(&found),
            ["spoke:222233334444:vpc-9", "spoke:333344445555:vpc-7"],
            "the declarations the first one may be are not also shown as not attached"
        );
        assert_eq!(found[1].cidrs, cidrs(&["10.60.0.0/16"]));
    }

    #[test]
    fn a_declared_spoke_without_an_attachment_is_a_network_not_attached() {
        let spokes = declared(&[
            ("branch", BRANCH_ACCOUNT, &["10.50.0.0/16"]),
            ("staging", STRANGER, &["10.70.0.0/16"]),
        ]);
        let gone = attachment("tgw-attach-1", BRANCH_ACCOUNT, "vpc-9", "deleted", &[]);
        let found = networks(&[gone], &spokes, &set(&["staging"]));
        assert_eq!(
            names(&found),
            ["branch", "spoke:staging"],
            "a hub network's name is not repeated"
        );
        assert!(found.iter().all(|n| n.attachment.is_none()));
        assert_eq!(found[0].cidrs, cidrs(&["10.50.0.0/16"]));
        assert_eq!(
            found[1].side,
            Side::Spoke {
                account_id: STRANGER.into(),
                vpc_id: None
            }
        );
    }

    #[test]
    fn a_spoke_of_several_vpcs_names_each_by_its_vpc() {
        let spokes = declared(&[("branch", BRANCH_ACCOUNT, &["10.50.0.0/16"])]);
        let found = networks(
            &[
                attachment(
                    "tgw-attach-1",
                    BRANCH_ACCOUNT,
                    "vpc-9",
                    "available",
                    &["10.50.0.0/24"],
                ),
                attachment(
                    "tgw-attach-2",
                    BRANCH_ACCOUNT,
                    "vpc-8",
                    "available",
                    &["10.50.1.0/24"],
                ),
            ],
            &spokes,
            &BTreeSet::new(),
        );
        assert_eq!(names(&found), ["branch:vpc-9", "branch:vpc-8"]);
    }
}
