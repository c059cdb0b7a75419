//! The API's routes. Each answer is one of [`crate::api`]'s types as JSON
//! (or CSV for a batch that asks for it); each error is an
//! [`ErrorResponse`] with the status that fits: 400 for a bad parameter,
//! 401 without the token, 404 for an unknown article or path, 413 for a
//! body too large, 503 when the search took too long or the server is
//! stopping.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State as Extract};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::sync::Semaphore;

use super::guard;
use super::live::{Live, Snapshot};
use crate::api::request::{BadRequest, SearchRequest, MAX_QUERY_CHARS};
use crate::api::web::{
    BatchResponse, BatchRow, ErrorResponse, Health, SearchResponse, VariantsResponse,
    BATCH_CSV_COLUMNS, BATCH_HITS,
};
use crate::api::{csv_line, Article, VERSION};

/// Most names in one batch.
pub const MAX_BATCH_NAMES: usize = 200;

/// What every handler shares.
#[derive(Clone)]
pub struct State {
    live: Arc<Live>,
    pub token: Option<String>,
    searches: Arc<Semaphore>,
    timeout: Duration,
}

impl State {
    pub fn new(live: Arc<Live>, config: &super::Config) -> State {
        State {
            live,
            token: config.token.clone().filter(|t| !t.is_empty()),
            searches: Arc::new(Semaphore::new(config.searches.max(1))),
            timeout: config.timeout,
        }
    }
}

type Pairs = Vec<(String, String)>;

/// The routes, with their guards.
pub fn router(state: State) -> Router {
    let api = Router::new()
        .route("/api/search", get(search))
        .route("/api/article/{*doc}", get(article))
        .route("/api/batch", post(batch))
        .route("/api/variants", get(variants))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::token,
        ));
    Router::new()
        .route("/health", get(health))
        .merge(api)
        .fallback(get(asset))
        .layer(DefaultBodyLimit::max(guard::MAX_BODY))
        .layer(axum::middleware::from_fn(guard::headers))
        .with_state(state)
}

/// An error answer: its status, and the message the JSON body carries.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorResponse::new(self.status.as_u16(), self.message);
        (self.status, Json(body)).into_response()
    }
}

/// An error answer.
pub fn error(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError {
        status,
        message: message.into(),
    }
}

fn bad_request(e: BadRequest) -> ApiError {
    error(StatusCode::BAD_REQUEST, e.to_string())
}

/// Runs `work` on the searcher in place, on the blocking pool, in turn
/// with the other searches and within the time bound.
async fn with_searcher<T: Send + 'static>(
    state: &State,
    work: impl FnOnce(&Snapshot) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let wait =
        async {
            let _turn =
                state.searches.clone().acquire_owned().await.map_err(|_| {
                    error(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping")
                })?;
            let snapshot = state.live.get();
            tokio::task::spawn_blocking(move || work(&snapshot))
                .await
                .map_err(|_| error(StatusCode::INTERNAL_SERVER_ERROR, "the search failed"))?
        };
    match tokio::time::timeout(state.timeout, wait).await {
        Ok(result) => result,
        Err(_) => Err(error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the search took longer than {} s; narrow it (filters, fewer words)",
                state.timeout.as_secs()
            ),
        )),
    }
}

fn failed(e: impl std::fmt::Display) -> ApiError {
    error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

fn query_pairs(
    query: Result<Query<Pairs>, axum::extract::rejection::QueryRejection>,
) -> Result<Pairs, ApiError> {
    query.map(|Query(p)| p).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!("unreadable parameters: {e}"),
        )
    })
}

type Params = Result<Query<Pairs>, QueryRejection>;

async fn search(Extract(state): Extract<State>, query: Params) -> Result<Response, ApiError> {
    let request = SearchRequest::from_pairs(&query_pairs(query)?, true).map_err(bad_request)?;
    let answer = with_searcher(&state, move |s| {
        let answer = s
            .searcher
            .search(&request.q, &request.options)
            .map_err(failed)?;
        Ok(SearchResponse::new(&request.q, &request.options, &answer))
    })
    .await?;
    Ok(Json(answer).into_response())
}

async fn article(
    Extract(state): Extract<State>,
    Path(doc): Path<String>,
    query: Params,
) -> Result<Response, ApiError> {
    let mut q: Option<String> = None;
    let mut strict = false;
    for (name, value) in query_pairs(query)? {
        match name.as_str() {
            "q" if value.chars().count() > MAX_QUERY_CHARS => {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    format!("q: longer than {MAX_QUERY_CHARS} characters"),
                ))
            }
            "q" => q = Some(value).filter(|v| !v.trim().is_empty()),
            "strict" => strict = matches!(value.as_str(), "" | "1" | "true"),
            other => {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    format!("{other}: unknown parameter"),
                ))
            }
        }
    }
    let article = with_searcher(&state, move |s| {
        s.searcher
            .article(&doc, q.as_deref(), strict)
            .map_err(failed)?
            .map(|a| Article::new(&a))
            .ok_or_else(|| {
                error(
                    StatusCode::NOT_FOUND,
                    format!("no article {doc:?} in the index"),
                )
            })
    })
    .await?;
    Ok(Json(ArticleResponse {
        version: VERSION,
        article,
    })
    .into_response())
}

/// `GET /api/article/{doc}`: the article's fields beside `version`.
#[derive(serde::Serialize)]
struct ArticleResponse {
    version: u32,
    #[serde(flatten)]
    article: Article,
}

/// The names of a batch body: one a line, blank lines and `#` comments
/// skipped, each bounded like a query.
fn batch_names(body: &[u8]) -> Result<Vec<String>, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| {
        error(
            StatusCode::BAD_REQUEST,
            "the body is not UTF-8 text: send one name a line",
        )
    })?;
    let names: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    if names.is_empty() {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "no name given: send one name a line",
        ));
    }
    if names.len() > MAX_BATCH_NAMES {
        return Err(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "{} names; send at most {MAX_BATCH_NAMES} at a time",
                names.len()
            ),
        ));
    }
    if let Some(long) = names.iter().find(|n| n.chars().count() > MAX_QUERY_CHARS) {
        let start: String = long.chars().take(40).collect();
        return Err(error(
            StatusCode::BAD_REQUEST,
            format!("the name starting {start:?} is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    Ok(names)
}

async fn batch(
    Extract(state): Extract<State>,
    query: Params,
    body: Bytes,
) -> Result<Response, ApiError> {
    let pairs = query_pairs(query)?;
    let mut csv = false;
    for (_, v) in pairs.iter().filter(|(k, _)| k == "format") {
        csv = match v.as_str() {
            "csv" => true,
            "" | "json" => false,
            _ => {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    format!("format: {v:?}: give json or csv"),
                ))
            }
        };
    }
    let mut request = SearchRequest::from_pairs(&pairs, false).map_err(bad_request)?;
    request.options.limit = BATCH_HITS;
    request.options.facets = false;
    let names = batch_names(&body)?;
    let rows = with_searcher(&state, move |s| {
        names
            .iter()
            .map(|name| {
                let answer = s.searcher.search(name, &request.options).map_err(failed)?;
                Ok(BatchRow::new(name, &answer))
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })
    .await?;
    if csv {
        let mut out = csv_line(&BATCH_CSV_COLUMNS);
        for row in &rows {
            out.push_str(&row.csv());
        }
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"recoupe-lot.csv\"",
                ),
            ],
            out,
        )
            .into_response());
    }
    Ok(Json(BatchResponse {
        version: VERSION,
        names: rows,
    })
    .into_response())
}

async fn variants(Extract(state): Extract<State>, query: Params) -> Result<Response, ApiError> {
    let request = SearchRequest::from_pairs(&query_pairs(query)?, true).map_err(bad_request)?;
    let found = with_searcher(&state, move |s| {
        let variants = s
            .searcher
            .variants(&request.q, request.options.strict)
            .map_err(failed)?;
        Ok(VariantsResponse {
            version: VERSION,
            query: request.q.clone(),
            variants,
        })
    })
    .await?;
    Ok(Json(found).into_response())
}

async fn health(Extract(state): Extract<State>) -> Response {
    let snapshot = state.live.get();
    let last_commit = snapshot.commit.time.map(|t| {
        chrono::DateTime::<chrono::Utc>::from(t)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    });
    Json(Health {
        status: "ok",
        generation: snapshot.commit.generation.clone(),
        last_commit,
        passages: snapshot.searcher.passages(),
    })
    .into_response()
}

/// The page's files; anything else is a 404 error.
async fn asset(uri: Uri) -> Response {
    match super::assets::get(uri.path()) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            a.body,
        )
            .into_response(),
        None => error(StatusCode::NOT_FOUND, format!("nothing at {}", uri.path())).into_response(),
    }
}
