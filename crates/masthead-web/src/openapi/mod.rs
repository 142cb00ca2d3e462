//! The API's contract. Each room annotates its API handlers
//! (`#[utoipa::path]`) and mounts them in one table, its `api()` (an
//! `OpenApiRouter`), which gives both the route and its entry in the OpenAPI
//! 3.1 document — so no route under `/api/v1` is served undocumented. Here
//! the tables are joined, the document is finished once ([`finish`]: bearer
//! auth, and the problem responses every operation shares), and served at
//! `GET /api/v1/openapi.json`; [`reference`] renders it for people at
//! `/api/docs`, with the kinds of problem each at its anchor.
//!
//! Uses every room with an API (it is below them all).

pub(crate) mod reference;

use reference::Spec;

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{self, Content, Ref, RefOr};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::SharedState;
use crate::http::error::{FieldError, PROBLEM_JSON, Problem, ProblemKind};
use crate::http::paging::PageInfo;
use crate::{account, billing, epaper, insights, newsletter, reader};

/// The document's fixed parts; the paths come from the rooms' tables.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Masthead API",
        version = "1",
        description = "The API apps are built on. Send `Authorization: Bearer <token>` (from \
            `POST /api/v1/session`) on routes that need an account; routes that also work without \
            one answer for whoever asks. Every error is an RFC 9457 problem \
            (`application/problem+json`: `type`, `title`, `status`, `detail`, and `errors` naming the \
            fields of bad input); `/api/docs` lists the kinds. Lists page with `page` (from 1) and \
            `limit` (20 unless given, at most 100: a larger `limit` is refused with 400, never \
            clamped), and answer `paging: {page, limit, has_more}`. A 429 says `Retry-After` (seconds)."
    ),
    components(schemas(Problem, FieldError, PageInfo)),
    tags(
        (name = "account", description = "Register, sign in for a token, who am I, devices"),
        (name = "reading", description = "Stories, the access a reader gets, search"),
        (name = "billing", description = "Plans and subscriptions; the sandbox pays without a card"),
        (name = "groups", description = "Group (corporate) subscriptions: seats for a company, invoiced to its GSTIN"),
        (name = "newsletters", description = "Newsletters and signing up"),
        (name = "e-paper", description = "Printed editions, their pages and clips"),
        (name = "insights", description = "The reader funnel, for editors and admins"),
        (name = "contract", description = "This document")
    )
)]
struct ApiDoc;

/// The security scheme's name, as operations' `security` name it.
pub(crate) const BEARER: &str = "bearer";

/// Every API route, the document and its reference.
pub(crate) fn routes() -> Router<SharedState> {
    let (router, spec) = table().split_for_parts();
    let spec: Spec = Arc::new(finish(spec));
    router.route("/api/docs", get(reference::page)).layer(Extension(spec))
}

/// The joined table of every room's API routes, with this document's own.
fn table() -> OpenApiRouter<SharedState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(document))
        .merge(account::api())
        .merge(reader::api())
        .merge(billing::api())
        .merge(newsletter::api())
        .merge(epaper::api())
        .merge(insights::api())
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "contract",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = serde_json::Value))
)]
async fn document(Extension(spec): Extension<Spec>) -> Response {
    Json(spec.as_ref()).into_response()
}

/// Adds what every operation shares, so no handler repeats it: the bearer
/// scheme; a 400 (a malformed path or query); for a body, 413, 415 and 422;
/// for a route that needs an account, 401; a problem body on every error
/// response; `Retry-After` on every 429.
fn finish(mut spec: openapi::OpenApi) -> openapi::OpenApi {
    let components = spec.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("A token from POST /api/v1/session; DELETE /api/v1/session ends it."))
                .build(),
        ),
    );
    for item in spec.paths.paths.values_mut() {
        for operation in
            [&mut item.get, &mut item.post, &mut item.delete, &mut item.put, &mut item.patch].into_iter().flatten()
        {
            shared_responses(operation);
        }
    }
    spec
}

fn shared_responses(operation: &mut Operation) {
    let needs_account = operation.security.as_ref().is_some_and(|requirements| {
        requirements.iter().all(|r| serde_json::to_value(r).is_ok_and(|v| v.as_object().is_some_and(|o| !o.is_empty())))
    });
    let mut kinds = vec![ProblemKind::BadRequest];
    if operation.request_body.is_some() {
        kinds.extend([ProblemKind::TooLarge, ProblemKind::UnsupportedMediaType, ProblemKind::Unprocessable]);
    }
    if needs_account {
        kinds.push(ProblemKind::Unauthorized);
    }
    let responses = &mut operation.responses.responses;
    for kind in kinds {
        responses
            .entry(kind.status().as_u16().to_string())
            .or_insert_with(|| RefOr::T(openapi::Response::new(kind.title())));
    }
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else { continue };
        if !status.starts_with('4') && !status.starts_with('5') {
            continue;
        }
        response
            .content
            .entry(PROBLEM_JSON.to_owned())
            .or_insert_with(|| RefOr::T(Content::new(Some(Ref::from_schema_name("Problem")))));
        if status == "429" {
            let seconds = openapi::ObjectBuilder::new().schema_type(openapi::schema::Type::Integer).minimum(Some(1));
            let header = openapi::header::HeaderBuilder::new()
                .schema(Some(seconds))
                .description(Some("Seconds to wait before trying again"))
                .build();
            response.headers.insert("Retry-After".to_owned(), RefOr::T(header));
        }
    }
}
