//! `provider::migration::cidr_subtract(cidr, remove)`: what is left of a network once other
//! networks are taken out of it, as the fewest CIDR blocks.

use super::cidr_arguments::{Wanted, list, single};
use crate::framework::function::{Arguments, Function};
use crate::netplan::sets::subtract;
use crate::protocol::cty::Type;
use crate::protocol::function::{Definition, FunctionError, Parameter};

pub(crate) struct CidrSubtract;

const DESCRIPTION: &str = "\
Returns the addresses of `cidr` that are in none of the networks in `remove`, as the fewest CIDR \
blocks that cover exactly those addresses, in address order.

`10.0.0.0/16` without `10.0.1.0/24` is `10.0.0.0/24`, `10.0.2.0/23`, `10.0.4.0/22`, \
`10.0.8.0/21`, `10.0.16.0/20`, `10.0.32.0/19`, `10.0.64.0/18` and `10.0.128.0/17`: a CIDR block \
cannot have a hole, so the rest of a network around a removed part takes one block per prefix \
length between them. Use it for what AWS needs as CIDR blocks but a plan describes as an \
exception: the routes or rules for a data-center range except the networks already migrated, or \
the address space of a VPC its subnets leave free (`cidr_subtract(var.vpc_cidr, \
values(var.subnets))`, then `cidrsubnet` on a free block).

The list is empty when `remove` covers all of `cidr`, and `[cidr]` when nothing in `remove` meets \
it. Networks in `remove` may overlap or repeat; those outside `cidr`, or of the other address \
family (IPv4 or IPv6), change nothing. An element of `remove` may be a single address, which \
stands for a /32 or /128. Every block of the answer is written the way AWS writes it. The \
answer never has more than two blocks per prefix length for each gap between removed networks: \
one address taken out of `0.0.0.0/0` leaves 32 blocks, out of `::/0` 128.

Each CIDR block must be written the way AWS reports it: a network address without host bits, no \
leading zeros, IPv6 in lower case and compressed. `10.0.0.1/16` is refused, and the error names \
the block meant, `10.0.0.0/16`.";

impl Function for CidrSubtract {
    const NAME: &'static str = "cidr_subtract";
    type Output = Vec<String>;

    fn definition(&self) -> Definition {
        Definition::new(Type::list(Type::String))
            .parameter(
                Parameter::new("cidr", Type::String)
                    .describe("The network to take addresses out of, such as `10.0.0.0/16`."),
            )
            .parameter(Parameter::new("remove", Type::list(Type::String)).describe(
                "The networks (`10.0.1.0/24`) and single addresses (`10.0.0.5`) to take \
                     out, in any order, IPv4 and IPv6.",
            ))
            .summary("The rest of a network once other networks are taken out, as CIDR blocks")
            .describe(DESCRIPTION)
    }

    fn call(&self, arguments: &Arguments<'_>) -> Result<Vec<String>, FunctionError> {
        let whole = single(arguments, 0, Wanted::Cidr)?;
        let removed = list(arguments, 1, Wanted::AddressOrCidr)?;
        Ok(subtract(&whole, &removed)
            .iter()
            .map(ToString::to_string)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::function::FunctionAdapter;
    use crate::framework::typed::FromValue;
    use crate::protocol::cty::Value;
    use crate::protocol::resource::ProviderFunction;

    fn call(cidr: &str, remove: &[&str]) -> Result<Vec<String>, FunctionError> {
        let remove = Value::List(remove.iter().map(|c| Value::string(*c)).collect());
        let result = FunctionAdapter::new(CidrSubtract).call(vec![Value::string(cidr), remove])?;
        Ok(Vec::<String>::from_value(&result).unwrap())
    }

    #[test]
    fn the_rest_in_address_order() {
        assert_eq!(
            call("10.0.0.0/16", &["10.0.1.0/24"]).unwrap(),
            [
                "10.0.0.0/24",
                "10.0.2.0/23",
                "10.0.4.0/22",
                "10.0.8.0/21",
                "10.0.16.0/20",
                "10.0.32.0/19",
                "10.0.64.0/18",
                "10.0.128.0/17",
            ]
        );
        assert_eq!(
            call(
                "10.0.0.0/24",
                &["10.0.0.0", "10.0.0.255", "fd00::/8", "10.0.0.0/25"]
            )
            .unwrap(),
            [
                "10.0.0.128/26",
                "10.0.0.192/27",
                "10.0.0.224/28",
                "10.0.0.240/29",
                "10.0.0.248/30",
                "10.0.0.252/31",
                "10.0.0.254/32"
            ]
        );
        assert_eq!(
            call("fd00::/62", &["fd00:0:0:1::/64", "fd00:0:0:1::/64"]).unwrap(),
            ["fd00::/64", "fd00:0:0:2::/63"]
        );
        assert_eq!(call("10.0.0.0/16", &[]).unwrap(), ["10.0.0.0/16"]);
        assert_eq!(
            call("10.0.0.0/16", &["11.0.0.0/8"]).unwrap(),
            ["10.0.0.0/16"]
        );
        assert_eq!(
            call("10.0.0.0/16", &["10.0.0.0/8"]).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            call("10.0.0.9/32", &["10.0.0.9"]).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(call("::/0", &["::/1"]).unwrap(), ["8000::/1"]);
    }

    #[test]
    fn errors_name_the_argument_and_the_value() {
        let error = call("10.0.0.0", &[]).unwrap_err();
        assert_eq!(error.argument, Some(0));
        assert!(
            error
                .text
                .starts_with("cidr = \"10.0.0.0\" is not a CIDR block"),
            "{error}"
        );
        let error = call(
            "10.0.0.0/16",
            &["10.0.1.0/24", "10.0.2.1/24", "x", "10.0.3.0/24"],
        )
        .unwrap_err();
        assert_eq!(
            error,
            FunctionError::at(
                1,
                "remove[1] = \"10.0.2.1/24\" is not a canonical CIDR because its host bits are \
                 set: the network is \"10.0.2.0/24\" (and 1 more invalid element)"
            )
        );
        let with_null = Value::List(vec![Value::Null]);
        let error = FunctionAdapter::new(CidrSubtract)
            .call(vec![Value::string("10.0.0.0/8"), with_null])
            .unwrap_err();
        assert_eq!(
            error,
            FunctionError::at(
                1,
                "remove[0] is null: every element must be an IP address or CIDR block such as \
                 \"10.0.0.5\" or \"10.0.0.0/16\""
            )
        );
    }
}
