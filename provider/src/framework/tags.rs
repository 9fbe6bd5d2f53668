//! Tags every resource puts on what it creates: the user's `tags` over the provider's
//! `default_tags`, AWS's rules for keys and values, and the keys reserved for ownership.

use std::collections::BTreeMap;

use crate::protocol::cty::Path;
use crate::protocol::diagnostics::Diagnostics;

/// Tag naming the resource instance that owns an AWS object: a retry adopts what carries it,
/// and refuses to touch what carries another owner's.
pub(crate) const OWNER_TAG: &str = "migration:owner";
/// Tag naming the resource type that created an object.
pub(crate) const MANAGED_BY_TAG: &str = "migration:managed-by";
/// Tag a create puts on the first object it makes, in the same call (the creation fingerprint
/// of the configuration as its value), and a read removes once Terraform's state holds the
/// object. While it is there, the object is one Terraform may never have heard of (the provider
/// was killed before it could answer), and the next create of the same configuration adopts it
/// instead of making a second one.
pub(crate) const UNCONFIRMED_TAG: &str = "migration:unconfirmed";

/// The creation fingerprint of a configuration, from the parts that identify what it creates
/// (the resource type first): stable across provider versions and processes, short enough for
/// a tag value.
pub(crate) fn fingerprint<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        // Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// `tags_all`: the provider's `default_tags` overridden by the resource's own `tags`.
pub(crate) fn merge(
    default_tags: &BTreeMap<String, String>,
    tags: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut all = default_tags.clone();
    all.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

/// Checks tag keys and values against AWS's rules, at `path`.
pub(crate) fn check(tags: &BTreeMap<String, String>, path: Path, diagnostics: &mut Diagnostics) {
    for (key, value) in tags {
        if key.starts_with("aws:") {
            diagnostics.error_at(
                path.key(key),
                "Reserved tag key",
                format!("Tag keys starting with \"aws:\" are reserved by AWS: {key:?}."),
            );
        } else if key.starts_with("migration:") {
            diagnostics.error_at(
                path.key(key),
                "Reserved tag key",
                format!(
                    "Tag keys starting with \"migration:\" are the provider's ownership tags: \
                     {key:?}. Choose another key."
                ),
            );
        }
        if key.is_empty() || key.chars().count() > 128 {
            diagnostics.error_at(
                path.key(key),
                "Invalid tag key",
                "A tag key has 1 to 128 characters.",
            );
        }
        if value.chars().count() > 256 {
            diagnostics.error_at(
                path.key(key),
                "Invalid tag value",
                "A tag value has at most 256 characters.",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_tell_their_parts_apart() {
        let one = fingerprint(["migration_hub_network", "hub", "vpc-1"]);
        assert_eq!(one.len(), 32);
        assert_eq!(one, fingerprint(["migration_hub_network", "hub", "vpc-1"]));
        assert_ne!(one, fingerprint(["migration_hub_network", "hub", "vpc-2"]));
        assert_ne!(
            fingerprint(["ab", "c"]),
            fingerprint(["a", "bc"]),
            "parts are delimited"
        );
        // Tags written by one release are read by the next: the value of a fixed input is
        // fixed for good (computed independently: SHA-256 over 8-byte big-endian lengths and
        // the bytes, first 16 bytes in hex).
        assert_eq!(
            fingerprint(["migration_hub_network", "migration-hub", "vpc-0a1b2c3d"]),
            "053af740af36ffbfa26785f9252e2901"
        );
    }

    #[test]
    fn resource_tags_override_default_tags() {
        let defaults = BTreeMap::from([
            ("env".to_string(), "prod".to_string()),
            ("team".to_string(), "net".to_string()),
        ]);
        let own = BTreeMap::from([("env".to_string(), "migration".to_string())]);
        let all = merge(&defaults, &own);
        assert_eq!(all["env"], "migration");
        assert_eq!(all["team"], "net");
    }

    #[test]
    fn reserved_tag_keys_are_refused() {
        let mut diagnostics = Diagnostics::new();
        let tags = BTreeMap::from([
            ("aws:x".to_string(), "1".to_string()),
            ("migration:owner".to_string(), "1".to_string()),
            ("fine".to_string(), "ok".to_string()),
        ]);
        check(&tags, Path::root().attr("tags"), &mut diagnostics);
        assert_eq!(diagnostics.0.len(), 2);
        assert!(diagnostics.0.iter().all(|d| {
            d.attribute
                .as_ref()
                .unwrap()
                .to_string()
                .starts_with("tags[")
        }));
    }
}
