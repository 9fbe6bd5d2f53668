//! `terraform import migration_hub_network.NAME tgw-…`: the imported state names only the
//! Transit Gateway, with a private marker that makes the read right after it discover the
//! rest (attachments of this account keyed by their `migration:network` or `Name` tag, route
//! tables of those VPCs with routes to the gateway, the share holding it, the Direct Connect
//! association or VPN connection and the data-center CIDRs), so that a plan right after an
//! import is empty for a matching configuration.

use super::HubPrivate;
use crate::framework::resource::Imported;
use crate::protocol::cty::Value;
use crate::protocol::diagnostics::Diagnostics;

/// The state of an import: the Transit Gateway's id, and private data saying that the next
/// read discovers the rest instead of refreshing.
pub(crate) fn import(id: &str) -> Result<Imported<HubPrivate>, Diagnostics> {
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
        return Err(diagnostics);
    }
    Ok(Imported {
        state: Value::object([("id", Value::string(id))]),
        private: HubPrivate {
            discover: true,
            ..HubPrivate::default()
        },
        diagnostics: Diagnostics::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transit_gateway_ids_import() {
        let ok = import("tgw-0a1b2c3d4e5f60718").unwrap();
        assert!(ok.diagnostics.is_empty());
        assert!(ok.private.discover);
        assert_eq!(
            ok.state.attr("id"),
            Some(&Value::string("tgw-0a1b2c3d4e5f60718"))
        );
        for bad in ["vpc-123", "tgw-", "tgw-xyz", "hub"] {
            let refused = import(bad).err().expect(bad);
            assert!(refused.has_errors(), "{bad}");
        }
    }
}
