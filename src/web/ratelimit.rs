//! Rate limits per token (API.md "Starting"): each role has a sustained rate and a burst, a token
//! over its limit gets 429 `rate_limited` with `Retry-After`. By default viewer, overlay,
//! warehouse and operator tokens get 20 requests/s with bursts of 100; ingest and admin are limited
//! only by capacity, so a channel's orders never wait behind a screen's traffic (every token has
//! its own bucket). Only `/api/` requests count: pages, static files and the health endpoints are
//! served from memory.

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use crate::domain::role::Role;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;

/// The default sustained rate of a limited role, in requests per second.
pub const PER_SECOND_DEFAULT: u32 = 20;
/// The default burst of a limited role, in requests.
pub const BURST_DEFAULT: u32 = 100;
/// The highest rate or burst the config takes.
pub const RATE_MAX: u32 = 1_000_000;

/// One role's limit: `per_second` sustained with bursts of `burst`; `None` is unlimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub per_second: u32,
    pub burst: u32,
}

/// Every role's limit, as configured (`[rate_limits.ROLE]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// In [`Role::ALL`] order; `None` is limited only by capacity.
    pub per_role: Vec<(Role, Option<Limit>)>,
}

impl Default for RateLimits {
    fn default() -> Self {
        let limited = Limit {
            per_second: PER_SECOND_DEFAULT,
            burst: BURST_DEFAULT,
        };
        let per_role = Role::ALL
            .into_iter()
            .map(|role| {
                let limit = match role {
                    Role::Admin | Role::Ingest => None,
                    _ => Some(limited),
                };
                (role, limit)
            })
            .collect();
        RateLimits { per_role }
    }
}

impl RateLimits {
    pub fn of(&self, role: Role) -> Option<Limit> {
        self.per_role
            .iter()
            .find(|(r, _)| *r == role)
            .and_then(|(_, l)| *l)
    }

    /// Sets `role`'s limit.
    pub fn set(&mut self, role: Role, limit: Option<Limit>) {
        match self.per_role.iter_mut().find(|(r, _)| *r == role) {
            Some(entry) => entry.1 = limit,
            None => self.per_role.push((role, limit)),
        }
    }
}

/// The buckets: one keyed limiter per limited role, each token its own key.
pub struct Limiter {
    per_role: Vec<(Role, DefaultKeyedRateLimiter<String>)>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let roles: Vec<&str> = self.per_role.iter().map(|(r, _)| r.name()).collect();
        f.debug_struct("Limiter").field("limited", &roles).finish()
    }
}

impl Default for Limiter {
    fn default() -> Self {
        Limiter::new(&RateLimits::default())
    }
}

impl Limiter {
    pub fn new(limits: &RateLimits) -> Self {
        let per_role = limits
            .per_role
            .iter()
            .filter_map(|(role, limit)| {
                let limit = (*limit)?;
                let rate = NonZeroU32::new(limit.per_second)?;
                let burst = NonZeroU32::new(limit.burst.max(1)).unwrap_or(rate);
                let quota = Quota::per_second(rate).allow_burst(burst);
                Some((*role, DefaultKeyedRateLimiter::keyed(quota)))
            })
            .collect();
        Limiter { per_role }
    }

    /// Takes one request of `token` (of `role`) from its bucket, or answers how many whole seconds
    /// to wait (at least 1).
    pub fn take(&self, role: Role, token: &str) -> Result<(), u32> {
        let Some((_, limiter)) = self.per_role.iter().find(|(r, _)| *r == role) else {
            return Ok(());
        };
        limiter.check_key(&token.to_owned()).map_err(|not_until| {
            // The limiter's own clock: its instants are the ones `not_until` is measured in.
            let wait = not_until.wait_time_from(limiter.clock().now());
            (wait.as_secs_f64().ceil() as u32).max(1)
        })
    }
}

/// The middleware: an `/api/` request of a known token over its role's limit is answered 429
/// `rate_limited` with `Retry-After`; anything else goes on (an unknown token meets its 401 there).
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let caller = Caller::from_request_parts(&mut parts, &state).await.ok();
    if let Some(caller) = &caller
        && let Err(secs) = state.limiter.take(caller.role, &caller.token)
    {
        metrics::counter!("livestock_rate_limited_total", "role" => caller.role.name())
            .increment(1);
        let message = format!(
            "the {} token is over its limit; retry in {secs} s",
            caller.role.name()
        );
        return ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
            .with_retry_after(secs)
            .into_response();
    }
    if let Some(caller) = caller {
        parts.extensions.insert(caller); // found once per request: the handler takes it from here
    }
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_second: u32, burst: u32) -> RateLimits {
        let mut l = RateLimits::default();
        l.set(Role::Viewer, Some(Limit { per_second, burst }));
        l
    }

    #[test]
    fn a_token_gets_its_burst_then_waits_and_another_token_has_its_own_bucket() {
        let limiter = Limiter::new(&limits(1, 3));
        for i in 0..3 {
            assert_eq!(
                limiter.take(Role::Viewer, "screen-a"),
                Ok(()),
                "request {i}"
            );
        }
        let wait = limiter.take(Role::Viewer, "screen-a").unwrap_err();
        assert!((1..=2).contains(&wait), "about a second to wait: {wait}");
        assert_eq!(limiter.take(Role::Viewer, "screen-b"), Ok(()));
    }

    #[test]
    fn ingest_and_admin_are_limited_only_by_capacity_by_default() {
        let limiter = Limiter::default();
        for _ in 0..10_000 {
            assert_eq!(limiter.take(Role::Ingest, "douyin"), Ok(()));
            assert_eq!(limiter.take(Role::Admin, "admin"), Ok(()));
        }
        let defaults = RateLimits::default();
        for role in [Role::Viewer, Role::Overlay, Role::Warehouse, Role::Operator] {
            assert_eq!(
                defaults.of(role),
                Some(Limit {
                    per_second: PER_SECOND_DEFAULT,
                    burst: BURST_DEFAULT
                }),
                "{role:?}"
            );
        }
    }

    #[test]
    fn a_rate_of_zero_is_no_limit() {
        let mut l = RateLimits::default();
        l.set(
            Role::Viewer,
            Some(Limit {
                per_second: 0,
                burst: 5,
            }),
        );
        let limiter = Limiter::new(&l);
        for _ in 0..1_000 {
            assert_eq!(limiter.take(Role::Viewer, "v"), Ok(()));
        }
    }
}
