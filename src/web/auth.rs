//! Roles and tokens (SPEC F2): who may call what. Tokens come as `Authorization: Bearer`, or for
//! pages and WebSockets as `?token=` once, then a cookie.

use super::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use std::sync::Arc;

/// The cookie a page sets after `?token=` so the board's later requests carry it.
pub const TOKEN_COOKIE: &str = "livestock_token";

pub use crate::domain::role::Role;

/// The configured tokens.
#[derive(Debug, Default)]
pub struct Tokens {
    by_role: Vec<(Role, String)>,
}

impl Tokens {
    pub fn new(by_role: Vec<(Role, String)>) -> Self {
        Tokens { by_role }
    }

    /// The role of a token, compared in constant time so timing tells nothing about the tokens.
    pub fn role_of(&self, token: &str) -> Option<Role> {
        let mut found = None;
        for (role, known) in &self.by_role {
            if constant_time_eq(known.as_bytes(), token.as_bytes()) && found.is_none() {
                found = Some(*role);
            }
        }
        found
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Where a request's token came from: pages set a cookie only for a query token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    Header,
    Query,
    Cookie,
}

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub role: Role,
    pub token: String,
    pub source: TokenSource,
}

impl Caller {
    /// Admits the caller when its role is one of `roles` (admin always is).
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if self.role == Role::Admin || roles.contains(&self.role) {
            return Ok(());
        }
        let allowed: Vec<&str> = roles.iter().map(|r| r.name()).collect();
        Err(ApiError::forbidden(format!(
            "the {} role may not do this; it needs admin or {}",
            self.role.name(),
            allowed.join(", ")
        )))
    }
}

fn token_of(parts: &Parts) -> Option<(String, TokenSource)> {
    if let Some(bearer) = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token)
    {
        return Some((bearer.trim().to_owned(), TokenSource::Header));
    }
    if let Some(token) = parts.uri.query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("token="))
            .map(str::to_owned)
    }) {
        return Some((token, TokenSource::Query));
    }
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(TOKEN_COOKIE)?.strip_prefix('='))
        .map(|t| (t.to_owned(), TokenSource::Cookie))
}

impl<S: Send + Sync> FromRequestParts<S> for Caller
where
    Arc<Tokens>: axum::extract::FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // The rate limiter, which runs first, leaves the caller it found for the handler.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let tokens = <Arc<Tokens> as axum::extract::FromRef<S>>::from_ref(state);
        let (token, source) = token_of(parts).ok_or_else(ApiError::unauthorized)?;
        let role = tokens.role_of(&token).ok_or_else(ApiError::unauthorized)?;
        Ok(Caller {
            role,
            token,
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_maps_to_its_role_and_nothing_else() {
        let t = Tokens::new(vec![
            (Role::Admin, "admin-secret".into()),
            (Role::Viewer, "viewer-secret".into()),
        ]);
        assert_eq!(t.role_of("admin-secret"), Some(Role::Admin));
        assert_eq!(t.role_of("viewer-secret"), Some(Role::Viewer));
        assert_eq!(t.role_of("viewer-secre"), None);
        assert_eq!(t.role_of(""), None);
    }

    #[test]
    fn admin_passes_every_check_and_others_only_their_own() {
        let caller = |role| Caller {
            role,
            token: String::new(),
            source: TokenSource::Header,
        };
        assert!(caller(Role::Admin).require(&[Role::Ingest]).is_ok());
        assert!(caller(Role::Ingest).require(&[Role::Ingest]).is_ok());
        let e = caller(Role::Viewer).require(&[Role::Operator]).unwrap_err();
        assert_eq!(e.code, "forbidden");
    }
}
