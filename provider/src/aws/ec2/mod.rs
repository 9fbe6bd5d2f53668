//! EC2's objects, one module per kind, and what their calls share: filters, tags, tag
//! specifications and the `enable`/`disable` option values.
//!
//! Lookups are batched: one call (per page, per 200 ids) for all objects of a kind, with
//! filters rather than ids, so that a missing object is an absence to report, not an error that
//! hides the others.

pub mod attachment;
pub(crate) mod client_vpn;
pub(crate) mod nat_gateway;
pub(crate) mod route_table;
pub(crate) mod security_group;
pub(crate) mod subnet;
pub(crate) mod tags;
pub(crate) mod tgw_route_table;
pub mod transit_gateway;
pub(crate) mod vpc;
pub(crate) mod vpc_endpoint;
pub(crate) mod vpn;

use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};

use super::Tags;

/// A filter on `name` matching any of `values`.
pub(crate) fn filter(name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().map(Into::into).collect()))
        .build()
}

/// EC2's tags as a map (a tag without a key is dropped, one without a value is empty).
pub(crate) fn tags_of(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

/// Tags as EC2 takes them.
pub(crate) fn to_ec2_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// Tags for an object as it is created (`TagSpecifications`).
pub(crate) fn tag_specification(kind: ResourceType, tags: &Tags) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(to_ec2_tags(tags)))
        .build()
}

/// EC2's value of an on/off option.
pub(crate) fn enable(on: bool) -> &'static str {
    if on { "enable" } else { "disable" }
}

/// Whether an option EC2 reported is on.
pub(crate) fn is_enabled(value: Option<&str>) -> bool {
    value == Some("enable")
}

/// The state EC2 reported, as text (empty when it reported none).
fn state_text<S: AsRef<str>>(state: Option<S>) -> String {
    state.map(|s| s.as_ref().to_string()).unwrap_or_default()
}
