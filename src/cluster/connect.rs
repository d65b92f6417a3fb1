//! Connecting to a live cluster: a kube-rs client from the user's kubeconfig (`KUBECONFIG`
//! or `~/.kube/config`, or an explicit file), with the context the user names. Client
//! certificates, bearer tokens and exec plugins work as kube-rs supports them.
//!
//! TLS verification stays on: a kubeconfig that sets `insecure-skip-tls-verify`, or names a
//! plain `http://` server (credentials in clear), is refused unless the user passes
//! `--insecure-skip-tls-verify` too. A credential plugin (exec), which kube-rs runs while it
//! builds the client, gets the request timeout like any request.

use std::path::PathBuf;
use std::time::Duration;

use kube::client::ClientBuilder;
use kube::config::{Config, KubeConfigOptions, Kubeconfig, KubeconfigError};

use super::ClusterError;
use super::read::describe;

/// Which cluster to talk to, and how patiently.
#[derive(Debug, Clone)]
pub struct Target {
    /// A kubeconfig file; `None` reads `KUBECONFIG` or `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context; `None` uses the current context.
    pub context: Option<String>,
    /// How long one request may take before it counts as a timeout.
    pub request_timeout: Duration,
    /// Accept a kubeconfig that disables certificate verification.
    pub insecure_skip_tls_verify: bool,
}

/// A connected client and the name of the context it came from.
pub struct Connection {
    pub client: kube::Client,
    /// The context's name, or the cluster URL when the kubeconfig names none.
    pub context: String,
    /// The API server's URL.
    pub server: String,
    /// How long one request may take, its whole answer included.
    pub request_timeout: Duration,
}

impl Connection {
    /// `error` with the context and server it happened on.
    pub fn locate(&self, error: ClusterError) -> ClusterError {
        ClusterError::new(format!(
            "context {} ({}): {}",
            self.context, self.server, error.message
        ))
    }

    /// `request` (one API request, or `count` of them in a row) within the request timeout,
    /// the whole answer included: a timeout is an error like any transport failure.
    pub async fn within<T>(
        &self,
        count: u32,
        request: impl Future<Output = Result<T, kube::Error>>,
    ) -> Result<T, kube::Error> {
        let limit = self.request_timeout.saturating_mul(count.max(1));
        tokio::time::timeout(limit, request)
            .await
            .unwrap_or_else(|_| {
                Err(kube::Error::Service(Box::new(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "request timed out: no complete answer within {}s (--request-timeout)",
                        limit.as_secs()
                    ),
                ))))
            })
    }
}

/// Reads the kubeconfig and builds a client for `target`.
pub async fn connect(target: &Target) -> Result<Connection, ClusterError> {
    let options = KubeConfigOptions {
        context: target.context.clone(),
        ..KubeConfigOptions::default()
    };
    let source = target.kubeconfig.as_ref().map_or_else(
        || "the kubeconfig (KUBECONFIG or ~/.kube/config)".to_string(),
        |path| path.display().to_string(),
    );
    let kubeconfig = match &target.kubeconfig {
        Some(path) => Kubeconfig::read_from(path),
        None => Kubeconfig::read(),
    }
    .map_err(|e| {
        ClusterError::new(format!(
            "{source}: cannot read kubeconfig: {}",
            describe_kubeconfig(&e)
        ))
    })?;
    let context = target
        .context
        .clone()
        .or_else(|| kubeconfig.current_context.clone());
    if let Some(wanted) = &target.context
        && !kubeconfig.contexts.iter().any(|c| &c.name == wanted)
    {
        let known: Vec<&str> = kubeconfig
            .contexts
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        return Err(ClusterError::new(format!(
            "{source}: no context named \"{wanted}\" (contexts: {})",
            known.join(", ")
        )));
    }
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| ClusterError::new(format!("{source}: {}", describe_kubeconfig(&e))))?;
    if config.accept_invalid_certs && !target.insecure_skip_tls_verify {
        return Err(ClusterError::new(format!(
            "{source}: the context sets insecure-skip-tls-verify; meshwright verifies the API \
             server's certificate unless you also pass --insecure-skip-tls-verify"
        )));
    }
    if config.cluster_url.scheme_str() == Some("http") && !target.insecure_skip_tls_verify {
        return Err(ClusterError::new(format!(
            "{source}: the context's server {} is plain http://: credentials and objects would \
             cross the network unencrypted; use its https:// address, or pass \
             --insecure-skip-tls-verify to accept that",
            config.cluster_url
        )));
    }
    // kube-rs's read timeout only bounds the silence between two reads (a server that
    // trickles its answer never reaches it); `within` bounds each whole request.
    config.read_timeout = Some(target.request_timeout);
    config.reset_reader_on_write = true;
    config.connect_timeout = Some(target.request_timeout);
    let server = config.cluster_url.to_string();
    let context = context.unwrap_or_else(|| server.clone());
    let client = build_client(config, &context, &source, target.request_timeout).await?;
    Ok(Connection {
        client,
        context,
        server,
        request_timeout: target.request_timeout,
    })
}

/// A client for `config`. kube-rs runs the context's credential plugin (exec) while it
/// builds a client — synchronously, with no timeout — so the build runs on a thread of its
/// own and is given up after `timeout`: a plugin that hangs costs the request timeout, not
/// the whole run. (The abandoned thread ends with the process.)
async fn build_client(
    config: Config,
    context: &str,
    source: &str,
    timeout: Duration,
) -> Result<kube::Client, ClusterError> {
    let exec = config.auth_info.exec.is_some();
    let (sender, receiver) = futures::channel::oneshot::channel();
    std::thread::spawn(move || {
        // Nobody listens any more when the build took too long.
        let _ = sender.send(ClientBuilder::try_from(config));
    });
    let cannot =
        |reason: String| ClusterError::new(format!("{source}: cannot build a client: {reason}"));
    match tokio::time::timeout(timeout, receiver).await {
        Ok(Ok(Ok(builder))) => Ok(builder.build()),
        Ok(Ok(Err(error))) => Err(cannot(describe(&error))),
        Ok(Err(_)) => Err(cannot(
            "the client builder stopped unexpectedly".to_string(),
        )),
        Err(_) if exec => Err(ClusterError::new(format!(
            "context {context}: the credential plugin (exec) gave no credentials within {}s \
             (--request-timeout); is it waiting for a login?",
            timeout.as_secs()
        ))),
        Err(_) => Err(cannot(format!(
            "not ready within {}s (--request-timeout)",
            timeout.as_secs()
        ))),
    }
}

/// Why a kubeconfig cannot be used, without the YAML parser's snippet of the file: the lines
/// around a syntax error are often a token, a password or a client key.
fn describe_kubeconfig(error: &KubeconfigError) -> String {
    match error {
        KubeconfigError::Parse(error) => format!(
            "failed to parse kubeconfig YAML: {}",
            error.without_snippet()
        ),
        other => other.to_string(),
    }
}
