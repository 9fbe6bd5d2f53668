//! Who owns a group's rules on an endpoint, when more than one instance of this resource can
//! reach them: a replacement under `create_before_destroy` (the new instance adopts the rules,
//! then the old one is destroyed), or two copies of a module on one endpoint.
//!
//! Rules have no tags, and rewriting a rule's description needs a revoke and an authorize (an
//! outage per rule), so ownership is kept on the endpoint: a tag
//! `migration:group-owner:<SID>` whose value is the owning instance's token (made when the
//! instance is created or imported, kept in its private state) and the time it claimed the SID.
//! CreateTags overwrites a key atomically, the tags come back with the DescribeClientVpnEndpoints
//! call every read makes, and DeleteTags with a value deletes only a tag that still has it.
//!
//! An instance may revoke the rules of a SID whose tag holds its token, or that has no tag (a
//! state from before tokens, or rules never claimed): anything else it leaves to the owner.
//! This module is the pure part: reading claims, the plan-time verdict, and what an apply
//! claims, releases and leaves.

use super::model::{Phase, RouteKey};
use super::observed::Rule;
use crate::aws::Tags;
pub(crate) use crate::framework::owner::{claim_value, new_token};
use crate::protocol::cty::Path;
use crate::protocol::diagnostics::Diagnostics;
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};

/// The key prefix of an ownership tag; the SID follows.
pub(crate) const OWNER_TAG_PREFIX: &str = "migration:group-owner:";

/// User tags an EC2 resource may carry (AWS's quota, not adjustable).
pub(crate) const TAGS_PER_ENDPOINT: usize = 50;

/// The ownership tag's key for a SID.
pub(crate) fn owner_tag(sid: &str) -> String {
    format!("{OWNER_TAG_PREFIX}{sid}")
}

/// One ownership tag, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Claim {
    pub token: String,
    /// When it was claimed, as written; `None` if the value holds no time.
    pub since: Option<String>,
    /// The tag's whole value (DeleteTags with it deletes the tag only if nobody changed it).
    pub value: String,
}

impl Claim {
    /// "since <time>" for messages, or nothing.
    fn since_text(&self) -> String {
        self.since
            .as_ref()
            .map(|since| format!(" since {since}"))
            .unwrap_or_default()
    }
}

/// The ownership tags of an endpoint, by SID.
pub(crate) fn claims(tags: &Tags) -> BTreeMap<String, Claim> {
    tags.iter()
        .filter_map(|(key, value)| {
            let sid = key.strip_prefix(OWNER_TAG_PREFIX)?;
            let mut words = value.split_whitespace();
            let token = words.next()?.to_string();
            Some((
                sid.to_string(),
                Claim {
                    token,
                    since: words.next().map(str::to_string),
                    value: value.clone(),
                },
            ))
        })
        .collect()
}

/// The token of an instance that has none in its private data but holds `sids`: the one token
/// that claims them all, else a new one.
///
/// An import says that this instance manages the groups it finds, so when one token claims
/// them (the instance was there before a `terraform state rm`, or its state was lost) the
/// import carries on as that instance. And Terraform drops a resource's private data when its
/// provider dies during an apply (it saves the prior value with the failed answer's private
/// data, which is none), so the next plan of such a state finds its own claims this way instead
/// of refusing its own groups. Nothing claimed, or several owners: a new instance, and a plan
/// refuses the groups others own until they are removed or `take_over` is set.
pub(crate) fn token_for(tags: &Tags, sids: &BTreeSet<String>) -> String {
    let claims = claims(tags);
    let tokens: BTreeSet<&str> = sids
        .iter()
        .filter_map(|sid| claims.get(sid))
        .map(|claim| claim.token.as_str())
        .collect();
    match tokens.into_iter().collect::<Vec<_>>().as_slice() {
        [only] => only.to_string(),
        _ => new_token(),
    }
}

/// The SIDs an existing instance still lists (`listed`: the groups of its state) whose rules
/// another instance has taken over since (a replacement under `create_before_destroy`, or a
/// copy with `take_over = true`), unless this instance sets `take_over` itself.
///
/// Such an instance leaves them: its plans, refreshes, applies and its destroy neither change
/// nor revoke them and its state stops listing their rules. Refusing them instead would fail
/// every plan of the former owner, even the refresh Terraform runs before destroying it, and
/// taking them back would make the two instances fight. `mine` is the instance's token; without
/// one (a state from before tokens) the one token claiming its groups, as [`token_for`] finds.
pub(crate) fn held_by_others(
    tags: &Tags,
    mine: Option<&str>,
    listed: &BTreeSet<String>,
    take_over: bool,
) -> BTreeSet<String> {
    if take_over {
        return BTreeSet::new();
    }
    let found;
    let mine = match mine {
        Some(token) => token,
        None => {
            found = token_for(tags, listed);
            found.as_str()
        }
    };
    let claims = claims(tags);
    listed
        .iter()
        .filter(|sid| matches!(owner(&claims, sid, Some(mine)), Owner::Other(_)))
        .cloned()
        .collect()
}

/// Who owns a SID's rules, as seen by one instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner<'a> {
    /// No tag: whoever manages the SID (the behaviour before tokens).
    Unclaimed,
    /// Tagged with this instance's token.
    This,
    /// Tagged with another instance's token.
    Other(&'a Claim),
}

/// Who owns `sid` for the instance holding `mine` (`None`: a state from before tokens, which
/// owns only unclaimed SIDs).
pub(crate) fn owner<'a>(
    claims: &'a BTreeMap<String, Claim>,
    sid: &str,
    mine: Option<&str>,
) -> Owner<'a> {
    match claims.get(sid) {
        None => Owner::Unclaimed,
        Some(claim) if Some(claim.token.as_str()) == mine => Owner::This,
        Some(claim) => Owner::Other(claim),
    }
}

/// A SID's rules: network → description.
pub(crate) type SidRules = BTreeMap<Ipv4Net, Option<String>>;

/// The rules AWS holds (or is authorizing) for a SID.
pub(crate) fn rules_of(observed: &[Rule], sid: &str) -> SidRules {
    observed
        .iter()
        .filter(|r| matches!(r.phase(), Phase::Active | Phase::Arriving))
        .filter_map(|r| Some((r.key()?, r)))
        .filter(|(key, _)| key.sid == sid)
        .map(|(key, r)| (key.cidr, r.description.clone()))
        .collect()
}

fn rules_text(rules: &SidRules) -> String {
    if rules.is_empty() {
        return "none at the moment".to_string();
    }
    rules
        .iter()
        .map(|(cidr, description)| match description {
            Some(text) => format!("{cidr} ({text:?})"),
            None => cidr.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One configured group, as the ownership check sees it.
pub(crate) struct WantedGroup<'a> {
    pub key: &'a str,
    pub sid: &'a str,
    /// Network → rule description; `None` while a network or the description is unknown.
    pub rules: Option<SidRules>,
}

/// What the ownership check needs besides the groups.
pub(crate) struct Standing<'a> {
    pub endpoint_id: &'a str,
    /// This instance's token (`None`: a state from before tokens).
    pub mine: Option<&'a str>,
    /// No prior state: a new instance, as a replacement's is.
    pub creating: bool,
    /// The SIDs of the groups in the prior state (none for a new instance).
    pub listed: &'a BTreeSet<String>,
    /// `take_over` as configured (`None` while unknown).
    pub take_over: Option<bool>,
    pub tags: &'a Tags,
    pub rules: &'a [Rule],
}

/// The plan-time (and apply-time) verdict on groups whose SID another instance owns, and on
/// the endpoint's tag quota.
///
/// A new instance that wants every rule the owner has (same networks and descriptions, maybe
/// more) takes them over with a warning: that is what a replacement under
/// `create_before_destroy` looks like (the same rules), and the retry of a create whose provider
/// was killed (the rules it had made so far); the old instance's destroy then leaves them.
/// Anything else is refused unless `take_over = true`: two live instances with one SID would
/// revoke each other's rules.
pub(crate) fn check(standing: &Standing<'_>, groups: &[WantedGroup<'_>]) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let claims = claims(standing.tags);
    let mut new_keys: BTreeSet<String> = BTreeSet::new();
    for group in groups {
        let path = Path::root().attr("groups").key(group.key);
        let claim = match owner(&claims, group.sid, standing.mine) {
            Owner::This => continue,
            Owner::Unclaimed => {
                new_keys.insert(owner_tag(group.sid));
                continue;
            }
            Owner::Other(claim) => claim,
        };
        let theirs = rules_of(standing.rules, group.sid);
        let since = claim.since_text();
        // Taking over keeps every rule the owner has: a replacement wants the same ones, the
        // retry of a create whose provider was killed wants the ones it had made and more.
        let keeps_theirs = group.rules.as_ref().is_some_and(|wanted| {
            theirs
                .iter()
                .all(|(cidr, description)| wanted.get(cidr) == Some(description))
        });
        let held = !standing.creating && standing.listed.contains(group.sid);
        match standing.take_over {
            Some(false) if held => {
                diagnostics.warning_at(
                    path,
                    "Group's rules held by another instance",
                    format!(
                        "Another migration_client_vpn_group_access took over the rules of group \
                         {:?} (SID {}) on endpoint {} ({}){since}: a replacement under \
                         `create_before_destroy`, or a copy with `take_over = true`. This \
                         resource leaves them to it: it neither changes nor revokes them, and its \
                         state no longer lists them under `authorization_rules`. Remove group \
                         {:?} from this configuration, or set `take_over = true` here to take \
                         them back.",
                        group.key,
                        group.sid,
                        standing.endpoint_id,
                        rules_text(&theirs),
                        group.key
                    ),
                );
                continue;
            }
            Some(true) => diagnostics.warning_at(
                path,
                "Taking over a group's rules from another instance",
                format!(
                    "The rules of group {:?} (SID {}) on endpoint {} ({}) have been owned by \
                     another migration_client_vpn_group_access{since}. With `take_over = true` \
                     this apply records this resource as their owner: the other instance's \
                     destroy will leave them, and its next plan refuses the group until it is \
                     removed there.",
                    group.key,
                    group.sid,
                    standing.endpoint_id,
                    rules_text(&theirs)
                ),
            ),
            _ if standing.creating && keeps_theirs => diagnostics.warning_at(
                path,
                "Taking over a group's rules from another instance",
                format!(
                    "The rules of group {:?} (SID {}) on endpoint {} ({}) are all among the ones \
                     this new resource wants, and have been owned by another \
                     migration_client_vpn_group_access{since}: this resource replaces it \
                     (`create_before_destroy`), or retries a create whose provider was stopped. \
                     This apply records this resource as their owner; the other instance's \
                     destroy will leave them in place.",
                    group.key,
                    group.sid,
                    standing.endpoint_id,
                    rules_text(&theirs)
                ),
            ),
            // Unknown until apply (an unknown network or description): the apply decides.
            None => {}
            _ if group.rules.is_none() => {}
            Some(false) => diagnostics.error_at(
                path,
                "Group's rules owned by another instance",
                format!(
                    "The rules of SID {} on endpoint {} ({}) are owned by another \
                     migration_client_vpn_group_access{since}, which would revoke them when it \
                     is destroyed or drops the group, and this resource would fight it over \
                     their networks. Remove group {:?} from one of the two configurations, or set \
                     `take_over = true` on this one to take the rules over.",
                    group.sid,
                    standing.endpoint_id,
                    rules_text(&theirs),
                    group.key
                ),
            ),
        }
        new_keys.insert(owner_tag(group.sid));
    }
    let after: BTreeSet<&String> = standing.tags.keys().chain(new_keys.iter()).collect();
    if after.len() > TAGS_PER_ENDPOINT {
        diagnostics.error_at(
            Path::root().attr("groups"),
            "Too many tags on the endpoint",
            format!(
                "This resource records the owner of each group's rules in a tag \
                 `{OWNER_TAG_PREFIX}<SID>` on endpoint {}; with the {} tags it has, that makes \
                 {} tags, and AWS allows {TAGS_PER_ENDPOINT} per endpoint. Remove tags the \
                 endpoint does not need, or manage fewer groups on it.",
                standing.endpoint_id,
                standing.tags.len(),
                after.len()
            ),
        );
    }
    diagnostics
}

/// What an apply does about ownership, besides its rules and routes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Handover {
    /// SIDs to tag with this instance's token, before any rule changes.
    pub claim: BTreeSet<String>,
    /// This instance's tags to delete (key → the value observed), once its rules are gone.
    pub release: Tags,
    /// SIDs this instance no longer wants whose rules another instance owns: left to it.
    pub left_sids: BTreeMap<String, Claim>,
    /// Routes this instance no longer wants whose destination another instance's rules
    /// authorize: left to it.
    pub left_routes: BTreeSet<RouteKey>,
}

/// What an apply (`wanted`: the configured SIDs and routes) or a destroy (nothing wanted) of
/// the instance holding `mine` claims, releases and leaves, from the SIDs and routes its state
/// owns and the endpoint's rules and ownership tags.
pub(crate) fn handover(
    mine: Option<&str>,
    tags: &Tags,
    owned_sids: &BTreeSet<String>,
    wanted_sids: &BTreeSet<String>,
    owned_routes: &BTreeSet<RouteKey>,
    wanted_routes: &BTreeSet<RouteKey>,
    observed: &[Rule],
) -> Handover {
    let claims = claims(tags);
    let mut handover = Handover::default();
    if mine.is_some() {
        for sid in wanted_sids {
            if owner(&claims, sid, mine) != Owner::This {
                handover.claim.insert(sid.clone());
            }
        }
    }
    for sid in owned_sids.difference(wanted_sids) {
        match owner(&claims, sid, mine) {
            Owner::This => {
                let claim = &claims[sid];
                handover.release.insert(owner_tag(sid), claim.value.clone());
            }
            Owner::Other(claim) => {
                handover.left_sids.insert(sid.clone(), claim.clone());
            }
            Owner::Unclaimed => {}
        }
    }
    // Networks other instances count on: those their SIDs' rules authorize.
    let theirs: BTreeSet<Ipv4Net> = claims
        .keys()
        .filter(|sid| !wanted_sids.contains(*sid))
        .filter(|sid| matches!(owner(&claims, sid, mine), Owner::Other(_)))
        .flat_map(|sid| rules_of(observed, sid).into_keys())
        .collect();
    handover.left_routes = owned_routes
        .iter()
        .filter(|route| !wanted_routes.contains(*route) && theirs.contains(&route.destination))
        .cloned()
        .collect();
    handover
}

impl Handover {
    /// The warning saying what was left to another instance, and why.
    pub(crate) fn left_warning(&self, endpoint_id: &str) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if self.left_sids.is_empty() && self.left_routes.is_empty() {
            return diagnostics;
        }
        let mut parts: Vec<String> = self
            .left_sids
            .iter()
            .map(|(sid, claim)| {
                format!(
                    "the rules of SID {sid}, owned by another \
                     migration_client_vpn_group_access{}",
                    claim.since_text()
                )
            })
            .collect();
        parts.extend(self.left_routes.iter().map(|route| {
            format!(
                "the route to {} through {}, which that instance's rules authorize",
                route.destination, route.subnet_id
            )
        }));
        tracing::warn!(
            endpoint = endpoint_id,
            left = parts.join("; ").as_str(),
            "left to another instance"
        );
        diagnostics.warning(
            "Left to another instance",
            format!(
                "Endpoint {endpoint_id}: this resource no longer manages {}, and did not revoke \
                 or delete them. Another instance took them over (a replacement under \
                 `create_before_destroy`, or `take_over = true`).",
                parts.join("; ")
            ),
        );
        diagnostics
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::client_vpn_group_access::observed::active_rule as rule;

    const A: &str = "S-1-5-21-1-2-3-1104";
    const B: &str = "S-1-5-21-1-2-3-1105";

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(sid, value)| (owner_tag(sid), value.to_string()))
            .collect()
    }

    fn route(destination: &str, subnet: &str) -> RouteKey {
        RouteKey {
            destination: destination.parse().unwrap(),
            subnet_id: subnet.into(),
        }
    }

    fn wanted(networks: &[(&str, Option<&str>)]) -> Option<SidRules> {
        Some(
            networks
                .iter()
                .map(|(cidr, d)| (cidr.parse().unwrap(), d.map(str::to_string)))
                .collect(),
        )
    }

    fn standing<'a>(
        mine: Option<&'a str>,
        creating: bool,
        take_over: Option<bool>,
        tags: &'a Tags,
        rules: &'a [Rule],
    ) -> Standing<'a> {
        Standing {
            endpoint_id: "cvpn-endpoint-1",
            mine,
            creating,
            listed: &NOTHING_LISTED,
            take_over,
            tags,
            rules,
        }
    }

    static NOTHING_LISTED: BTreeSet<String> = BTreeSet::new();

    #[test]
    fn tokens_are_new_each_time_and_values_read_back() {
        let (first, second) = (new_token(), new_token());
        assert_ne!(first, second);
        assert_eq!(first.len(), 32);
        let at = time::OffsetDateTime::from_unix_timestamp(1_796_659_200).unwrap();
        let value = claim_value(&first, at);
        assert_eq!(value, format!("{first} 2026-12-07T16:00:00Z"));
        let read = claims(&tags(&[(A, &value)]));
        assert_eq!(read[A].token, first);
        assert_eq!(read[A].since.as_deref(), Some("2026-12-07T16:00:00Z"));
        assert_eq!(owner(&read, A, Some(&first)), Owner::This);
        assert_eq!(owner(&read, A, Some(&second)), Owner::Other(&read[A]));
        assert_eq!(owner(&read, A, None), Owner::Other(&read[A]));
        assert_eq!(owner(&read, B, None), Owner::Unclaimed);
        // Other tags are not claims.
        let mut other = Tags::new();
        other.insert("Name".into(), "corp".into());
        assert!(claims(&other).is_empty());
    }

    #[test]
    fn an_instance_without_a_token_carries_on_as_the_one_owner_of_its_groups_or_is_new() {
        let sids: BTreeSet<String> = [A.to_string(), B.to_string()].into();
        let one = tags(&[
            (A, "old 2026-12-01T00:00:00Z"),
            (B, "old 2026-12-01T00:00:00Z"),
        ]);
        assert_eq!(token_for(&one, &sids), "old");
        let partly = tags(&[(A, "old 2026-12-01T00:00:00Z")]);
        assert_eq!(token_for(&partly, &sids), "old");
        let two = tags(&[(A, "old 2026-12-01T00:00:00Z"), (B, "other")]);
        let fresh = token_for(&two, &sids);
        assert!(fresh != "old" && fresh != "other");
        assert_eq!(token_for(&Tags::new(), &sids).len(), 32);
    }

    #[test]
    fn a_new_instance_wanting_the_owners_exact_rules_takes_them_over_with_a_warning() {
        let tags = tags(&[(A, "old 2026-12-01T00:00:00Z")]);
        let rules = [rule(A, "10.0.0.0/16", Some("staff"))];
        let groups = [WantedGroup {
            key: "staff",
            sid: A,
            rules: wanted(&[("10.0.0.0/16", Some("staff"))]),
        }];
        let verdict = check(
            &standing(Some("new"), true, Some(false), &tags, &rules),
            &groups,
        );
        assert!(!verdict.has_errors(), "{verdict:?}");
        assert_eq!(verdict.0.len(), 1);
        assert!(verdict.0[0].detail.contains("create_before_destroy"));
        assert!(verdict.0[0].detail.contains("since 2026-12-01T00:00:00Z"));
    }

    #[test]
    fn other_rules_or_an_existing_instance_are_refused_unless_take_over() {
        let tags = tags(&[(A, "old 2026-12-01T00:00:00Z")]);
        let rules = [rule(A, "10.0.0.0/16", Some("staff"))];
        let differs = [WantedGroup {
            key: "staff",
            sid: A,
            rules: wanted(&[("10.1.0.0/16", Some("staff"))]),
        }];
        let refused = check(
            &standing(Some("new"), true, Some(false), &tags, &rules),
            &differs,
        );
        assert!(refused.has_errors());
        let error = &refused.0[0];
        assert_eq!(
            error.attribute,
            Some(Path::root().attr("groups").key("staff"))
        );
        assert!(error.detail.contains(A));
        assert!(error.detail.contains("10.0.0.0/16 (\"staff\")"));
        assert!(error.detail.contains("take_over = true"));
        // A new instance wanting more than the owner has takes over (a killed create's retry);
        // wanting less would revoke some of the owner's rules: refused.
        let more = [WantedGroup {
            key: "staff",
            sid: A,
            rules: wanted(&[
                ("10.0.0.0/16", Some("staff")),
                ("10.1.0.0/16", Some("staff")),
            ]),
        }];
        assert!(
            !check(
                &standing(Some("new"), true, Some(false), &tags, &rules),
                &more
            )
            .has_errors()
        );
        let other_description = [WantedGroup {
            key: "staff",
            sid: A,
            rules: wanted(&[("10.0.0.0/16", Some("staff: new"))]),
        }];
        assert!(
            check(
                &standing(Some("new"), true, Some(false), &tags, &rules),
                &other_description
            )
            .has_errors()
        );
        // An instance that exists already does not take identical rules silently either.
        let same = [WantedGroup {
            key: "staff",
            sid: A,
            rules: wanted(&[("10.0.0.0/16", Some("staff"))]),
        }];
        assert!(
            check(
                &standing(Some("mine"), false, Some(false), &tags, &rules),
                &same
            )
            .has_errors()
        );
        let taken = check(
            &standing(Some("new"), false, Some(true), &tags, &rules),
            &differs,
        );
        assert!(!taken.has_errors());
        assert!(taken.0[0].detail.contains("take_over = true"));
        // Unknown until apply: no verdict yet.
        let unknown = [WantedGroup {
            key: "staff",
            sid: A,
            rules: None,
        }];
        assert!(
            check(
                &standing(Some("new"), true, Some(false), &tags, &rules),
                &unknown
            )
            .0
            .is_empty()
        );
        assert!(
            check(&standing(Some("new"), true, None, &tags, &rules), &differs)
                .0
                .is_empty()
        );
    }

    #[test]
    fn a_former_owner_leaves_the_groups_taken_from_it_and_takes_them_back_only_with_take_over() {
        let tags = tags(&[(A, "new 2026-12-02T00:00:00Z"), (B, "mine")]);
        let rules = [
            rule(A, "10.1.0.0/16", Some("staff")),
            rule(B, "10.2.0.0/16", Some("ops")),
        ];
        let listed: BTreeSet<String> = [A.to_string(), B.to_string()].into();
        assert_eq!(
            held_by_others(&tags, Some("mine"), &listed, false)
                .iter()
                .collect::<Vec<_>>(),
            vec![A]
        );
        assert!(held_by_others(&tags, Some("mine"), &listed, true).is_empty());
        // A state without a token acts as the one token claiming its groups: here two tokens
        // claim them, so it is a new instance and both are held by others.
        assert_eq!(held_by_others(&tags, None, &listed, false).len(), 2);
        let only_b: BTreeSet<String> = [B.to_string()].into();
        assert!(held_by_others(&tags, None, &only_b, false).is_empty());

        let groups = [WantedGroup {
            key: "staff",
            sid: A,
            rules: wanted(&[("10.0.0.0/16", Some("staff"))]),
        }];
        let standing = Standing {
            listed: &listed,
            ..standing(Some("mine"), false, Some(false), &tags, &rules)
        };
        let verdict = check(&standing, &groups);
        assert!(!verdict.has_errors(), "{verdict:?}");
        assert_eq!(verdict.0.len(), 1);
        let warning = &verdict.0[0];
        assert_eq!(warning.summary, "Group's rules held by another instance");
        assert_eq!(
            warning.attribute,
            Some(Path::root().attr("groups").key("staff"))
        );
        for needed in [A, "10.1.0.0/16 (\"staff\")", "take_over = true", "since"] {
            assert!(warning.detail.contains(needed), "{needed}: {warning:?}");
        }
        // A group it did not list before is still refused: that is a copy reaching for it.
        let standing = Standing {
            listed: &only_b,
            ..standing
        };
        assert!(check(&standing, &groups).has_errors());
        // With take_over it takes them back, with the take-over warning.
        let standing = Standing {
            listed: &listed,
            take_over: Some(true),
            ..standing
        };
        let back = check(&standing, &groups);
        assert!(!back.has_errors());
        assert_eq!(
            back.0[0].summary,
            "Taking over a group's rules from another instance"
        );
    }

    #[test]
    fn own_and_unclaimed_groups_pass_and_the_tag_quota_is_counted_with_new_claims() {
        let mut many: Tags = (0..48).map(|i| (format!("k{i}"), "v".into())).collect();
        many.insert(owner_tag(A), "mine 2026-12-01T00:00:00Z".into());
        let groups = [
            WantedGroup {
                key: "a",
                sid: A,
                rules: wanted(&[]),
            },
            WantedGroup {
                key: "b",
                sid: B,
                rules: wanted(&[]),
            },
        ];
        // 49 tags + B's claim = 50: allowed.
        assert!(
            check(&standing(Some("mine"), false, None, &many, &[]), &groups)
                .0
                .is_empty()
        );
        many.insert("k48".into(), "v".into());
        let over = check(&standing(Some("mine"), false, None, &many, &[]), &groups);
        assert!(over.has_errors());
        assert_eq!(over.0[0].attribute, Some(Path::root().attr("groups")));
        assert!(over.0[0].detail.contains("51 tags"));
    }

    #[test]
    fn handover_claims_wanted_sids_releases_its_own_and_leaves_others() {
        let tags = tags(&[
            (A, "mine 2026-12-01T00:00:00Z"),
            (B, "other 2026-12-02T00:00:00Z"),
        ]);
        let rules = [rule(A, "10.0.0.0/16", None), rule(B, "10.1.0.0/16", None)];
        let owned: BTreeSet<String> = [A.to_string(), B.to_string()].into();
        let routes: BTreeSet<RouteKey> = [
            route("10.0.0.0/16", "subnet-1"),
            route("10.1.0.0/16", "subnet-1"),
        ]
        .into();
        // Destroy: A's tag released, B's rules and the route to its network left.
        let destroy = handover(
            Some("mine"),
            &tags,
            &owned,
            &BTreeSet::new(),
            &routes,
            &BTreeSet::new(),
            &rules,
        );
        assert!(destroy.claim.is_empty());
        assert_eq!(
            destroy.release,
            [(owner_tag(A), "mine 2026-12-01T00:00:00Z".to_string())].into()
        );
        assert_eq!(destroy.left_sids.keys().collect::<Vec<_>>(), vec![B]);
        assert_eq!(
            destroy.left_routes,
            [route("10.1.0.0/16", "subnet-1")].into()
        );
        assert!(
            destroy.left_warning("cvpn-endpoint-1").0[0]
                .detail
                .contains("since 2026-12-02T00:00:00Z")
        );
        // Taking B over: claimed, nothing left.
        let take = handover(
            Some("mine"),
            &tags,
            &owned,
            &owned,
            &routes,
            &routes,
            &rules,
        );
        assert_eq!(take.claim, [B.to_string()].into());
        assert!(take.release.is_empty() && take.left_sids.is_empty());
        assert!(take.left_routes.is_empty());
        // A state from before tokens claims nothing and keeps only unclaimed SIDs.
        let legacy = handover(
            None,
            &Tags::new(),
            &owned,
            &BTreeSet::new(),
            &routes,
            &BTreeSet::new(),
            &rules,
        );
        assert_eq!(legacy, Handover::default());
        let legacy_replaced = handover(
            None,
            &tags,
            &owned,
            &BTreeSet::new(),
            &routes,
            &BTreeSet::new(),
            &rules,
        );
        assert_eq!(legacy_replaced.left_sids.len(), 2);
        assert_eq!(legacy_replaced.left_routes, routes);
    }
}
