//! Reading CIDR attributes from configuration.
//!
//! AWS reports every CIDR as a network address in canonical text. A configured
//! `10.0.0.1/16` names a network only by accident of its mask, and `FD00::/8`
//! or `10.0.0.0/08` would never equal what AWS reads back, so the plan would
//! show a diff forever. Rejecting them at plan time, with the value to write
//! instead, is cheaper than a failed apply or a perpetual diff.

use ipnet::IpNet;
use std::fmt;
use std::net::IpAddr;

/// Why a configured string is not a usable CIDR. Variants that can be fixed
/// mechanically carry the `canonical` value so a diagnostic can suggest it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CidrError {
    NotACidr {
        input: String,
    },
    HostBitsSet {
        input: String,
        canonical: IpNet,
    },
    NotCanonical {
        input: String,
        canonical: IpNet,
    },
    /// A single address (no prefix length) not written the way AWS writes it.
    AddressNotCanonical {
        input: String,
        canonical: IpAddr,
    },
}

impl fmt::Display for CidrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CidrError::NotACidr { input } => write!(
                f,
                "{input:?} is not a CIDR: expected an IPv4 or IPv6 CIDR such as 10.0.0.0/16 \
                 (address, '/', prefix length of at most 32 for IPv4 or 128 for IPv6)"
            ),
            CidrError::HostBitsSet { input, canonical } => {
                write!(f, "{input} has host bits set; use {canonical}")
            }
            CidrError::NotCanonical { input, canonical } => write!(
                f,
                "{input} is not written the way AWS reports it and would show a diff on every \
                 plan; use {canonical}"
            ),
            CidrError::AddressNotCanonical { input, canonical } => write!(
                f,
                "{input} is not written the way AWS reports it; use {canonical}"
            ),
        }
    }
}

impl std::error::Error for CidrError {}

/// Parses a CIDR that AWS will accept and echo back unchanged: a network
/// address (no host bits) in canonical text (no leading zeros, lower-case
/// compressed IPv6).
pub(crate) fn parse_canonical(text: &str) -> Result<IpNet, CidrError> {
    let net: IpNet = text.parse().map_err(|_| CidrError::NotACidr {
        input: text.to_owned(),
    })?;
    let canonical = net.trunc();
    if canonical != net {
        return Err(CidrError::HostBitsSet {
            input: text.to_owned(),
            canonical,
        });
    }
    if canonical.to_string() != text {
        return Err(CidrError::NotCanonical {
            input: text.to_owned(),
            canonical,
        });
    }
    Ok(canonical)
}

/// Parses a canonical CIDR block (as [`parse_canonical`]) or a single address without a prefix
/// length, which stands for its own /32 (IPv4) or /128 (IPv6) network. The address must be
/// written the way AWS writes it too: `FD00::1` is refused naming `fd00::1`.
pub(crate) fn parse_address_or_cidr(text: &str) -> Result<IpNet, CidrError> {
    if text.contains('/') {
        return parse_canonical(text);
    }
    // ipnet's parser, like the CIDR one above, so that `010.0.0.1` is read and corrected
    // rather than refused as gibberish.
    let full = if text.contains(':') { 128 } else { 32 };
    let net: IpNet = format!("{text}/{full}")
        .parse()
        .map_err(|_| CidrError::NotACidr {
            input: text.to_owned(),
        })?;
    let canonical = net.addr();
    if canonical.to_string() != text {
        return Err(CidrError::AddressNotCanonical {
            input: text.to_owned(),
            canonical,
        });
    }
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_canonical_ipv4_and_ipv6() {
        for text in [
            "10.0.0.0/16",
            "0.0.0.0/0",
            "192.168.1.7/32",
            "fd00::/8",
            "2001:db8:1::/48",
        ] {
            assert_eq!(
                parse_canonical(text).map(|n| n.to_string()),
                Ok(text.to_owned())
            );
        }
    }

    #[test]
    fn rejects_non_cidrs_with_an_example() {
        for text in [
            "",
            "10.0.0.0",
            "10.0.0.0/33",
            "fd00::/129",
            "vpc-123",
            " 10.0.0.0/16",
            "10.0.0/16",
        ] {
            let err = parse_canonical(text).unwrap_err();
            assert_eq!(
                err,
                CidrError::NotACidr {
                    input: text.to_owned()
                }
            );
            assert!(err.to_string().contains("such as 10.0.0.0/16"), "{err}");
        }
    }

    #[test]
    fn fixable_inputs_carry_the_canonical_value() {
        for (text, canonical, host_bits) in [
            ("10.0.0.1/16", "10.0.0.0/16", true),
            ("fd00::1/64", "fd00::/64", true),
            ("010.0.0.1/8", "10.0.0.0/8", true),
            ("010.0.0.0/8", "10.0.0.0/8", false),
            ("10.0.0.0/08", "10.0.0.0/8", false),
            ("FD00::/8", "fd00::/8", false),
            ("fd00:0:0:0:0:0:0:0/64", "fd00::/64", false),
        ] {
            let (input, canonical) = (text.to_owned(), canonical.parse().unwrap());
            let expected = match host_bits {
                true => CidrError::HostBitsSet { input, canonical },
                false => CidrError::NotCanonical { input, canonical },
            };
            let err = parse_canonical(text).unwrap_err();
            assert!(
                err.to_string().ends_with(&format!("; use {canonical}")),
                "{err}"
            );
            assert_eq!(err, expected);
        }
        let err = parse_canonical("10.0.0.1/16").unwrap_err().to_string();
        assert_eq!(err, "10.0.0.1/16 has host bits set; use 10.0.0.0/16");
    }

    #[test]
    fn an_address_is_its_own_network() {
        for (text, network) in [
            ("10.0.0.5", "10.0.0.5/32"),
            ("0.0.0.0", "0.0.0.0/32"),
            ("fd00::1", "fd00::1/128"),
            ("::", "::/128"),
            ("::ffff:10.0.0.1", "::ffff:10.0.0.1/128"),
            ("10.0.0.0/16", "10.0.0.0/16"),
            ("fd00::/8", "fd00::/8"),
        ] {
            assert_eq!(parse_address_or_cidr(text), Ok(network.parse().unwrap()));
        }
        for (text, canonical) in [
            ("FD00::1", "fd00::1"),
            ("fd00:0::1", "fd00::1"),
            ("010.0.0.5", "10.0.0.5"),
        ] {
            let err = parse_address_or_cidr(text).unwrap_err();
            assert_eq!(
                err,
                CidrError::AddressNotCanonical {
                    input: text.to_owned(),
                    canonical: canonical.parse().unwrap()
                }
            );
            assert!(err.to_string().ends_with(&format!("; use {canonical}")));
        }
        for text in ["", "10.0.0", "10.0.0.256", "vpc-123", "10.0.0.5 ", ":::"] {
            assert_eq!(
                parse_address_or_cidr(text),
                Err(CidrError::NotACidr {
                    input: text.to_owned()
                })
            );
        }
        // A CIDR block keeps every rule of `parse_canonical`.
        assert!(matches!(
            parse_address_or_cidr("10.0.0.5/24"),
            Err(CidrError::HostBitsSet { .. })
        ));
    }

    proptest! {
        #[test]
        fn display_of_any_address_round_trips(addr in any::<std::net::IpAddr>()) {
            let parsed = parse_address_or_cidr(&addr.to_string()).unwrap();
            prop_assert_eq!(parsed.addr(), addr);
            prop_assert_eq!(parsed.prefix_len(), parsed.max_prefix_len());
        }

        #[test]
        fn display_of_any_network_round_trips(addr in any::<std::net::IpAddr>(), len in 0u8..=128) {
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let net = IpNet::new(addr, len % (max + 1)).unwrap();
            let text = net.to_string();
            match parse_canonical(&text) {
                Ok(parsed) => {
                    prop_assert_eq!(parsed, net);
                    prop_assert_eq!(net.trunc(), net);
                }
                Err(CidrError::HostBitsSet { canonical, .. }) => {
                    prop_assert_ne!(net.trunc(), net);
                    prop_assert_eq!(canonical, net.trunc());
                    prop_assert_eq!(parse_canonical(&canonical.to_string()), Ok(canonical));
                }
                Err(other) => prop_assert!(false, "unexpected {other}"),
            }
        }
    }
}
