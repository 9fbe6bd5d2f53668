//! go-plugin's automatic mutual TLS, done the way Terraform's client expects.
//!
//! Terraform generates a fresh ECDSA P-521, self-signed, `CA:TRUE` certificate for every provider
//! process and hands it over in `PLUGIN_CLIENT_CERT`. The provider answers with its own
//! self-signed certificate in the handshake line, and each side pins the other's exact
//! certificate. rustls' stock WebPKI verifier would reject Terraform's certificate (a CA used as
//! an end entity) and the `ring` backend cannot verify P-521 at all, so the provider uses the
//! aws-lc-rs backend with a verifier that pins the certificate by its DER bytes.

use std::sync::Arc;

use rustls::DistinguishedName;
use rustls::SignatureScheme;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};

/// Why TLS could not be set up; each message says what the host (Terraform) or user should do.
#[derive(Debug)]
pub(crate) struct TlsError(pub String);

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

/// The crypto provider every TLS object in this process uses: aws-lc-rs is the only rustls
/// backend that verifies P-521 signatures, which Terraform's client certificate needs.
pub(crate) fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The provider's own certificate and key for one process lifetime.
pub(crate) struct ServerIdentity {
    /// DER of the self-signed certificate; its base64 goes into the handshake line.
    pub certificate: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ServerIdentity {
    /// Generates a self-signed certificate shaped like go-plugin's own: SAN `localhost`,
    /// `CA:TRUE` (Terraform puts it in a root pool and verifies the chain of one), and both
    /// server and client auth usages.
    pub(crate) fn generate() -> Result<Self, TlsError> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| TlsError(format!("cannot generate the provider's TLS key: {e}")))?;
        let certificate = plugin_certificate_params()?
            .self_signed(&key)
            .map_err(|e| TlsError(format!("cannot sign the provider's TLS certificate: {e}")))?;
        Ok(Self {
            certificate: certificate.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }

    /// The rustls server configuration: TLS 1.2/1.3, ALPN `h2` (grpc-go refuses servers that do
    /// not negotiate it) and a client certificate that must be exactly `client_certificate`.
    pub(crate) fn server_config(
        &self,
        client_certificate: CertificateDer<'static>,
    ) -> Result<rustls::ServerConfig, TlsError> {
        let provider = crypto_provider();
        let verifier = Arc::new(PinnedClientCertificate {
            expected: client_certificate,
            provider: provider.clone(),
        });
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError(format!("cannot select TLS versions: {e}")))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![self.certificate.clone()],
                PrivateKeyDer::Pkcs8(self.key.clone_key()),
            )
            .map_err(|e| TlsError(format!("cannot use the provider's TLS certificate: {e}")))?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(config)
    }
}

/// Certificate parameters shared by the provider's certificate and the test harness's imitation
/// of Terraform's: go-plugin issues both sides the same template.
pub(crate) fn plugin_certificate_params() -> Result<rcgen::CertificateParams, TlsError> {
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .map_err(|e| TlsError(format!("invalid certificate name: {e}")))?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "HashiCorp");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::seconds(30);
    params.not_after = now + time::Duration::days(365 * 30);
    Ok(params)
}

/// Parses the PEM certificate Terraform passes in `PLUGIN_CLIENT_CERT`.
pub(crate) fn parse_client_certificate(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| {
        TlsError(format!(
            "PLUGIN_CLIENT_CERT does not hold a PEM certificate ({e}); this variable is set by \
             Terraform or OpenTofu when it starts the provider: do not set it by hand"
        ))
    })
}

/// Accepts exactly one client certificate, compared by its DER bytes, the way go-plugin pins
/// Terraform's certificate; handshake signatures are still verified, so a peer that only copied
/// the public certificate cannot connect.
#[derive(Debug)]
struct PinnedClientCertificate {
    expected: CertificateDer<'static>,
    provider: Arc<CryptoProvider>,
}

impl ClientCertVerifier for PinnedClientCertificate {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // Go's TLS client filters its certificates by the CA hints; an empty list means "any".
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        // Must include ECDSA_NISTP521_SHA512: Go sends no certificate at all when the server
        // does not advertise a scheme its key can sign with.
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_advertises_p521_so_go_sends_its_certificate() {
        let verifier = PinnedClientCertificate {
            expected: CertificateDer::from(vec![1, 2, 3]),
            provider: crypto_provider(),
        };
        assert!(
            verifier
                .supported_verify_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
        );
        assert!(verifier.root_hint_subjects().is_empty());
        assert!(verifier.client_auth_mandatory());
    }

    #[test]
    fn verifier_accepts_only_the_pinned_certificate() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
        let pinned = plugin_certificate_params()
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let other = plugin_certificate_params()
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let verifier = PinnedClientCertificate {
            expected: pinned.der().clone(),
            provider: crypto_provider(),
        };
        let now = UnixTime::now();
        assert!(verifier.verify_client_cert(pinned.der(), &[], now).is_ok());
        // Same key, different certificate bytes (new serial): refused.
        assert!(verifier.verify_client_cert(other.der(), &[], now).is_err());
    }

    #[test]
    fn server_identity_builds_a_config_with_h2() {
        let identity = ServerIdentity::generate().unwrap();
        let client_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
        let client = plugin_certificate_params()
            .unwrap()
            .self_signed(&client_key)
            .unwrap();
        let parsed = parse_client_certificate(&client.pem()).unwrap();
        assert_eq!(parsed.as_ref(), client.der().as_ref());
        let config = identity.server_config(parsed).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
    }

    #[test]
    fn garbage_client_certificate_is_explained() {
        let err = parse_client_certificate("not a pem").unwrap_err();
        assert!(err.0.contains("PLUGIN_CLIENT_CERT"), "{err}");
    }
}
