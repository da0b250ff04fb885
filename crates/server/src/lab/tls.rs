//! HTTPS for the lab API. kubectl (client-go) attaches a bearer token only
//! to TLS connections, so the lab serves TLS with a self-signed certificate
//! for `127.0.0.1` and `localhost`, made fresh at every start; the kubeconfig
//! carries it as the certificate authority. Not a general TLS setup: no
//! client certificates, no files on disk.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use base64::Engine;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The certificate could not be made or loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// Generating the key pair or certificate failed.
    #[error("making the lab's TLS certificate: {0}")]
    Generate(#[source] rcgen::Error),
    /// rustls refused the certificate or key.
    #[error("loading the lab's TLS certificate: {0}")]
    Load(#[source] rustls::Error),
}

/// A self-signed certificate and its private key.
pub struct Certificate {
    cert: CertificateDer<'static>,
    key: Vec<u8>,
    pem: String,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate").finish_non_exhaustive()
    }
}

impl Certificate {
    /// A new key pair and a certificate for `127.0.0.1` and `localhost`.
    pub fn self_signed() -> Result<Certificate, TlsError> {
        let names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
        let rcgen::CertifiedKey { cert, key_pair } =
            rcgen::generate_simple_self_signed(names).map_err(TlsError::Generate)?;
        Ok(Certificate {
            pem: cert.pem(),
            cert: cert.der().clone(),
            key: key_pair.serialize_der(),
        })
    }

    /// The certificate as PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// The PEM, base64-encoded, for a kubeconfig's `certificate-authority-data`.
    pub fn authority_data(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.pem.as_bytes())
    }

    fn server_config(&self) -> Result<rustls::ServerConfig, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Load)?
            .with_no_client_auth()
            .with_single_cert(
                vec![self.cert.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone())),
            )
            .map_err(TlsError::Load)?;
        // HTTP/1.1 only: watches stream as chunked responses.
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(cfg)
    }
}

/// Serves `router` over TLS on `listener` until `shutdown` completes; open
/// requests (watches) get a second to finish.
pub async fn serve_tls(
    listener: std::net::TcpListener,
    router: Router,
    cert: &Certificate,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let cfg = cert
        .server_config()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let rustls = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(cfg));
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(1)));
    });
    listener.set_nonblocking(true)?;
    axum_server::from_tcp_rustls(listener, rustls)
        .handle(handle)
        .serve(router.into_make_service())
        .await
}
