//! `provider::migration::cidr_summarize(cidrs)`: the fewest CIDR blocks covering exactly the
//! addresses of a list of networks.

use super::cidr_arguments::{Wanted, list};
use crate::framework::function::{Arguments, Function};
use crate::netplan::sets::summarize;
use crate::protocol::cty::Type;
use crate::protocol::function::{Definition, FunctionError, Parameter};

pub(crate) struct CidrSummarize;

const DESCRIPTION: &str = "\
Returns the fewest CIDR blocks that cover exactly the addresses of the networks in `cidrs`. \
Duplicates and networks inside another disappear, and adjacent networks merge when together \
they are one block: `10.0.0.0/24` and `10.0.1.0/24` become `10.0.0.0/23`, while `10.0.1.0/24` \
and `10.0.2.0/24` stay two blocks, since no single block is exactly their addresses. No address \
is added or lost.

Shorter lists mean fewer routes, prefix-list entries, authorization rules and security group \
rules, each of which AWS counts against a quota (a Client VPN endpoint takes at most 200 \
authorization rules), and fewer changes when networks are split or joined. \
[hashicorp/terraform-provider-aws#41142](https://github.com/hashicorp/terraform-provider-aws/issues/41142) \
asks for this function.

Blocks come in address order, IPv4 before IPv6, and the two families are summarized apart. \
The same addresses always give the same list, whatever the order of `cidrs`, so the result can \
be compared with `==` or feed a `for_each` without changes that are only reordering. An empty \
list gives an empty list. An element may be a single address, which stands for a /32 or /128; \
the answer writes every block as a CIDR block.

Each CIDR block must be written the way AWS reports it: a network address without host bits, no \
leading zeros, IPv6 in lower case and compressed. `10.0.0.1/16` is refused, and the error names \
the block meant, `10.0.0.0/16`.";

impl Function for CidrSummarize {
    const NAME: &'static str = "cidr_summarize";
    type Output = Vec<String>;

    fn definition(&self) -> Definition {
        Definition::new(Type::list(Type::String))
            .parameter(Parameter::new("cidrs", Type::list(Type::String)).describe(
                "The networks (`10.0.1.0/24`) and single addresses (`10.0.0.5`) to summarize, in \
                 any order, IPv4 and IPv6.",
            ))
            .summary("The fewest CIDR blocks covering exactly the addresses of a list of networks")
            .describe(DESCRIPTION)
    }

    fn call(&self, arguments: &Arguments<'_>) -> Result<Vec<String>, FunctionError> {
        let networks = list(arguments, 0, Wanted::AddressOrCidr)?;
        Ok(summarize(&networks)
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

    fn call(cidrs: &[&str]) -> Result<Vec<String>, FunctionError> {
        let cidrs = Value::List(cidrs.iter().map(|c| Value::string(*c)).collect());
        let result = FunctionAdapter::new(CidrSummarize).call(vec![cidrs])?;
        Ok(Vec::<String>::from_value(&result).unwrap())
    }

    #[test]
    fn merges_and_orders() {
        assert_eq!(
            call(&[
                "fd00:0:0:1::/64",
                "10.0.1.0/24",
                "10.0.0.0/24",
                "10.0.0.7",
                "10.0.1.0/24",
                "fd00::/64",
                "10.0.3.0/24",
                "192.168.0.1",
            ])
            .unwrap(),
            ["10.0.0.0/23", "10.0.3.0/24", "192.168.0.1/32", "fd00::/63"]
        );
        assert_eq!(call(&[]).unwrap(), Vec::<String>::new());
        assert_eq!(
            call(&["0.0.0.0/1", "128.0.0.0/1", "::"]).unwrap(),
            ["0.0.0.0/0", "::/128"]
        );
    }

    #[test]
    fn errors_name_the_element_and_the_value() {
        assert_eq!(
            call(&["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/8"]),
            Err(FunctionError::at(
                0,
                "cidrs[2] = \"10.0.2.0/8\" is not a canonical CIDR because its host bits are \
                 set: the network is \"10.0.0.0/8\""
            ))
        );
        assert_eq!(
            call(&["10.0.0.0/24", "Fd00::"]).unwrap_err().text,
            "cidrs[1] = \"Fd00::\" is not a canonical IP address: AWS writes it \"fd00::\""
        );
        assert_eq!(
            call(&["a", "b", "c"]).unwrap_err().text,
            "cidrs[0] = \"a\" is not an IP address or CIDR block: expected an address such as \
             \"10.0.0.5\" or \"fd00::5\", or a network such as \"10.0.0.0/16\" (and 2 more \
             invalid elements)"
        );
    }
}
