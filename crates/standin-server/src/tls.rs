//! HTTPS: the certificate a listener presents and the rustls configuration around it.
//!
//! A certificate comes from PEM files (`--tls-cert`, `--tls-key`) or is made at start
//! (`--tls self-signed`) for the names the mock is reached by: `localhost`, `127.0.0.1`,
//! `::1`, the bound host, and the machine's name when bound to every address. A made
//! certificate is written as PEM where a client can be pointed at it, and its SHA-256
//! fingerprint is printed; its key stays in memory. ALPN offers `h2` then `http/1.1`,
//! so HTTP/2 clients get HTTP/2 and the others HTTP/1.1. The handshake and the
//! connection's serving are `server.rs`'s and `conn.rs`'s.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// Where a listener's certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// A PEM certificate chain (leaf first) and its PEM private key.
    Files {
        /// The certificate chain.
        cert: PathBuf,
        /// The private key (PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
    },
    /// A certificate made at start.
    SelfSigned,
}

/// A listener's TLS: the acceptor, and what to tell a client about the certificate.
#[derive(Clone)]
pub struct Tls {
    /// Does the handshakes.
    pub acceptor: TlsAcceptor,
    /// The certificate presented.
    pub certificate: Certificate,
}

/// What a client needs to trust a listener's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The PEM file of the certificate: the one given, or where the made one was written.
    pub path: PathBuf,
    /// SHA-256 of the leaf certificate's DER, as colon-separated upper-case hex pairs
    /// (what `openssl x509 -fingerprint -sha256` prints).
    pub fingerprint: String,
    /// The names a made certificate is valid for; empty for a given one.
    pub names: Vec<String>,
}

impl Certificate {
    /// Whether it was made at start.
    pub fn self_signed(&self) -> bool {
        !self.names.is_empty()
    }
}

/// The TLS of a listener of mock `mock` bound to `host`:`port`: the source's
/// certificate loaded or made (and then written under the temporary directory).
pub fn load(source: &TlsSource, mock: &str, host: &str, port: u16) -> anyhow::Result<Tls> {
    let (chain, key, certificate) = match source {
        TlsSource::Files { cert, key } => {
            let chain = read_chain(cert)?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
                anyhow::anyhow!(
                    "TLS key {}: {}; expected a PEM private key (PKCS#8, PKCS#1 or SEC1)",
                    key.display(),
                    pem_error(&e)
                )
            })?;
            let certificate = Certificate {
                path: cert.clone(),
                fingerprint: fingerprint(&chain[0]),
                names: Vec::new(),
            };
            (chain, key, certificate)
        }
        TlsSource::SelfSigned => self_signed(mock, host, port)?,
    };
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .with_context(|| {
            format!(
                "TLS certificate {}: it does not go with the key",
                certificate.path.display()
            )
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        certificate,
    })
}

/// The certificates of a PEM file, at least one.
fn read_chain(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<_, _>>())
        .map_err(|e| anyhow::anyhow!("TLS certificate {}: {}", path.display(), pem_error(&e)))?;
    if chain.is_empty() {
        bail!(
            "TLS certificate {}: no CERTIFICATE block; expected a PEM certificate chain, leaf first",
            path.display()
        );
    }
    Ok(chain)
}

/// A PEM reading error in words.
fn pem_error(e: &rustls_pki_types::pem::Error) -> String {
    match e {
        rustls_pki_types::pem::Error::Io(io) => io.to_string(),
        rustls_pki_types::pem::Error::NoItemsFound => "no PEM block of that kind".into(),
        other => format!("not valid PEM ({other:?})"),
    }
}

/// The names a made certificate covers: loopback, the bound host, and the machine's
/// name when bound to every address.
pub fn names_for(host: &str) -> Vec<String> {
    let mut names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let every = host.parse::<IpAddr>().is_ok_and(|ip| ip.is_unspecified());
    if every {
        if let Ok(name) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
            names.push(name.trim().to_string());
        }
    } else {
        names.push(host.to_string());
    }
    names.retain(|n| !n.is_empty());
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

type Made = (
    Vec<CertificateDer<'static>>,
    PrivateKeyDer<'static>,
    Certificate,
);

/// Makes a certificate for [`names_for`] `host` and writes it as PEM.
fn self_signed(mock: &str, host: &str, port: u16) -> anyhow::Result<Made> {
    let names = names_for(host);
    let mut params =
        rcgen::CertificateParams::new(names.clone()).context("self-signed certificate names")?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "standin self-signed");
    let key = rcgen::KeyPair::generate().context("self-signed certificate key")?;
    let cert = params
        .self_signed(&key)
        .context("self-signed certificate")?;
    let dir = std::env::temp_dir().join(format!("standin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let safe: String = mock
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let path = dir.join(format!("{safe}-{port}.pem"));
    std::fs::write(&path, cert.pem())
        .with_context(|| format!("cannot write the certificate to {}", path.display()))?;
    let der = cert.der().clone();
    let certificate = Certificate {
        path,
        fingerprint: fingerprint(&der),
        names,
    };
    let key = PrivateKeyDer::try_from(key.serialize_der())
        .map_err(|e| anyhow::anyhow!("self-signed certificate key: {e}"))?;
    Ok((vec![der], key, certificate))
}

/// SHA-256 of a certificate's DER as `AB:CD:…`.
pub fn fingerprint(der: &CertificateDer<'_>) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der.as_ref());
    let mut out = String::with_capacity(95);
    for (i, b) in digest.as_ref().iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        let _ = write!(out, "{b:02X}");
    }
    out
}

/// Removes the directory made certificates were written to, when the server stops.
pub fn remove_made() {
    let dir = std::env::temp_dir().join(format!("standin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cover_loopback_and_the_bound_host_once() {
        assert_eq!(names_for("127.0.0.1"), ["localhost", "127.0.0.1", "::1"]);
        assert_eq!(
            names_for("mock.internal"),
            ["localhost", "127.0.0.1", "::1", "mock.internal"]
        );
        let every = names_for("0.0.0.0");
        assert!(!every.contains(&"0.0.0.0".to_string()), "{every:?}");
    }

    #[test]
    fn a_made_certificate_is_written_and_its_fingerprint_matches_the_file() {
        let tls = load(&TlsSource::SelfSigned, "unit test", "127.0.0.1", 1).expect("made");
        let c = &tls.certificate;
        assert!(c.self_signed());
        let chain = read_chain(&c.path).expect("the written PEM reads back");
        assert_eq!(fingerprint(&chain[0]), c.fingerprint);
        assert_eq!(c.fingerprint.len(), 32 * 3 - 1);
        assert!(c.path.ends_with("unit-test-1.pem"), "{}", c.path.display());
    }

    #[test]
    fn bad_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().expect("dir");
        let cert = dir.path().join("cert.pem");
        std::fs::write(&cert, "not a certificate\n").expect("write");
        let source = TlsSource::Files {
            cert: cert.clone(),
            key: dir.path().join("missing.pem"),
        };
        let err = load(&source, "m", "127.0.0.1", 1).err().expect("an error");
        let text = format!("{err:#}");
        assert!(text.contains("cert.pem"), "{text}");
    }
}
