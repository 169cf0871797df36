//! Static files embedded in the binary and served under `/static/` with long cache headers.
//!
//! Links carry a content hash (`/static/vakt.css?v=…`, see [`asset_url`]), so a new release busts caches
//! while every response may be cached for a year.

use std::sync::LazyLock;

use axum::{
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

static ASSETS: &[Asset] = &[
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/htmx.min.js"),
    },
    Asset {
        name: "vakt.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../static/vakt.css"),
    },
];

static VERSIONS: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            let digest = Sha256::digest(a.body);
            (a.name, hex::encode(&digest[..6]))
        })
        .collect()
});

/// The URL of an embedded static file, with its content hash; `/static/<name>` for unknown names.
pub fn asset_url(name: &str) -> String {
    match VERSIONS.iter().find(|(n, _)| *n == name) {
        Some((_, v)) => format!("/static/{name}?v={v}"),
        None => format!("/static/{name}"),
    }
}

/// `GET /static/{name}`.
pub async fn serve_static(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(a.content_type),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            a.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
