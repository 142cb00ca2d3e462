//! How every list in the API pages, the one way: `?page=` (from 1, the
//! default) and `?limit=` (default [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`]).
//! A `limit` above the maximum, or a page or limit that is not a positive
//! whole number, is **refused** with a 400 problem naming the parameter —
//! never clamped, so a client never silently gets fewer items than it asked
//! for. Every list answers with `paging: {page, limit, has_more}` beside its
//! items.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use masthead_domain::Page;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::ApiError;

/// Items per page when the client does not say.
pub(crate) const DEFAULT_LIMIT: u32 = 20;
/// The largest `limit` any list takes.
pub(crate) const MAX_LIMIT: u32 = Page::MAX_SIZE;

/// The page a client asked for: an extractor that reads `page` and `limit`
/// from the query (other parameters are the handler's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    page: u32,
    limit: u32,
}

impl Paging {
    /// Reads `page` and `limit` from the query's parameters.
    pub(crate) fn parse(params: &HashMap<String, String>) -> Result<Self, ApiError> {
        let positive = |name: &str| {
            params
                .get(name)
                .map(|raw| {
                    raw.trim().parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                        ApiError::bad_field(name, format!("`{name}` must be a positive whole number, got {raw:?}"))
                    })
                })
                .transpose()
        };
        let limit = positive("limit")?.unwrap_or(DEFAULT_LIMIT);
        if limit > MAX_LIMIT {
            return Err(ApiError::bad_field(
                "limit",
                format!("`limit` must be at most {MAX_LIMIT}: ask for the next page instead"),
            ));
        }
        Ok(Self { page: positive("page")?.unwrap_or(1), limit })
    }

    /// Items per page.
    pub(crate) fn limit(self) -> u32 {
        self.limit
    }

    /// The same page as the store counts it.
    pub(crate) fn store_page(self) -> Page {
        Page::new(Some(self.page), self.limit)
    }

    /// What the answer says about this page.
    pub(crate) fn info(self, has_more: bool) -> PageInfo {
        PageInfo { page: self.page, limit: self.limit, has_more }
    }

    /// This page of a list held whole in memory.
    pub(crate) fn slice<T>(self, mut items: Vec<T>) -> (Vec<T>, PageInfo) {
        let size = self.limit as usize;
        let start = (self.page as usize - 1).saturating_mul(size).min(items.len());
        let has_more = items.len() > start.saturating_add(size);
        items.truncate(start.saturating_add(size));
        let page = items.split_off(start);
        (page, self.info(has_more))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(params) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
        Self::parse(&params)
    }
}

/// Where a list's page stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"page": 1, "limit": 20, "has_more": true}))]
pub(crate) struct PageInfo {
    /// This page's number, from 1.
    page: u32,
    /// Items per page.
    limit: u32,
    /// Whether the next page has items.
    has_more: bool,
}

/// `page` and `limit`, as the OpenAPI document shows them on every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "only the OpenAPI document reads it; the `Paging` extractor parses the query")]
pub(crate) struct PagingParams {
    /// The page, from 1.
    #[param(minimum = 1, example = 1)]
    page: Option<u32>,
    /// Items per page: 20 unless given; above 100 is refused (400).
    #[param(minimum = 1, maximum = 100, example = 20)]
    limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn parse(query: &str) -> Result<Paging, ApiError> {
        Paging::parse(&serde_urlencoded::from_str::<HashMap<String, String>>(query).unwrap())
    }

    #[test]
    fn defaults_and_limits() {
        assert_eq!(parse("").unwrap(), Paging { page: 1, limit: DEFAULT_LIMIT });
        assert_eq!(parse("page=3&limit=100").unwrap(), Paging { page: 3, limit: 100 });
        for refused in ["limit=101", "limit=0", "page=0", "page=-1", "limit=ten"] {
            assert!(matches!(parse(refused), Err(ApiError::BadRequest(_))), "{refused}");
        }
    }

    #[test]
    fn slices_say_whether_more_follow() {
        let items: Vec<u32> = (1..=5).collect();
        let paging = |page, limit| Paging { page, limit };
        assert_eq!(paging(1, 2).slice(items.clone()), (vec![1, 2], paging(1, 2).info(true)));
        assert_eq!(paging(3, 2).slice(items.clone()), (vec![5], paging(3, 2).info(false)));
        assert_eq!(paging(9, 2).slice(items.clone()), (vec![], paging(9, 2).info(false)));
        assert_eq!(paging(1, 5).slice(items).1, paging(1, 5).info(false));
    }
}
