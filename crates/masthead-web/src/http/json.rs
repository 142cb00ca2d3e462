//! JSON request bodies whose refusals are JSON too, so an app always gets
//! `{"error": "..."}`: 400 for broken JSON, 415 when it is not JSON, 413
//! when too large, 422 when fields are missing or mistyped. Nothing is
//! changed before the body is read whole.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON body `T`.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
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
        status => {
            let message = format!("the request body is not what was expected: {}", rejection.body_text());
            if status == StatusCode::UNPROCESSABLE_ENTITY {
                ApiError::Unprocessable(message)
            } else {
                ApiError::BadRequest(message)
            }
        }
    }
}
