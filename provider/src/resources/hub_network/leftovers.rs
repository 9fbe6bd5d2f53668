//! Crash safety for the hub. The Transit Gateway a create makes carries the unconfirmed marker
//! from its create call on, valued with the configuration's fingerprint (name and VPCs); every
//! other object of the hub hangs off the gateway or carries its id as owner. So the one thing a
//! create must find again after its process died is the gateway: a create that finds an
//! unconfirmed gateway with its own fingerprint observes it as an import would (everything of
//! this account on it is the hub's) and carries on from there. The first read of a state that
//! holds the gateway removes the marker.

use super::model::{Config, Desired, MANAGED_BY};
use super::observe::Scope;
use super::topology::{Topology, TransitGateway};
use crate::aws::call::Aws;
use crate::aws::retry::OpError;
use crate::framework::resource::Leftovers;
use crate::framework::tags::{MANAGED_BY_TAG, UNCONFIRMED_TAG};

/// The unconfirmed hub gateways of the account and Region: the one `desired` adopts (its
/// fingerprint) and the others of the same name, which it does not.
pub(crate) async fn find(
    aws: &Aws<'_>,
    config: &Config,
    desired: &Desired,
) -> Result<Leftovers<Scope>, OpError> {
    let found = aws.transit_gateways_tagged(UNCONFIRMED_TAG).await?;
    let (adopt, not_adopted) = sort_out(&found, &desired.fingerprint(), &desired.name);
    Ok(Leftovers {
        adopt: adopt.map(|tgw| {
            let scope = Scope {
                tgw_id: tgw.id.clone(),
                discover: true,
                ..Scope::of(None, Some(config), false)
            };
            (scope, named(tgw))
        }),
        not_adopted: not_adopted.into_iter().map(named).collect(),
    })
}

fn named(tgw: &TransitGateway) -> String {
    let name = tgw.tags.get("Name").map_or("", String::as_str);
    format!("the Transit Gateway {} ({name:?})", tgw.id)
}

/// Of the unconfirmed gateways `found` (sorted by id), the hub's with `fingerprint` (the first,
/// should there be several) and the hub gateways named `name` that do not carry it.
fn sort_out<'a>(
    found: &'a [TransitGateway],
    fingerprint: &str,
    name: &str,
) -> (Option<&'a TransitGateway>, Vec<&'a TransitGateway>) {
    let mut adopt = None;
    let mut not_adopted = Vec::new();
    let hubs = found
        .iter()
        .filter(|tgw| tgw.tags.get(MANAGED_BY_TAG).map(String::as_str) == Some(MANAGED_BY));
    for tgw in hubs {
        let ours = tgw.tags.get(UNCONFIRMED_TAG).map(String::as_str) == Some(fingerprint);
        if ours && adopt.is_none() {
            adopt = Some(tgw);
        } else if tgw.tags.get("Name").map(String::as_str) == Some(name) {
            not_adopted.push(tgw);
        }
    }
    (adopt, not_adopted)
}

/// Removes the marker from the gateway a read found for a saved state.
pub(crate) async fn confirm(aws: &Aws<'_>, topology: &Topology) -> Result<(), OpError> {
    match &topology.tgw {
        Some(tgw) if tgw.tags.contains_key(UNCONFIRMED_TAG) => {
            tracing::info!(tgw = tgw.id.as_str(), "confirmed: the state holds it");
            aws.delete_tags(&tgw.id, &[UNCONFIRMED_TAG.to_string()].into())
                .await
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gateway(id: &str, tags: &[(&str, &str)]) -> TransitGateway {
        TransitGateway {
            id: id.to_string(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            arn: format!("arn:aws:ec2:eu-west-1:111122223333:transit-gateway/{id}"),
            owner_id: "111122223333".to_string(),
            state: "available".to_string(),
            description: None,
            amazon_side_asn: 64512,
            auto_accept_shared_attachments: true,
            dns_support: true,
            vpn_ecmp_support: true,
            cidr_blocks: Default::default(),
            association_default_route_table_id: None,
            propagation_default_route_table_id: None,
        }
    }

    #[test]
    fn only_a_hub_gateway_with_this_fingerprint_is_adopted() {
        let hub = |id, name, fingerprint| {
            gateway(
                id,
                &[
                    (MANAGED_BY_TAG, MANAGED_BY),
                    ("Name", name),
                    (UNCONFIRMED_TAG, fingerprint),
                ],
            )
        };
        let found = vec![
            hub("tgw-1", "other-hub", "f-other"),
            hub("tgw-2", "migration-hub", "f-old-vpcs"),
            hub("tgw-3", "migration-hub", "f-this"),
            // Not a hub's, although it carries the marker and the name.
            gateway(
                "tgw-4",
                &[("Name", "migration-hub"), (UNCONFIRMED_TAG, "f-this")],
            ),
            hub("tgw-5", "migration-hub", "f-this"),
        ];
        let (adopt, not_adopted) = sort_out(&found, "f-this", "migration-hub");
        assert_eq!(adopt.map(|t| t.id.as_str()), Some("tgw-3"));
        let ids: Vec<&str> = not_adopted.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["tgw-2", "tgw-5"]);
        assert_eq!(
            named(adopt.unwrap()),
            "the Transit Gateway tgw-3 (\"migration-hub\")"
        );

        let (adopt, not_adopted) = sort_out(&found, "f-none", "a-new-hub");
        assert!(adopt.is_none() && not_adopted.is_empty());
    }
}
