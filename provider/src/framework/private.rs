//! Private state: the bytes Terraform keeps beside a resource's state and hands back on the
//! next read, plan and apply, but never shows. One format for every resource: a JSON object
//! with the resource's own section (its typed private data) and the framework's.
//!
//! Resources use it for intent that the state's attributes cannot hold because a refresh
//! overwrites them with what AWS reports (what the last apply set), and for what a plan tells
//! its apply (whether the plan could run every check).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The private data of one resource instance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Private<T> {
    /// The resource's own section.
    #[serde(default)]
    pub resource: T,
}

impl<T: Serialize + DeserializeOwned + Default> Private<T> {
    /// Reads private bytes. Data written before this format (release 0.1.0 wrote the
    /// resource's section alone) reads as that section; anything unreadable as the default.
    pub(crate) fn decode(bytes: &[u8]) -> Private<T> {
        if bytes.is_empty() {
            return Private::default();
        }
        if let Ok(private) = serde_json::from_slice::<Private<T>>(bytes)
            && is_envelope(bytes)
        {
            return private;
        }
        Private {
            resource: serde_json::from_slice(bytes).unwrap_or_default(),
        }
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Whether `bytes` is this format's envelope rather than an older bare section.
fn is_envelope(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes)
        .is_ok_and(|object| object.contains_key("resource"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
    struct Intent {
        route_propagation: Option<bool>,
    }

    #[test]
    fn round_trips_and_reads_release_0_1_0_sections() {
        let private = Private {
            resource: Intent {
                route_propagation: Some(false),
            },
        };
        assert_eq!(Private::<Intent>::decode(&private.encode()), private);
        // 0.1.0 stored the section alone.
        let legacy = br#"{"route_propagation":false,"tags_all":null}"#;
        assert_eq!(Private::<Intent>::decode(legacy), private);
        assert_eq!(Private::<Intent>::decode(b""), Private::default());
        assert_eq!(
            Private::<Intent>::decode(b"\x00garbage"),
            Private::default()
        );
    }
}
