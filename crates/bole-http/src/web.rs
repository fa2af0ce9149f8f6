//! Serves the web app (`web/dist`, built by `make web`) from the binary: hashed assets
//! with a year of immutable caching, everything else that is not an API path answered
//! with `index.html` so the client-side router can take deep links.
//!
//! Release builds embed the files (rust-embed); debug builds read them from `web/dist`
//! at run time (our own reader: rust-embed's debug mode cannot find a folder that did not
//! exist when the crate was compiled), so `npm run build` is seen without recompiling.
//! `[http] web_dir` points the server at another build of the app (front-end work, custom
//! builds, parallel browser-test runs).
//! Without a built app the root answers a short page that says how to build it (the API
//! works regardless).

use crate::error::ApiError;
use crate::layers::WEB_CSP;
use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

#[derive(rust_embed::Embed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Dist;

/// A file of the app: its bytes and its media type.
struct Asset {
    data: Cow<'static, [u8]>,
    mime: String,
}

/// Where the app's files come from.
#[derive(Clone, Debug)]
pub struct WebApp {
    /// Read from this directory (`[http] web_dir`, or `web/dist` in debug builds); else embedded.
    disk: Option<Arc<Path>>,
}

impl WebApp {
    pub fn new(web_dir: Option<PathBuf>) -> Self {
        let dev = cfg!(debug_assertions).then(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/dist")));
        Self { disk: web_dir.or(dev).map(Arc::from) }
    }

    /// The router's fallback: a file of the app, the app's shell for its own routes, or
    /// the API's 404 envelope.
    pub async fn serve(self, method: Method, uri: Uri) -> Response {
        serve(self.disk.as_deref(), method, uri)
    }
}

fn asset(disk: Option<&Path>, name: &str) -> Option<Asset> {
    match disk {
        Some(dir) => {
            // Only plain relative names: no `..`, no absolute paths, no drive prefixes.
            let rel = Path::new(name);
            if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
                return None;
            }
            let path = dir.join(rel);
            let data = std::fs::read(&path).ok()?;
            let mime = mime_guess::from_path(&path).first_or_octet_stream().essence_str().to_string();
            Some(Asset { data: Cow::Owned(data), mime })
        }
        None => Dist::get(name).map(|f| Asset { mime: f.metadata.mimetype().to_string(), data: f.data }),
    }
}

/// Paths that belong to the server, never to the web app: an unknown one is the API's 404.
fn server_path(path: &str) -> bool {
    path.starts_with("/api/") || ["/api", "/healthz", "/readyz", "/metrics"].contains(&path)
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>伯乐 Bole</title>\
<p>网页应用尚未构建：请运行 <code>make web</code>（或 <code>make run</code>）。API 可用：<a href=\"/api/docs/\">/api/docs</a></p>\
<p>The web app is not built: run <code>make web</code> (or <code>make run</code>). The API works: \
<a href=\"/api/docs/\">/api/docs</a></p></html>";

fn serve(disk: Option<&Path>, method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if server_path(path) || !(method == Method::GET || method == Method::HEAD) {
        return ApiError::route_not_found().into_response();
    }
    let name = path.trim_start_matches('/');
    if !name.is_empty()
        && let Some(file) = asset(disk, name)
    {
        // Vite puts content-hashed files under assets/; their URL changes with their bytes.
        let cache = if name.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return file_response(file, cache);
    }
    // A missing asset is a 404, not the shell (a stale chunk must fail loudly, not as HTML).
    if name.starts_with("assets/") || name.rsplit('/').next().is_some_and(|last| last.contains('.')) {
        return (StatusCode::NOT_FOUND, [(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(WEB_CSP))], "")
            .into_response();
    }
    match asset(disk, "index.html") {
        Some(file) => file_response(file, "no-cache"),
        None => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
                (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(WEB_CSP)),
            ],
            NOT_BUILT,
        )
            .into_response(),
    }
}

fn file_response(file: Asset, cache: &'static str) -> Response {
    let mime = file.mime.as_str();
    let mut res = Response::new(Body::from(file.data.into_owned()));
    let headers = res.headers_mut();
    let content_type = if mime.starts_with("text/") || mime.ends_with("javascript") || mime.ends_with("json") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(WEB_CSP));
    res
}

#[cfg(test)]
mod tests {
    use super::server_path;

    #[test]
    fn server_paths_are_not_the_apps() {
        for p in ["/api/v1/x", "/api/openapi.json", "/healthz", "/readyz", "/metrics"] {
            assert!(server_path(p), "{p}");
        }
        for p in ["/", "/login", "/hr/org", "/me/profile", "/apiary", "/healthzone"] {
            assert!(!server_path(p), "{p}");
        }
    }
}
