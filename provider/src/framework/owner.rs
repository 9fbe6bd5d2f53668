//! Ownership tokens: what tells one resource instance from another when several can reach the
//! same AWS objects (a replacement under `create_before_destroy`, two copies of a module). Each
//! instance keeps its token in its private state and writes it, with the time of the claim,
//! into a tag on what it owns; a delete removes only what carries its own token.

use std::hash::{BuildHasher, Hasher};

use sha2::{Digest, Sha256};

/// A new instance's token: 128 bits, hex. Not a secret, only unique: it tells instances apart,
/// so it mixes the time, the process and a random seed through SHA-256 (two provider processes
/// started in the same nanosecond still differ by process id and seed).
pub(crate) fn new_token() -> String {
    let mut hasher = Sha256::new();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    hasher.update(nanos.to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    hasher.update(fastrand::u128(..).to_le_bytes());
    hasher.update(
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
            .to_le_bytes(),
    );
    hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The value of an ownership tag: the token, a space, and when it was claimed (RFC 3339, UTC),
/// which messages quote ("owned … since …").
pub(crate) fn claim_value(token: &str, at: time::OffsetDateTime) -> String {
    let at = at
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(at);
    let at = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    format!("{token} {at}")
}
