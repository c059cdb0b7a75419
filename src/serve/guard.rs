//! What every response carries and every API request must show.
//!
//! - The token: with one set, an `/api/` request without
//!   `Authorization: Bearer T` is answered 401 (the page and `/health`
//!   are open: the page asks for the token).
//! - Security headers on every response: a Content-Security-Policy that
//!   allows the page's own files and nothing else (no inline script, no
//!   other origin), no sniffing, no framing, no referrer.
//! - Bounds: request bodies ([`MAX_BODY`]); the query's length, `limit`
//!   and `offset` are bounded by [`crate::api::request`]; request time by
//!   the server's timeout.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::routes::{error, State as AppState};

/// Largest request body accepted (a batch of names).
pub const MAX_BODY: usize = 64 * 1024;

pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; \
frame-ancestors 'none'";

/// True when `given` is the token, compared in time that does not depend
/// on where they differ.
fn same(given: &[u8], token: &[u8]) -> bool {
    given.len() == token.len()
        && given
            .iter()
            .zip(token)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Refuses API requests without the token.
pub async fn token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(token) = &state.token {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if !given.is_some_and(|g| same(g.as_bytes(), token.as_bytes())) {
            let mut response = error(
                StatusCode::UNAUTHORIZED,
                "this server needs its access token: send Authorization: Bearer <token>",
            )
            .into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"recoupe\""),
            );
            return response;
        }
    }
    next.run(request).await
}

/// What an error answer that axum wrote itself (a wrong method, a body
/// too large) says, since its own body is plain text.
fn message_for(status: StatusCode) -> String {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => "this method is not allowed here".to_string(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            format!("the request body is larger than {} KiB", MAX_BODY / 1024)
        }
        s => s.canonical_reason().unwrap_or("error").to_lowercase(),
    }
}

/// Adds the security headers; makes every error answer JSON.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let allow = response.headers().get(header::ALLOW).cloned();
        response = error(status, message_for(status)).into_response();
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    }
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn only_the_whole_token_passes() {
        assert!(same(b"s3cret", b"s3cret"));
        assert!(!same(b"s3cre", b"s3cret"));
        assert!(!same(b"s3cret!", b"s3cret"));
        assert!(!same(b"S3cret", b"s3cret"));
        assert!(!same(b"", b"s3cret"));
    }
}
