//! `provider::migration::cidr_overlaps(cidrs)`: every pair of overlapping CIDR blocks in a list,
//! from the overlap sweep the hub network's own checks use.
//!
//! The answer is the pairs themselves, not a boolean, so a `check` or `precondition` can say
//! which networks collide. Two CIDR blocks overlap exactly when one contains the other, so a
//! pair is `{ wider, narrower }` (the shared addresses are exactly `narrower`) with both
//! positions in the input (`wider_index`, `narrower_index`), which lead back to a network's
//! name when the list came from a map.

use super::cidr_arguments::{Wanted, list};
use crate::framework::function::{Arguments, Function};
use crate::netplan::overlap::overlapping_pairs;
use crate::protocol::cty::Type;
use crate::protocol::function::{Definition, FunctionError, Parameter};
use crate::typed_object;

typed_object! {
    /// One overlapping pair: `wider` contains `narrower`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct Overlap {
        pub wider: String,
        pub wider_index: i64,
        pub narrower: String,
        pub narrower_index: i64,
    }
}

/// The element type of the result.
pub(crate) fn overlap_type() -> Type {
    Type::object([
        ("wider", Type::String),
        ("wider_index", Type::Number),
        ("narrower", Type::String),
        ("narrower_index", Type::Number),
    ])
}

pub(crate) struct CidrOverlaps;

const DESCRIPTION: &str = "\
Returns every pair of CIDR blocks in `cidrs` that share addresses, not just whether there is one, \
so that a `check` block or a `precondition` can say which networks collide.

Two CIDR blocks overlap exactly when one contains the other, so each pair names the `wider` block \
and the `narrower` block inside it (the addresses they share are exactly `narrower`; of two equal \
blocks, `wider` is the one listed first). `wider_index` and `narrower_index` are their positions \
in `cidrs`: when the list came from a map, `keys(var.networks)[pair.wider_index]` is the name of \
a network.

Pairs come in address order: by the wider block, then by the narrower one, IPv4 before IPv6. \
Reordering `cidrs` changes only the indices. An IPv4 block never overlaps an IPv6 block. An empty \
list means that no two blocks overlap.

Each element must be a CIDR block written the way AWS reports it: a network address without host \
bits, no leading zeros, IPv6 in lower case and compressed. `10.0.0.1/16` is refused, and the \
error names the block meant, `10.0.0.0/16`. The work grows as n log n for n blocks plus the \
number of pairs, so lists of thousands of blocks are fine.";

impl Function for CidrOverlaps {
    const NAME: &'static str = "cidr_overlaps";
    type Output = Vec<Overlap>;

    fn definition(&self) -> Definition {
        Definition::new(Type::list(overlap_type()))
            .parameter(Parameter::new("cidrs", Type::list(Type::String)).describe(
                "The CIDR blocks to check, IPv4 and IPv6 in any order. A block listed twice \
                 overlaps itself, and is reported.",
            ))
            .summary("Every pair of overlapping CIDR blocks in a list")
            .describe(DESCRIPTION)
    }

    fn call(&self, arguments: &Arguments<'_>) -> Result<Vec<Overlap>, FunctionError> {
        let networks = list(arguments, 0, Wanted::Cidr)?;
        // Canonical, so each block's text is exactly the element given.
        Ok(overlapping_pairs(&networks)
            .into_iter()
            .map(|(wider, narrower)| Overlap {
                wider: networks[wider].to_string(),
                wider_index: wider as i64,
                narrower: networks[narrower].to_string(),
                narrower_index: narrower as i64,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::function::FunctionAdapter;
    use crate::framework::typed::{Attributes, FromValue};
    use crate::protocol::cty::Value;
    use crate::protocol::resource::ProviderFunction;

    fn call(cidrs: &[&str]) -> Result<Vec<Overlap>, FunctionError> {
        let value = Value::List(cidrs.iter().map(|c| Value::string(*c)).collect());
        let result = FunctionAdapter::new(CidrOverlaps).call(vec![value])?;
        Ok(Vec::<Overlap>::from_value(&result).unwrap())
    }

    fn pair(wider: &str, wi: i64, narrower: &str, ni: i64) -> Overlap {
        Overlap {
            wider: wider.into(),
            wider_index: wi,
            narrower: narrower.into(),
            narrower_index: ni,
        }
    }

    #[test]
    fn the_output_struct_is_the_return_type() {
        let Type::Object(attributes) = overlap_type() else {
            unreachable!()
        };
        let names: Vec<&str> = attributes.keys().map(String::as_str).collect();
        let mut fields = Overlap::ATTRIBUTES.to_vec();
        fields.sort_unstable();
        assert_eq!(names, fields);
        let definition = CidrOverlaps.definition();
        assert!(definition.sanity_errors(CidrOverlaps::NAME).is_empty());
        assert_eq!(definition.return_type, Type::list(overlap_type()));
    }

    #[test]
    fn every_pair_in_address_order_ipv4_and_ipv6() {
        let found = call(&[
            "fd00::/8",
            "10.0.1.0/24",
            "10.0.0.0/16",
            "172.16.0.0/12",
            "fd00:0:0:1::/64",
            "10.0.1.128/25",
        ])
        .unwrap();
        assert_eq!(
            found,
            vec![
                pair("10.0.0.0/16", 2, "10.0.1.0/24", 1),
                pair("10.0.0.0/16", 2, "10.0.1.128/25", 5),
                pair("10.0.1.0/24", 1, "10.0.1.128/25", 5),
                pair("fd00::/8", 0, "fd00:0:0:1::/64", 4),
            ]
        );
        assert_eq!(call(&["10.0.0.0/16", "10.1.0.0/16", "::/0"]).unwrap(), []);
        assert_eq!(call(&[]).unwrap(), []);
        assert_eq!(
            call(&["10.0.0.0/8", "10.0.0.0/8"]).unwrap(),
            [pair("10.0.0.0/8", 0, "10.0.0.0/8", 1)]
        );
    }

    #[test]
    fn a_bad_element_is_an_error_on_the_argument_naming_the_value() {
        let error = call(&["10.0.0.0/16", "10.0.0.1/16"]).unwrap_err();
        assert_eq!(error.argument, Some(0));
        assert_eq!(
            error.text,
            "cidrs[1] = \"10.0.0.1/16\" is not a canonical CIDR because its host bits are set: \
             the network is \"10.0.0.0/16\""
        );
        let error = call(&["FD00::/8"]).unwrap_err();
        assert!(
            error.text.ends_with("AWS writes it \"fd00::/8\""),
            "{error}"
        );
        let error = call(&["vpc-123", "10.0.0.0/33", "10.0.0.0/8"]).unwrap_err();
        assert_eq!(
            error.text,
            "cidrs[0] = \"vpc-123\" is not a CIDR block: expected an IPv4 or IPv6 network such \
             as \"10.0.0.0/16\" or \"fd00::/8\" (and 1 more invalid element)"
        );
        let with_null = Value::List(vec![Value::string("10.0.0.0/8"), Value::Null]);
        let error = FunctionAdapter::new(CidrOverlaps)
            .call(vec![with_null])
            .unwrap_err();
        assert_eq!(error.argument, Some(0));
        assert!(error.text.starts_with("cidrs[1] is null"), "{error}");
        let error = FunctionAdapter::new(CidrOverlaps)
            .call(vec![Value::Null])
            .unwrap_err();
        assert_eq!(error, FunctionError::at(0, "cidrs must not be null"));
    }

    #[test]
    fn an_unknown_list_gives_an_unknown_result() {
        let partly = Value::List(vec![Value::string("10.0.0.0/8"), Value::unknown()]);
        let result = FunctionAdapter::new(CidrOverlaps)
            .call(vec![partly])
            .unwrap();
        assert!(result.is_unknown());
    }
}
