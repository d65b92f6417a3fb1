//! GitHub's REST API for issue comments, as the meshwright action uses it, served on
//! loopback for tests: listing a pull request's comments (`per_page`/`page`, with a `Link`
//! header), creating one, and updating one, with bearer-token authentication and GitHub's
//! error bodies (401 bad credentials, 403 for a read-only token, 404, 422). Also release
//! downloads as github.com serves them, without authentication: a redirect from
//! `/{owner}/{repo}/releases/download/{tag}/{name}` to the asset's storage, 404 when missing.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

/// The repository and pull request the server knows.
pub const REPOSITORY: &str = "acme/mesh";
pub const PULL_REQUEST: u64 = 7;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    /// Path and query.
    pub target: String,
}

#[derive(Default)]
pub struct State {
    pub comments: Vec<Comment>,
    pub requests: Vec<Logged>,
    /// Writes answer 403, as for a pull request from a fork.
    pub read_only: bool,
    /// Release assets by download path (`/owner/repo/releases/download/tag/name`).
    pub release_assets: BTreeMap<String, Vec<u8>>,
    next_id: u64,
}

pub struct GitHub {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl GitHub {
    /// Serves on a free loopback port, on its own thread, accepting `token`.
    pub fn start(token: &str) -> GitHub {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State {
            next_id: 1000,
            ..State::default()
        }));
        let serving = (state.clone(), format!("Bearer {token}"));
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(accept_loop(listener, serving));
        });
        GitHub { url, state }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("state")
    }

    /// A comment somebody else wrote.
    pub fn add_comment(&self, body: &str) -> u64 {
        let mut state = self.state();
        state.next_id += 1;
        let id = state.next_id;
        state.comments.push(Comment {
            id,
            body: body.to_string(),
        });
        id
    }

    /// Publishes `name` as an asset of release `tag` of `repository` (`owner/repo`).
    pub fn publish(&self, repository: &str, tag: &str, name: &str, bytes: &[u8]) {
        self.state().release_assets.insert(
            format!("/{repository}/releases/download/{tag}/{name}"),
            bytes.to_vec(),
        );
    }

    pub fn comments(&self) -> Vec<Comment> {
        self.state().comments.clone()
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.state().requests.clone()
    }
}

async fn accept_loop(listener: std::net::TcpListener, serving: (Arc<Mutex<State>>, String)) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let serving = serving.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let (state, authorization) = serving.clone();
                async move { Ok::<_, Infallible>(handle(&state, &authorization, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn reply(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("response")
}

fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    reply(
        status,
        &json!({"message": message, "documentation_url": "https://docs.github.com/rest"}),
    )
}

fn as_json(comment: &Comment) -> Value {
    json!({
        "id": comment.id,
        "body": comment.body,
        "html_url": format!("https://github.com/{REPOSITORY}/pull/{PULL_REQUEST}#issuecomment-{}", comment.id),
        "user": {"login": "github-actions[bot]", "type": "Bot"},
    })
}

/// The value of `name` in a query string.
fn query_value(query: &str, name: &str) -> Option<usize> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .and_then(|(_, value)| value.parse().ok())
}

/// Where release downloads redirect to, as github.com redirects to its asset storage.
const ASSET_STORAGE: &str = "/release-assets";

/// A release download: a redirect to the asset's storage, or 404 for a missing asset.
fn release_download(state: &State, path: &str) -> Response<Full<Bytes>> {
    if !state.release_assets.contains_key(path) {
        return error(StatusCode::NOT_FOUND, "Not Found");
    }
    Response::builder()
        .status(StatusCode::FOUND)
        .header("location", format!("{ASSET_STORAGE}{path}"))
        .body(Full::new(Bytes::new()))
        .expect("response")
}

async fn handle(
    state: &Mutex<State>,
    authorization: &str,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let authorized = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(authorization);
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut state = state.lock().expect("state");
    state.requests.push(Logged {
        method: method.to_string(),
        target: if query.is_empty() {
            path.clone()
        } else {
            format!("{path}?{query}")
        },
    });
    if let Some(download) = path.strip_prefix(ASSET_STORAGE) {
        return match state.release_assets.get(download) {
            Some(bytes) => Response::builder()
                .header("content-type", "application/octet-stream")
                .body(Full::new(Bytes::from(bytes.clone())))
                .expect("response"),
            None => error(StatusCode::NOT_FOUND, "Not Found"),
        };
    }
    if method == Method::GET && path.contains("/releases/download/") {
        return release_download(&state, &path);
    }
    if !authorized {
        return error(StatusCode::UNAUTHORIZED, "Bad credentials");
    }
    let list = format!("/repos/{REPOSITORY}/issues/{PULL_REQUEST}/comments");
    let one = format!("/repos/{REPOSITORY}/issues/comments/");
    if method != Method::GET && state.read_only {
        return error(
            StatusCode::FORBIDDEN,
            "Resource not accessible by integration",
        );
    }
    let new_body = || {
        serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.get("body").and_then(Value::as_str).map(str::to_string))
    };
    if path == list && method == Method::GET {
        let per_page = query_value(&query, "per_page").unwrap_or(30).min(100);
        let page = query_value(&query, "page").unwrap_or(1).max(1);
        let items: Vec<Value> = state
            .comments
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .map(as_json)
            .collect();
        let mut response = reply(StatusCode::OK, &Value::Array(items));
        if page * per_page < state.comments.len() {
            let next = format!(
                "<{list}?per_page={per_page}&page={}>; rel=\"next\"",
                page + 1
            );
            response
                .headers_mut()
                .insert("link", next.parse().expect("header"));
        }
        response
    } else if path == list && method == Method::POST {
        let Some(text) = new_body() else {
            return error(StatusCode::UNPROCESSABLE_ENTITY, "Invalid request: body");
        };
        state.next_id += 1;
        let comment = Comment {
            id: state.next_id,
            body: text,
        };
        state.comments.push(comment.clone());
        reply(StatusCode::CREATED, &as_json(&comment))
    } else if let Some(id) = path.strip_prefix(&one).filter(|_| method == Method::PATCH) {
        let Some(text) = new_body() else {
            return error(StatusCode::UNPROCESSABLE_ENTITY, "Invalid request: body");
        };
        let id: u64 = id.parse().unwrap_or_default();
        match state.comments.iter_mut().find(|c| c.id == id) {
            Some(comment) => {
                comment.body = text;
                let comment = comment.clone();
                reply(StatusCode::OK, &as_json(&comment))
            }
            None => error(StatusCode::NOT_FOUND, "Not Found"),
        }
    } else {
        error(StatusCode::NOT_FOUND, "Not Found")
    }
}
