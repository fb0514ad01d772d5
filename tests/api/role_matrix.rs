//! The role matrix: one table of every route, its method and the roles allowed, written from the
//! documentation (README "The API in brief" and "Roles": the `who` of each endpoint; admin may
//! do everything; every role may read, pages and `/metrics` included; API.md "Rooms" for the
//! rooms) rather than from the code.
//! Every cell is asked: no token is 401, a role not allowed is 403 `forbidden`, a role allowed
//! gets neither (whatever its request then meets: 2xx, 404, 409, 422).

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const VIEWER_ROLE: &str = "viewer";
const OVERLAY_ROLE: &str = "overlay";
const WAREHOUSE_ROLE: &str = "warehouse";
const OPERATOR_ROLE: &str = "operator";
const INGEST_ROLE: &str = "ingest";

/// Every role but admin, with its token (admin is allowed everywhere and asked on every row).
const ROLES: [(&str, &str); 5] = [
    (VIEWER_ROLE, VIEWER),
    (OVERLAY_ROLE, OVERLAY),
    (WAREHOUSE_ROLE, WAREHOUSE),
    (OPERATOR_ROLE, OPERATOR),
    (INGEST_ROLE, INGEST),
];
/// "everyone": any valid token.
const EVERYONE: &[&str] = &[
    VIEWER_ROLE,
    OVERLAY_ROLE,
    WAREHOUSE_ROLE,
    OPERATOR_ROLE,
    INGEST_ROLE,
];
const OPERATOR_ONLY: &[&str] = &[OPERATOR_ROLE];
const STOCK_HANDS: &[&str] = &[OPERATOR_ROLE, WAREHOUSE_ROLE];
const STAGE: &[&str] = &[OPERATOR_ROLE, OVERLAY_ROLE];
const CHANNELS: &[&str] = &[INGEST_ROLE];

/// The SKU every row that names one uses.
const SKU: &str = "RM-1";

/// One row: a route, its method, a body good enough to be judged, and who may call it.
struct Row {
    method: Method,
    path: &'static str,
    body: Option<Value>,
    allowed: &'static [&'static str],
}

fn row(method: Method, path: &'static str, allowed: &'static [&'static str]) -> Row {
    Row {
        method,
        path,
        body: None,
        allowed,
    }
}

fn with(method: Method, path: &'static str, body: Value, allowed: &'static [&'static str]) -> Row {
    Row {
        method,
        path,
        body: Some(body),
        allowed,
    }
}

/// The table (README "The API in brief", row by row).
fn table() -> Vec<Row> {
    use Method as M;
    let movement = json!({"kind": "damage", "qty": 1, "reason": "破损", "by": "li"});
    vec![
        with(
            M::POST,
            "/api/v1/skus",
            new_sku("RM-NEW", 5, 100),
            OPERATOR_ONLY,
        ),
        with(
            M::PATCH,
            "/api/v1/skus/RM-1",
            json!({"buffer": 1}),
            OPERATOR_ONLY,
        ),
        row(M::GET, "/api/v1/skus", EVERYONE),
        row(M::GET, "/api/v1/skus/RM-1", EVERYONE),
        with(
            M::POST,
            "/api/v1/skus/RM-1/movements",
            movement,
            STOCK_HANDS,
        ),
        row(M::GET, "/api/v1/skus/RM-1/movements", EVERYONE),
        with(
            M::POST,
            "/api/v1/import",
            json!("sku,name\n"),
            OPERATOR_ONLY,
        ),
        row(M::GET, "/api/v1/export/skus?format=csv", EVERYONE),
        row(
            M::GET,
            "/api/v1/movements?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
            EVERYONE,
        ),
        with(
            M::POST,
            "/api/v1/orders",
            event("douyin", "RM-O-1", "paid", &[(SKU, 1)]),
            CHANNELS,
        ),
        row(M::GET, "/api/v1/orders/douyin/RM-O-1", EVERYONE),
        with(
            M::POST,
            "/api/v1/show",
            json!({"title": "角色测试", "lineup": [{"sku": SKU}]}),
            OPERATOR_ONLY,
        ),
        with(M::POST, "/api/v1/show/start", json!({}), OPERATOR_ONLY),
        with(M::PUT, "/api/v1/show/current", json!({"sku": SKU}), STAGE),
        with(
            M::POST,
            "/api/v1/show/viewers",
            json!({"online": 100}),
            STAGE,
        ),
        row(M::GET, "/api/v1/show", EVERYONE),
        row(M::GET, "/api/v1/show/precheck", EVERYONE),
        row(M::GET, "/api/v1/show/review", EVERYONE),
        with(M::POST, "/api/v1/show/end", json!({}), OPERATOR_ONLY),
        row(M::GET, "/api/v1/channels/douyin/availability", EVERYONE),
        with(
            M::POST,
            "/api/v1/channels/douyin/displayed",
            json!([{"sku": SKU, "displayed": 5}]),
            CHANNELS,
        ),
        row(M::GET, "/api/v1/channels/sync", EVERYONE),
        row(M::GET, "/api/v1/alerts", EVERYONE),
        with(
            M::POST,
            "/api/v1/alerts/no-such-alert/ack",
            json!({"by": "li"}),
            STOCK_HANDS,
        ),
        row(M::GET, "/api/v1/cluster", EVERYONE),
        row(M::GET, "/api/v1/reports/daily?date=2026-12-03", EVERYONE),
        row(M::GET, "/metrics", EVERYONE),
        row(M::GET, "/", EVERYONE),
        row(M::GET, "/host", EVERYONE),
        row(M::GET, "/overlay", EVERYONE),
        row(M::GET, "/reports/precheck", EVERYONE),
        row(M::GET, "/reports/review", EVERYONE),
        row(M::GET, "/reports/daily?date=2026-12-03", EVERYONE),
        row(M::GET, "/ws?view=board", EVERYONE),
        // Rooms (API.md "Rooms"): every show endpoint also exists per room, with the same roles;
        // a room is set up by whoever runs the shows (the operator), and read by everyone.
        with(
            M::POST,
            "/api/v1/rooms",
            json!({"room": "rm-dy", "name": "抖音直播间", "channel": "douyin"}),
            OPERATOR_ONLY,
        ),
        row(M::GET, "/api/v1/rooms", EVERYONE),
        row(M::GET, "/api/v1/rooms/rm-dy", EVERYONE),
        with(
            M::POST,
            "/api/v1/rooms/rm-dy/show",
            json!({"title": "房间测试", "lineup": [{"sku": SKU}]}),
            OPERATOR_ONLY,
        ),
        with(
            M::POST,
            "/api/v1/rooms/rm-dy/show/start",
            json!({}),
            OPERATOR_ONLY,
        ),
        with(
            M::PUT,
            "/api/v1/rooms/rm-dy/show/current",
            json!({"sku": SKU}),
            STAGE,
        ),
        with(
            M::POST,
            "/api/v1/rooms/rm-dy/show/viewers",
            json!({"online": 50}),
            STAGE,
        ),
        row(M::GET, "/api/v1/rooms/rm-dy/show", EVERYONE),
        row(M::GET, "/api/v1/rooms/rm-dy/show/precheck", EVERYONE),
        row(M::GET, "/api/v1/rooms/rm-dy/show/review", EVERYONE),
        with(
            M::POST,
            "/api/v1/rooms/rm-dy/show/end",
            json!({}),
            OPERATOR_ONLY,
        ),
    ]
}

/// A server holding the SKU the table names (10 units).
async fn server() -> TestServer {
    let s = TestServer::start();
    s.create_skus(&new_sku(SKU, 10, 1_990)).await;
    s
}

async fn ask(s: &TestServer, row: &Row, token: Option<&str>) -> (StatusCode, Value) {
    s.call(row.method.clone(), row.path, token, row.body.as_ref())
        .await
}

/// Asks every cell of `cells` and fails once, listing every cell that answered otherwise.
fn assert_no_failures(what: &str, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{what}: {} cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_route_of_the_table_without_a_token_is_401_with_the_error_body() {
    let s = server().await;
    let mut failures = Vec::new();
    for row in table() {
        let (st, b) = ask(&s, &row, None).await;
        if st != StatusCode::UNAUTHORIZED || b["error"]["code"] != "unauthorized" {
            failures.push(format!(
                "{} {} without a token: {st} {b}",
                row.method, row.path
            ));
        }
    }
    assert_no_failures("no token", failures);
}

#[tokio::test]
async fn every_role_not_allowed_on_a_route_is_403_forbidden_and_changes_nothing() {
    let s = server().await;
    let before = (s.seq().await, stable_views(&s.skus().await));
    let mut failures = Vec::new();
    let mut cells = 0;
    for row in table() {
        for (role, token) in ROLES.iter().filter(|(r, _)| !row.allowed.contains(r)) {
            cells += 1;
            let (st, b) = ask(&s, &row, Some(token)).await;
            if st != StatusCode::FORBIDDEN || b["error"]["code"] != "forbidden" {
                failures.push(format!("{} {} as {role}: {st} {b}", row.method, row.path));
            }
        }
    }
    assert_no_failures("roles not allowed", failures);
    assert!(cells >= 40, "{cells} forbidden cells asked");
    assert_eq!(s.seq().await, before.0, "nothing was journaled");
    assert_eq!(stable_views(&s.skus().await), before.1);
}

#[tokio::test]
async fn every_role_allowed_on_a_route_and_admin_on_every_route_get_past_auth() {
    let s = server().await;
    let mut failures = Vec::new();
    let mut cells = 0;
    for row in table() {
        let allowed = ROLES.iter().filter(|(r, _)| row.allowed.contains(r));
        for (role, token) in allowed.chain(std::iter::once(&("admin", ADMIN))) {
            cells += 1;
            let (st, b) = ask(&s, &row, Some(token)).await;
            if matches!(st, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                || st.is_server_error()
            {
                failures.push(format!("{} {} as {role}: {st} {b}", row.method, row.path));
            }
        }
    }
    assert_no_failures("roles allowed", failures);
    assert!(cells >= 100, "{cells} allowed cells asked");
}

#[tokio::test]
async fn the_public_routes_answer_without_a_token() {
    let s = server().await;
    for path in ["/healthz", "/readyz", "/api/openapi.json"] {
        let (st, b) = s.call(Method::GET, path, None, None).await;
        assert_eq!(st, StatusCode::OK, "{path}: {b}");
    }
}
