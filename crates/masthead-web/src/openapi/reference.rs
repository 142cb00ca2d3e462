//! `/api/docs`: the API reference for people, rendered from the OpenAPI
//! document in the site's frame — no script, nothing from elsewhere, so it
//! passes the site's CSP. Each operation with its parameters, body and
//! responses; then each kind of problem at the anchor its `type` names.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use utoipa::openapi::path::{Operation, Parameter};
use utoipa::openapi::{RefOr, Required};

use crate::SharedState;
use crate::http::error::ProblemKind;
use crate::http::views::{Layout, render};

/// The document, finished; shared by the JSON route and this page.
pub(crate) type Spec = Arc<utoipa::openapi::OpenApi>;

/// One operation as the page lists it.
struct OperationView {
    method: &'static str,
    path: String,
    anchor: String,
    summary: String,
    description: String,
    needs_account: bool,
    parameters: Vec<(String, &'static str, bool, String)>,
    body: Option<String>,
    responses: Vec<(String, String)>,
}

/// A kind of problem as the page lists it.
struct ProblemView {
    slug: &'static str,
    status: u16,
    title: &'static str,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ReferencePage<'a> {
    layout: Layout<'a>,
    description: String,
    operations: Vec<OperationView>,
    problems: Vec<ProblemView>,
}

/// `GET /api/docs`.
pub(crate) async fn page(State(state): State<SharedState>, Extension(spec): Extension<Spec>) -> Response {
    let mut operations = Vec::new();
    for (path, item) in &spec.paths.paths {
        let methods = [("GET", &item.get), ("POST", &item.post), ("PUT", &item.put), ("DELETE", &item.delete)];
        for (method, operation) in methods {
            if let Some(operation) = operation {
                operations.push(view(method, path, operation));
            }
        }
    }
    let problems = ProblemKind::ALL
        .into_iter()
        .map(|kind| ProblemView { slug: kind.slug(), status: kind.status().as_u16(), title: kind.title() })
        .collect();
    // A reference for developers: no "Subscribe" in its header.
    let layout = Layout::new(&state, "API reference".to_owned(), "The Masthead API for apps".to_owned(), None)
        .without_subscribe();
    let description = spec.info.description.clone().unwrap_or_default();
    render(&ReferencePage { layout, description, operations, problems })
}

fn view(method: &'static str, path: &str, operation: &Operation) -> OperationView {
    let parameters = operation
        .parameters
        .iter()
        .flatten()
        .filter_map(|parameter| match parameter {
            RefOr::T(p) => Some(parameter_view(p)),
            RefOr::Ref(_) => None,
        })
        .collect();
    let body = operation.request_body.as_ref().map(|body| match body {
        RefOr::T(body) => body.content.keys().cloned().collect::<Vec<_>>().join(", "),
        RefOr::Ref(r) => r.ref_location.clone(),
    });
    let responses = operation
        .responses
        .responses
        .iter()
        .map(|(status, response)| {
            let description = match response {
                RefOr::T(r) => r.description.clone(),
                RefOr::Ref(r) => r.ref_location.clone(),
            };
            (status.clone(), description)
        })
        .collect();
    let needs_account = operation.security.as_ref().is_some_and(|requirements| {
        requirements.iter().all(|r| serde_json::to_value(r).is_ok_and(|v| v.as_object().is_some_and(|o| !o.is_empty())))
    });
    OperationView {
        method,
        path: path.to_owned(),
        anchor: format!(
            "{}-{}",
            method.to_lowercase(),
            path.trim_start_matches('/').replace(['/', '{', '}', '.'], "-")
        ),
        summary: operation.summary.clone().unwrap_or_default(),
        description: operation.description.clone().unwrap_or_default(),
        needs_account,
        parameters,
        body,
        responses,
    }
}

fn parameter_view(parameter: &Parameter) -> (String, &'static str, bool, String) {
    let place = match parameter.parameter_in {
        utoipa::openapi::path::ParameterIn::Path => "path",
        utoipa::openapi::path::ParameterIn::Query => "query",
        utoipa::openapi::path::ParameterIn::Header => "header",
        _ => "cookie",
    };
    (
        parameter.name.clone(),
        place,
        matches!(parameter.required, Required::True),
        parameter.description.clone().unwrap_or_default(),
    )
}
