//! The web client: `web/dist` (its committed build), embedded at compile time by `build.rs`.
//!
//! The router's fallback. Hashed files under `/static/` are cached for a year; every other
//! `GET` outside the server's own prefixes is a client route and gets `index.html` (never
//! cached, with a strict Content-Security-Policy). Bodies are precompressed at build time;
//! the best encoding the client accepts is chosen.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use townsquare_sdk::AppError;

use crate::error::Error;

/// One file of the client's build, with its precompressed siblings.
pub struct WebAsset {
    pub path: &'static str,
    pub body: &'static [u8],
    pub brotli: Option<&'static [u8]>,
    pub gzip: Option<&'static [u8]>,
}

static ASSETS: &[WebAsset] = include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// Prefixes that belong to the server: a miss there is Mattermost's JSON 404, not the client.
/// (`files` is a reserved team name, for public file links.)
const SERVER_PREFIXES: &[&str] = &["/api", "/files", "/plugins", "/static"];

/// No inline script or style; the WebSocket on this host; images from the server or made by
/// the client (avatars as blobs, data URLs for tiny previews).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self' ws: wss:; \
     media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'self'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The files of the build (for tests and diagnostics).
pub fn assets() -> &'static [WebAsset] {
    ASSETS
}

fn find(path: &str) -> Option<&'static WebAsset> {
    ASSETS.iter().find(|asset| asset.path == path)
}

fn is_server_path(path: &str) -> bool {
    SERVER_PREFIXES.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

pub async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return Error::from(AppError::route_not_found()).into_response();
    }
    let path = uri.path();
    let (asset, html) = match find(path) {
        Some(asset) if path != "/index.html" => (asset, false),
        _ if is_server_path(path) => {
            return Error::from(AppError::route_not_found()).into_response()
        }
        _ => match find("/index.html") {
            Some(index) => (index, true),
            None => return Error::from(AppError::route_not_found()).into_response(),
        },
    };
    let (body, encoding) = choose_encoding(asset, &headers);
    let mut response = if method == Method::HEAD {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(body))
    };
    *response.status_mut() = StatusCode::OK;
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(asset.path)),
    );
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    if asset.brotli.is_some() || asset.gzip.is_some() {
        out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    if let Some(encoding) = encoding {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    let hashed = asset.path.starts_with("/static/");
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if hashed { IMMUTABLE } else { "no-cache" }),
    );
    if html {
        out.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        out.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    response
}

/// The body to send and its `Content-Encoding`: brotli, then gzip, when accepted and built.
fn choose_encoding(
    asset: &'static WebAsset,
    headers: &HeaderMap,
) -> (&'static [u8], Option<&'static str>) {
    let accepted = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    if let Some(br) = asset.brotli.filter(|_| accepts(&accepted, "br")) {
        return (br, Some("br"));
    }
    if let Some(gz) = asset.gzip.filter(|_| accepts(&accepted, "gzip")) {
        return (gz, Some("gzip"));
    }
    (asset.body, None)
}

/// Whether an `Accept-Encoding` list accepts `coding` (named, or by `*`, with q > 0).
fn accepts(list: &str, coding: &str) -> bool {
    let mut named = None;
    let mut wildcard = None;
    for item in list.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            .filter_map(|q| q.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case(coding) {
            named = Some(q > 0.0);
        } else if name == "*" {
            wildcard = Some(q > 0.0);
        }
    }
    named.or(wildcard).unwrap_or(false)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") | Some("map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_lists() {
        assert!(accepts("gzip, deflate, br", "br"));
        assert!(accepts("gzip, deflate, br", "gzip"));
        assert!(!accepts("gzip;q=0, br", "gzip"));
        assert!(accepts("*", "br"));
        assert!(!accepts("*, br;q=0", "br"));
        assert!(!accepts("", "gzip"));
        assert!(!accepts("identity", "gzip"));
        assert!(accepts("GZIP;q=0.5", "gzip"));
    }

    #[test]
    fn server_prefixes() {
        assert!(is_server_path("/api"));
        assert!(is_server_path("/api/v4/nothing"));
        assert!(is_server_path("/static/missing.js"));
        assert!(is_server_path("/plugins/x"));
        assert!(!is_server_path("/apiary/channels/town-square"));
        assert!(!is_server_path("/"));
    }
}
