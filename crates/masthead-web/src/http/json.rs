//! JSON request bodies whose refusals are problems too (see `error`): 400 for
//! broken JSON, 415 when it is not JSON, 413 when too large, 422 when fields
//! are missing or mistyped — naming the field in `errors` when serde does.
//! Nothing is changed before the body is read whole.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, OptionalFromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::error::{ApiError, FieldError};

/// A JSON body `T`; `Option<ApiJson<T>>` takes no body (no `Content-Type`) as `None`.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match <Json<T> as FromRequest<S>>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(refused(&rejection)),
        }
    }
}

impl<S: Send + Sync, T: DeserializeOwned> OptionalFromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        match <Json<T> as OptionalFromRequest<S>>::from_request(request, state).await {
            Ok(value) => Ok(value.map(|Json(value)| Self(value))),
            Err(rejection) => Err(refused(&rejection)),
        }
    }
}

fn refused(rejection: &JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge("the request body is too large".to_owned()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::UnsupportedMediaType("send the body as JSON, with Content-Type: application/json".to_owned())
        }
        StatusCode::UNPROCESSABLE_ENTITY => {
            let text = rejection.body_text();
            let reason = text.split_once("target type: ").map_or(text.as_str(), |(_, reason)| reason);
            ApiError::invalid(vec![field_error(reason)])
        }
        _ => ApiError::bad_request(format!("the request body is not valid JSON: {}", rejection.body_text())),
    }
}

/// The field serde names in `reason` ("missing field `email` at …", or
/// "plan_id: invalid type: …" from the path axum reports), with the reason.
fn field_error(reason: &str) -> FieldError {
    let quoted = |prefix: &str| reason.strip_prefix(prefix).and_then(|rest| rest.split('`').next());
    if let Some(field) = quoted("missing field `").or_else(|| quoted("unknown field `")) {
        return FieldError::new(field, reason);
    }
    match reason.split_once(": ") {
        Some((path, why)) if !path.is_empty() && !path.contains(' ') && path != "." => FieldError::new(path, why),
        _ => FieldError::new("", reason),
    }
}

#[cfg(test)]
mod tests {
    use super::field_error;

    #[test]
    fn serde_reasons_name_their_field() {
        assert_eq!(field_error("missing field `email` at line 1 column 2").field, "email");
        let mistyped = field_error("plan_id: invalid type: string \"x\", expected i64 at line 1 column 14");
        assert_eq!((mistyped.field.as_str(), mistyped.message.starts_with("invalid type")), ("plan_id", true));
        assert_eq!(field_error("invalid type: integer `1`, expected a map").field, "");
    }
}
