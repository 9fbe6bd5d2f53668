//! `provider::migration::cidr_contains(container, cidr_or_ip)`: whether a network or an
//! address lies wholly inside another network.

use super::cidr_arguments::{Wanted, single};
use crate::framework::function::{Arguments, Function};
use crate::netplan::sets::contains;
use crate::protocol::cty::Type;
use crate::protocol::function::{Definition, FunctionError, Parameter};

pub(crate) struct CidrContains;

const DESCRIPTION: &str = "\
Returns `true` when every address of `cidr_or_ip` lies inside the network `container`: a network \
inside it or equal to it, or an address in it. Otherwise `false`.

This is the question AWS answers when it accepts a subnet (its CIDR block must lie inside one of \
the VPC's), and the one to ask of a route, a server's address or a Client VPN destination before \
an apply. Terraform has no function for it; OpenTofu has `cidrcontains` since 1.7.

`cidr_or_ip` may be a single address without a prefix length, which stands for that address \
alone (a /32 in IPv4, a /128 in IPv6). IPv4 and IPv6 are separate address families: an IPv6 \
address or network is never inside an IPv4 network, and the answer is `false` rather than an \
error (OpenTofu's `cidrcontains` fails there), so that \
`anytrue([for c in var.vpc_cidrs : provider::migration::cidr_contains(c, ip)])` works over a \
dual-stack list. An IPv4-mapped IPv6 address such as `::ffff:10.0.0.1` is an IPv6 address.

Both arguments must be written the way AWS reports them: a network address without host bits, \
no leading zeros, IPv6 in lower case and compressed. `10.0.0.1/16` is refused, and the error \
names the network meant, `10.0.0.0/16`.";

impl Function for CidrContains {
    const NAME: &'static str = "cidr_contains";
    type Output = bool;

    fn definition(&self) -> Definition {
        Definition::new(Type::Bool)
            .parameter(
                Parameter::new("container", Type::String)
                    .describe("The network, a CIDR block such as `10.0.0.0/16` or `fd00::/8`."),
            )
            .parameter(Parameter::new("cidr_or_ip", Type::String).describe(
                "The network (`10.0.1.0/24`) or the single address (`10.0.1.5`, `fd00::5`) that \
                 should lie inside `container`.",
            ))
            .summary("Whether a network or an address lies inside a network")
            .describe(DESCRIPTION)
    }

    fn call(&self, arguments: &Arguments<'_>) -> Result<bool, FunctionError> {
        let container = single(arguments, 0, Wanted::Cidr)?;
        let inner = single(arguments, 1, Wanted::AddressOrCidr)?;
        Ok(contains(&container, &inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::function::FunctionAdapter;
    use crate::protocol::cty::Value;
    use crate::protocol::resource::ProviderFunction;

    fn call(container: &str, inner: &str) -> Result<Value, FunctionError> {
        FunctionAdapter::new(CidrContains)
            .call(vec![Value::string(container), Value::string(inner)])
    }

    #[test]
    fn networks_and_addresses_inside_or_not() {
        for (container, inner, inside) in [
            ("10.0.0.0/16", "10.0.1.0/24", true),
            ("10.0.0.0/16", "10.0.0.0/16", true),
            ("10.0.0.0/16", "10.0.255.255", true),
            ("10.0.0.0/16", "10.1.0.0", false),
            ("10.0.1.0/24", "10.0.0.0/16", false),
            ("0.0.0.0/0", "203.0.113.9", true),
            ("10.0.0.5/32", "10.0.0.5", true),
            ("10.0.0.5/32", "10.0.0.5/32", true),
            ("fd00::/8", "fd00:0:0:7::/64", true),
            ("fd00::/8", "fd00::5", true),
            ("fd00::5/128", "fd00::5", true),
            ("fd00::/8", "fe80::1", false),
            ("::/0", "2001:db8::1", true),
            // Families never meet: false, not an error.
            ("0.0.0.0/0", "fd00::5", false),
            ("::/0", "10.0.0.1", false),
            ("10.0.0.0/8", "::ffff:10.0.0.1", false),
        ] {
            assert_eq!(
                call(container, inner),
                Ok(Value::Bool(inside)),
                "{container} ⊇ {inner}"
            );
        }
    }

    #[test]
    fn a_bad_value_is_an_error_on_its_argument() {
        assert_eq!(
            call("10.0.0.1/16", "10.0.0.1"),
            Err(FunctionError::at(
                0,
                "container = \"10.0.0.1/16\" is not a canonical CIDR because its host bits are \
                 set: the network is \"10.0.0.0/16\""
            ))
        );
        // The container is a network: a bare address is refused there.
        assert_eq!(
            call("10.0.0.1", "10.0.0.1").unwrap_err().text,
            "container = \"10.0.0.1\" is not a CIDR block: expected an IPv4 or IPv6 network \
             such as \"10.0.0.0/16\" or \"fd00::/8\""
        );
        assert_eq!(
            call("10.0.0.0/16", "FD00::1"),
            Err(FunctionError::at(
                1,
                "cidr_or_ip = \"FD00::1\" is not a canonical IP address: AWS writes it \
                 \"fd00::1\""
            ))
        );
        assert_eq!(
            call("10.0.0.0/16", "subnet-1").unwrap_err(),
            FunctionError::at(
                1,
                "cidr_or_ip = \"subnet-1\" is not an IP address or CIDR block: expected an \
                 address such as \"10.0.0.5\" or \"fd00::5\", or a network such as \
                 \"10.0.0.0/16\""
            )
        );
        assert_eq!(
            call("10.0.0.0/16", "10.0.1.9/24").unwrap_err().argument,
            Some(1)
        );
        let null =
            FunctionAdapter::new(CidrContains).call(vec![Value::string("10.0.0.0/8"), Value::Null]);
        assert_eq!(
            null,
            Err(FunctionError::at(1, "cidr_or_ip must not be null"))
        );
    }
}
