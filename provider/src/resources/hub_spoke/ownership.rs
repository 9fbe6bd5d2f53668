//! Who owns a spoke's attachment, and the routes through it, when more than one instance of this
//! resource can reach it. AWS allows one attachment per VPC and gateway
//! (`DuplicateTransitGatewayAttachment`), so a replacement under `create_before_destroy` cannot
//! make a second one: its new instance takes the old one's attachment over, and the old
//! instance's destroy must then leave it. Two copies of a module for one VPC reach the same
//! attachment the same way.
//!
//! Ownership is a tag on the attachment, `migration:spoke-owner`, whose value is the owning
//! instance's token (kept in its private state, as the Client VPN resource keeps its own) and the
//! time of the claim. An instance deletes the attachment and its routes only while the tag holds
//! its token (or is absent: a state from before tokens); otherwise it leaves them and says so.
//!
//! Taking an attachment over needs `take_over = true`, even for a replacement under
//! `create_before_destroy`: Terraform plans a replacement's new instance twice, and the second
//! plan (during the apply, with the old object already set aside) carries neither a prior state
//! nor private data, so it looks exactly like the first plan of a copied module. Refusing the
//! copy therefore means asking the replacement to say so too. (The first plan of a replacement
//! does carry the old instance's private data, but not whether `create_before_destroy` is set,
//! and Terraform drops the warnings of that plan; without `create_before_destroy` the old
//! attachment is deleted before the new one is made, and nothing needs taking over.)
//!
//! This module is the pure part: reading the claim, and the plan- and apply-time verdict.

use super::model::fingerprint;
use crate::aws::ec2::attachment::VpcAttachment;
use crate::framework::tags::{MANAGED_BY_TAG, UNCONFIRMED_TAG};
use crate::protocol::cty::Path;
use crate::protocol::diagnostics::Diagnostics;

/// The ownership tag's key on the attachment.
pub(crate) const OWNER_TOKEN_TAG: &str = "migration:spoke-owner";

/// The ownership tag, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Claim {
    pub token: String,
    /// When it was claimed, as written; `None` if the value holds no time.
    pub since: Option<String>,
}

impl Claim {
    /// "since <time>" for messages, or nothing.
    pub(crate) fn since_text(&self) -> String {
        self.since
            .as_ref()
            .map(|since| format!(" since {since}"))
            .unwrap_or_default()
    }
}

/// The claim on an attachment, if it carries one.
pub(crate) fn claim(attachment: &VpcAttachment) -> Option<Claim> {
    let mut words = attachment.tags.get(OWNER_TOKEN_TAG)?.split_whitespace();
    Some(Claim {
        token: words.next()?.to_string(),
        since: words.next().map(str::to_string),
    })
}

/// Whether a spoke made the attachment (`migration:managed-by`), as opposed to another tool.
pub(crate) fn made_by_a_spoke(attachment: &VpcAttachment) -> bool {
    attachment.tags.get(MANAGED_BY_TAG).map(String::as_str) == Some(super::model::MANAGED_BY)
}

/// Whether the attachment is what an interrupted create of this configuration made: its
/// unconfirmed marker carries this gateway's and VPC's fingerprint. Its retry adopts it.
pub(crate) fn left_by_an_interrupted_create(attachment: &VpcAttachment) -> bool {
    attachment.tags.get(UNCONFIRMED_TAG).map(String::as_str)
        == Some(fingerprint(&attachment.transit_gateway_id, &attachment.vpc_id).as_str())
}

/// The claim of another instance on `attachment`, for the instance holding `mine` (`None`: a
/// state from before tokens, which owns only unclaimed attachments). An attachment a spoke made
/// without a claim is another's when this instance did not make it (`creating`).
pub(crate) fn others(
    attachment: &VpcAttachment,
    mine: Option<&str>,
    creating: bool,
) -> Option<Option<Claim>> {
    match claim(attachment) {
        Some(claim) if Some(claim.token.as_str()) == mine => None,
        Some(claim) => Some(Some(claim)),
        None if creating && made_by_a_spoke(attachment) => Some(None),
        None => None,
    }
}

/// What the verdict needs to know about the instance.
pub(crate) struct Standing<'a> {
    /// This instance's token.
    pub mine: Option<&'a str>,
    /// No prior state: a new instance (a replacement's, or a copy's).
    pub creating: bool,
    /// `take_over` as configured (`None` while unknown).
    pub take_over: Option<bool>,
}

/// The verdict on an attachment another instance owns: a warning when `take_over = true`
/// (this apply claims it), an error on `take_over` otherwise; nothing while `take_over` is
/// unknown (the apply decides) or when the attachment is this instance's, unclaimed, or what an
/// interrupted create of the same configuration left (the framework's adoption warns about it).
pub(crate) fn check(attachment: &VpcAttachment, standing: &Standing<'_>) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    if standing.creating && left_by_an_interrupted_create(attachment) {
        return diagnostics;
    }
    let Some(claim) = others(attachment, standing.mine, standing.creating) else {
        return diagnostics;
    };
    let owner = match &claim {
        Some(claim) => format!("another migration_hub_spoke{}", claim.since_text()),
        None => "another migration_hub_spoke (from before ownership tags)".to_string(),
    };
    let what = format!(
        "the Transit Gateway attachment {} of {} to {} ({})",
        attachment.id, attachment.vpc_id, attachment.transit_gateway_id, attachment.state
    );
    let path = Path::root().attr("take_over");
    match standing.take_over {
        None => {}
        Some(true) => diagnostics.warning_at(
            path,
            "Taking over a spoke attachment from another instance",
            format!(
                "{what} is owned by {owner}. With `take_over = true` this apply records this \
                 resource as its owner, with its routes: the other instance's destroy will leave \
                 them, and its next plan refuses them until it is removed there."
            ),
        ),
        // An existing instance that lost its attachment: erroring would also stop `terraform
        // destroy`, whose refresh is a normal plan; it leaves the attachment instead.
        Some(false) if !standing.creating => diagnostics.warning_at(
            path,
            "Spoke attachment owned by another instance",
            format!(
                "{what} was taken over by {owner}. This resource no longer manages it: its \
                 applies leave the attachment and its routes as they are, and its destroy leaves \
                 them too. Remove this resource from the configuration, or set \
                 `take_over = true` to take them back."
            ),
        ),
        Some(false) => diagnostics.error_at(
            path,
            "Spoke attachment owned by another instance",
            format!(
                "{what} is owned by {owner}, and AWS allows one attachment per VPC and gateway: \
                 two resources would fight over it, and the first destroyed would delete it \
                 under the other. Remove this resource or the other one, or set \
                 `take_over = true` on this one to take the attachment and its routes over (the \
                 other's destroy then leaves them). If this resource replaces the other under \
                 `create_before_destroy`, `take_over = true` hands the attachment over without \
                 an outage."
            ),
        ),
    }
    diagnostics
}

/// The warning of a destroy that left the attachment and its routes to their new owner.
pub(crate) fn left_warning(attachment: &VpcAttachment, claim: Option<&Claim>) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let owner = match claim {
        Some(claim) => format!("another migration_hub_spoke{}", claim.since_text()),
        None => "another migration_hub_spoke".to_string(),
    };
    tracing::warn!(
        attachment = attachment.id.as_str(),
        owner = owner.as_str(),
        "left to another instance: the attachment and its routes"
    );
    diagnostics.warning(
        "Left to another instance",
        format!(
            "The Transit Gateway attachment {} of {} to {} and the routes through it are owned by \
             {owner}, which took them over (a replacement under `create_before_destroy`, or \
             `take_over = true`): this resource left them as they are (a destroy removes only \
             this resource from the state).",
            attachment.id, attachment.vpc_id, attachment.transit_gateway_id
        ),
    );
    diagnostics
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::framework::tags::OWNER_TAG;

    fn attachment(tags: &[(&str, &str)]) -> VpcAttachment {
        let mut all: BTreeMap<String, String> = [
            (OWNER_TAG.to_string(), "tgw-1".to_string()),
            (
                MANAGED_BY_TAG.to_string(),
                "migration_hub_spoke".to_string(),
            ),
        ]
        .into();
        all.extend(tags.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        VpcAttachment {
            id: "tgw-attach-1".into(),
            transit_gateway_id: "tgw-1".into(),
            vpc_id: "vpc-1".into(),
            vpc_owner_id: "222233334444".into(),
            state: "available".into(),
            subnet_ids: BTreeSet::new(),
            appliance_mode_support: false,
            dns_support: true,
            tags: all,
            associated_route_table: None,
        }
    }

    fn standing<'a>(mine: &'a str, creating: bool, take_over: Option<bool>) -> Standing<'a> {
        Standing {
            mine: Some(mine),
            creating,
            take_over,
        }
    }

    #[test]
    fn the_claim_reads_back_and_tells_this_instance_from_another() {
        let owned = attachment(&[(OWNER_TOKEN_TAG, "old 2026-12-07T16:00:00Z")]);
        assert_eq!(
            claim(&owned),
            Some(Claim {
                token: "old".into(),
                since: Some("2026-12-07T16:00:00Z".into())
            })
        );
        assert_eq!(others(&owned, Some("old"), false), None);
        assert!(matches!(others(&owned, Some("new"), true), Some(Some(_))));
        // A state from before tokens owns only what carries no claim.
        assert!(others(&owned, None, false).is_some());
        let unclaimed = attachment(&[]);
        assert_eq!(others(&unclaimed, None, false), None);
        assert_eq!(others(&unclaimed, Some("mine"), false), None);
        // A new instance did not make an unclaimed spoke attachment: another instance's.
        assert_eq!(others(&unclaimed, Some("new"), true), Some(None));
        // An attachment no spoke made is not a claim (the create refuses it elsewhere).
        let mut foreign = unclaimed.clone();
        foreign.tags.clear();
        assert_eq!(others(&foreign, Some("new"), true), None);
    }

    #[test]
    fn another_instances_attachment_is_refused_on_take_over_unless_it_is_set() {
        let owned = attachment(&[(OWNER_TOKEN_TAG, "old 2026-12-07T16:00:00Z")]);
        let copy = check(&owned, &standing("new", true, Some(false)));
        assert!(copy.has_errors());
        let error = &copy.0[0];
        assert_eq!(error.attribute, Some(Path::root().attr("take_over")));
        for needed in [
            "tgw-attach-1",
            "vpc-1",
            "tgw-1",
            "take_over = true",
            "since 2026-12-07T16:00:00Z",
        ] {
            assert!(error.detail.contains(needed), "{needed}: {}", error.detail);
        }
        // An existing instance whose attachment was taken over is told so, without an error,
        // which would also stop the refresh Terraform runs before a destroy.
        let lost = check(&owned, &standing("mine", false, Some(false)));
        assert!(!lost.has_errors());
        assert_eq!(lost.0.len(), 1);
        assert!(lost.0[0].detail.contains("no longer manages it"));
        assert!(copy.0[0].detail.contains("create_before_destroy"));
        // With take_over: a warning, on the argument.
        let taken = check(&owned, &standing("new", true, Some(true)));
        assert!(!taken.has_errors());
        assert_eq!(taken.0.len(), 1);
        assert_eq!(taken.0[0].attribute, Some(Path::root().attr("take_over")));
        // Unknown until apply: the apply decides.
        assert!(check(&owned, &standing("new", true, None)).0.is_empty());
    }

    #[test]
    fn own_unclaimed_and_interrupted_creates_attachments_pass() {
        let owned = attachment(&[(OWNER_TOKEN_TAG, "mine 2026-12-07T16:00:00Z")]);
        assert!(
            check(&owned, &standing("mine", false, Some(false)))
                .0
                .is_empty()
        );
        // A state from before tokens, on the attachment it made.
        assert!(
            check(&attachment(&[]), &standing("new", false, Some(false)))
                .0
                .is_empty()
        );
        // What a create killed before Terraform saved it made (another token, still
        // unconfirmed with this configuration's fingerprint): its retry carries on.
        let fingerprint = fingerprint("tgw-1", "vpc-1");
        let left = attachment(&[
            (OWNER_TOKEN_TAG, "killed 2026-12-07T16:00:00Z"),
            (UNCONFIRMED_TAG, fingerprint.as_str()),
        ]);
        assert!(
            check(&left, &standing("retry", true, Some(false)))
                .0
                .is_empty()
        );
        // Another configuration's marker is no leftover of this one.
        let elsewhere = attachment(&[
            (OWNER_TOKEN_TAG, "killed 2026-12-07T16:00:00Z"),
            (UNCONFIRMED_TAG, "0000"),
        ]);
        assert!(check(&elsewhere, &standing("retry", true, Some(false))).has_errors());
    }
}
