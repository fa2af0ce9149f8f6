//! Extractors whose rejections are envelopes. Use these instead of axum's own:
//! [`Json`] (body), [`Query`] (query string), [`Path`] (ids in the path).
//!
//! | problem | status | code |
//! |---|---|---|
//! | body is not JSON (syntax, truncated, trailing text) | 400 | `malformed_json` |
//! | JSON of the wrong shape (missing/unknown field, wrong type) | 422 | `validation_failed`, serde path in `fields` |
//! | `Content-Type` is not JSON | 415 | `unsupported_media_type` |
//! | body over the route's limit | 413 | `payload_too_large` |
//! | query string does not fit | 400 | `invalid_query`, parameter in `fields` |
//! | path id is not a UUID | 400 | `invalid_id` |

use crate::error::{ApiError, unsupported_media_type};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bole_core::{FieldErrors, Msg};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A JSON body in, or a JSON body out.
#[derive(Clone, Copy, Debug, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(unsupported_media_type());
        }
        let limit = crate::limits::limit_for(req.extensions());
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::payload_too_large(limit)
            } else {
                // The client went away or the transfer broke: nothing a person can fix in the body.
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    Msg::new("请求体读取失败，请重试。", "The request body could not be read; try again."),
                )
            }
        })?;
        parse_json(&bytes).map(Json)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `application/json` or any `application/*+json`, parameters (charset) ignored.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Parse a JSON body, sorting failures into "not JSON" (400) and "wrong shape" (422).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize(&mut de) {
        Ok(v) => v,
        Err(e) => {
            let path = e.path().to_string();
            return Err(json_error(&path, e.into_inner()));
        }
    };
    de.end().map_err(|e| json_error(".", e))?;
    Ok(value)
}

fn json_error(path: &str, e: serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => {
            let mut fields = FieldErrors::new();
            let (field, msg) = describe_data_error(path, &strip_position(&e.to_string()));
            fields.add(field, msg);
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Msg::new("提交的数据有误，请按字段提示修改。", "Some fields are invalid; see the field messages."),
            )
            .with_fields(&fields)
        }
        Category::Syntax | Category::Eof | Category::Io => {
            let (line, column) = (e.line(), e.column());
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                Msg::new(
                    format!("请求体不是合法的 JSON：第{line}行第{column}列附近有语法错误。"),
                    format!("The request body is not valid JSON: syntax error near line {line}, column {column}."),
                ),
            )
        }
    }
}

/// serde_json appends " at line L column C"; the field path says more, so drop it.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains(" column ") => msg[..i].to_string(),
        _ => msg.to_string(),
    }
}

/// `a.b` joined with a key; the root path is `.`.
fn join(path: &str, key: &str) -> String {
    if path == "." || path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// The text between the first pair of backticks of a serde message.
fn quoted(msg: &str) -> Option<&str> {
    let start = msg.find('`')? + 1;
    let len = msg[start..].find('`')?;
    Some(&msg[start..start + len])
}

/// Turn a serde data error into (field path, bilingual message).
fn describe_data_error(path: &str, msg: &str) -> (String, Msg) {
    if let Some(rest) = msg.strip_prefix("missing field ") {
        let key = quoted(rest).unwrap_or("");
        return (join(path, key), Msg::new("缺少必填字段", "this field is required"));
    }
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let key = quoted(rest).unwrap_or("");
        let field = if path == key || path.ends_with(&format!(".{key}")) { path.to_string() } else { join(path, key) };
        return (field, Msg::new("不支持的字段，请检查拼写", "unknown field; check the spelling"));
    }
    let field = if path == "." { "body".to_string() } else { path.to_string() };
    if let Some(detail) = msg.strip_prefix("invalid type: ") {
        return (field, Msg::new(format!("类型不正确：{detail}"), format!("wrong type: {detail}")));
    }
    (field, Msg::new(format!("取值不正确：{msg}"), format!("invalid value: {msg}")))
}

/// The query string, deserialised into `T`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(Query).map_err(|e| {
            let path = e.path().to_string();
            let msg = e.into_inner().to_string();
            let (field, detail) = if let Some(rest) = msg.strip_prefix("unknown field ") {
                (quoted(rest).unwrap_or("query").to_string(), Msg::new("不支持的查询参数", "unknown query parameter"))
            } else if let Some(rest) = msg.strip_prefix("missing field ") {
                (quoted(rest).unwrap_or("query").to_string(), Msg::new("缺少必填参数", "this parameter is required"))
            } else {
                let field = if path == "." { "query".to_string() } else { path };
                (field, Msg::new(format!("取值格式不正确：{msg}"), format!("invalid value: {msg}")))
            };
            let mut fields = FieldErrors::new();
            fields.add(field, detail);
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                Msg::new(
                    "查询参数有误，请检查标出的参数。",
                    "Some query parameters are invalid; see the field messages.",
                ),
            )
            .with_fields(&fields)
        })
    }
}

/// Path parameters. Every path parameter in this API is an id, so a value that does not
/// parse is reported as `invalid_id` (400): it names nothing that could exist.
#[derive(Clone, Copy, Debug, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(p) => Ok(Path(p.0)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let key = match e.kind() {
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::DeserializeError { key, .. }
                    | ErrorKind::InvalidUtf8InPathParam { key } => key.clone(),
                    _ => "id".to_string(),
                };
                let mut fields = FieldErrors::new();
                fields.add(key, Msg::new("不是合法的ID（应为UUID）", "not a valid id (expected a UUID)"));
                Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_id",
                    Msg::new("地址中的ID格式不正确。", "The id in the URL is not valid."),
                )
                .with_fields(&fields))
            }
            Err(other) => {
                // MissingPathParams: a route/handler mismatch, i.e. our bug.
                tracing::error!(error = %other, "path parameters do not match the route");
                Err(ApiError::internal())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        amount: i64,
    }

    fn fields(e: &ApiError) -> Vec<String> {
        e.payload.fields.as_ref().map(|f| f.keys().cloned().collect()).unwrap_or_default()
    }

    #[test]
    fn json_errors_are_sorted_and_located() {
        let e = parse_json::<Body>(b"{\"name\": ").unwrap_err();
        assert_eq!((e.status, e.code()), (StatusCode::BAD_REQUEST, "malformed_json"));
        assert!(e.payload.message.zh.contains("第1行第9列"), "{}", e.payload.message.zh);

        let e = parse_json::<Body>(b"{\"name\": \"x\"} trailing").unwrap_err();
        assert_eq!(e.code(), "malformed_json");

        let e = parse_json::<Body>(b"{}").unwrap_err();
        assert_eq!((e.status, e.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
        assert_eq!(fields(&e), vec!["name"]);

        let e = parse_json::<Body>(b"{\"name\": \"x\", \"nmae\": 1}").unwrap_err();
        assert_eq!(fields(&e), vec!["nmae"]);

        let e = parse_json::<Body>(b"{\"name\": \"x\", \"inner\": {\"amount\": \"ten\"}}").unwrap_err();
        assert_eq!(fields(&e), vec!["inner.amount"]);
        assert!(e.payload.fields.unwrap()["inner.amount"][0].en.starts_with("wrong type"));

        let e = parse_json::<Body>(b"{\"name\": \"x\", \"inner\": {}}").unwrap_err();
        assert_eq!(fields(&e), vec!["inner.amount"]);

        let e = parse_json::<Body>(b"[]").unwrap_err();
        assert_eq!(fields(&e), vec!["body"]);
    }

    #[test]
    fn json_content_types() {
        let mut h = HeaderMap::new();
        assert!(!is_json(&h));
        h.insert(header::CONTENT_TYPE, "application/json; charset=utf-8".parse().unwrap());
        assert!(is_json(&h));
        h.insert(header::CONTENT_TYPE, "application/merge-patch+json".parse().unwrap());
        assert!(is_json(&h));
        h.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert!(!is_json(&h));
    }
}
