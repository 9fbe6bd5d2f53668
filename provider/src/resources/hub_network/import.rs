//! `terraform import migration_hub_network.NAME tgw-…`: the imported state names only the
//! Transit Gateway, with a private marker that makes the read right after it discover the
//! rest (attachments of this account keyed by their `migration:network` or `Name` tag, route
//! tables of those VPCs with routes to the gateway, the share holding it, the Direct Connect
//! association or VPN connection and the data-center CIDRs), so that a plan right after an
//! import is empty for a matching configuration.

use crate::protocol::cty::Value;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::resource::ImportResponse;

/// Private data of an imported state: the next read discovers instead of refreshing.
pub const DISCOVER: &[u8] = b"migration_hub_network:discover";

pub fn import(id: &str) -> ImportResponse {
    let id = id.trim();
    let valid = id
        .strip_prefix("tgw-")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_hexdigit()));
    if !valid {
        let mut diagnostics = Diagnostics::new();
        diagnostics.error(
            "Invalid import id",
            format!(
                "{id:?} is not a Transit Gateway id. Import a migration_hub_network by the id of \
                 its Transit Gateway: terraform import migration_hub_network.hub tgw-0123456789abcdef0"
            ),
        );
        return ImportResponse {
            state: None,
            private: Vec::new(),
            diagnostics,
        };
    }
    ImportResponse {
        state: Some(Value::object([("id", Value::string(id))])),
        private: DISCOVER.to_vec(),
        diagnostics: Diagnostics::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transit_gateway_ids_import() {
        let ok = import("tgw-0a1b2c3d4e5f60718");
        assert!(ok.diagnostics.is_empty());
        assert_eq!(ok.private, DISCOVER);
        assert_eq!(
            ok.state.unwrap().attr("id"),
            Some(&Value::string("tgw-0a1b2c3d4e5f60718"))
        );
        for bad in ["vpc-123", "tgw-", "tgw-xyz", "hub"] {
            let refused = import(bad);
            assert!(refused.state.is_none());
            assert!(refused.diagnostics.has_errors(), "{bad}");
        }
    }
}
