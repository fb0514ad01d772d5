//! Bad input, refused at the edge with the error body naming the field and changing nothing: the
//! battery of refused requests (orders, SKUs, movements, patches) against one server.

mod movements;
mod orders;
mod skus;

use crate::accept;
use crate::common::*;
use movements::movement_cases;
use orders::order_cases;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use skus::{patch_cases, sku_cases};

/// One bad request and the refusal it must get.
struct Bad {
    what: &'static str,
    method: Method,
    path: &'static str,
    token: &'static str,
    body: Vec<u8>,
    status: StatusCode,
    code: &'static str,
    field: Option<&'static str>,
}

/// Where a family of bad requests goes, and with whose token: each case names only its body and the
/// refusal it must get.
struct Target {
    method: Method,
    path: &'static str,
    token: &'static str,
}

impl Target {
    fn post(path: &'static str, token: &'static str) -> Target {
        Target {
            method: Method::POST,
            path,
            token,
        }
    }

    fn patch(path: &'static str, token: &'static str) -> Target {
        Target {
            method: Method::PATCH,
            path,
            token,
        }
    }

    /// `body` must be refused with `status`, the error `code` and, if given, the `field` named.
    fn refused(
        &self,
        what: &'static str,
        body: impl Into<Vec<u8>>,
        status: StatusCode,
        code: &'static str,
        field: Option<&'static str>,
    ) -> Bad {
        Bad {
            what,
            method: self.method.clone(),
            path: self.path,
            token: self.token,
            body: body.into(),
            status,
            code,
            field,
        }
    }

    /// 400 `bad_json`: the body is not JSON at all.
    fn bad_json(&self, what: &'static str, body: impl Into<Vec<u8>>) -> Bad {
        self.refused(what, body, StatusCode::BAD_REQUEST, "bad_json", None)
    }

    /// 422 `invalid`, naming `field`.
    fn invalid(&self, what: &'static str, body: impl Into<Vec<u8>>, field: &'static str) -> Bad {
        self.refused(
            what,
            body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            Some(field),
        )
    }

    /// 409 `conflict` with the books as they are, naming `field`.
    fn conflict(&self, what: &'static str, body: impl Into<Vec<u8>>, field: &'static str) -> Bad {
        self.refused(what, body, StatusCode::CONFLICT, "conflict", Some(field))
    }

    /// 413 `too_large`: over a count or size limit.
    fn too_large(&self, what: &'static str, body: impl Into<Vec<u8>>) -> Bad {
        self.refused(what, body, StatusCode::PAYLOAD_TOO_LARGE, "too_large", None)
    }
}

fn js(v: Value) -> Vec<u8> {
    serde_json::to_vec(&v).unwrap()
}

/// A valid created event for BAD-A, changed by `f`.
fn good_order(id: &str, f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut e = json!({"channel": "douyin", "order_id": id, "kind": "created", "buyer": "b-1",
                       "address": {"region": "浙江省杭州市", "detail": "西湖区", "phone_hash": "ab12"},
                       "lines": [{"sku": "BAD-A", "qty": 1, "unit_price_cents": 1000}],
                       "presale": false, "at": "2026-11-24T20:01:02.123+08:00"});
    f(&mut e);
    js(e)
}

/// Removes `key` from an object: for a body missing a required field.
fn without(key: &'static str) -> impl FnOnce(&mut Value) {
    move |v| {
        v.as_object_mut().expect("an object").remove(key);
    }
}

/// Everything a reader can see of the books: stock views, movements, orders, and the journal seq.
async fn everything(s: &TestServer) -> Value {
    let mut moves = Vec::new();
    for code in ["BAD-A", "BAD-B"] {
        let (st, m) = s
            .get(&format!("/api/v1/skus/{code}/movements"), VIEWER)
            .await;
        assert_eq!(st, StatusCode::OK);
        moves.push(m);
    }
    let mut orders = Vec::new();
    for id in [
        "HOLD", "PRE", "Q", "M", "ARR-1", "ARR-2", "MANY-0", "BIG", "N",
    ] {
        orders.push(s.order("douyin", id).await);
    }
    json!({"skus": s.skus().await, "movements": moves, "seq": s.seq().await,
           "orders": orders.iter().map(|(st, o)| json!([st.as_u16(), o])).collect::<Vec<_>>()})
}

#[tokio::test]
async fn bad_input_is_refused_with_the_error_body_naming_the_field_and_changes_nothing() {
    let s = TestServer::start();
    let mut a = new_sku("BAD-A", 100, 1000);
    a["damaged"] = json!(2);
    a["buffer"] = json!(3);
    a["presale_cap"] = json!(5);
    s.create_skus(&json!([a, new_sku("BAD-B", 7, 10)])).await;
    accept(&s, &event("douyin", "HOLD", "created", &[("BAD-A", 10)])).await;
    let mut pre = event("douyin", "PRE", "created", &[("BAD-A", 2)]);
    pre["presale"] = json!(true);
    accept(&s, &pre).await;
    let before = everything(&s).await;

    let cases: Vec<Bad> = order_cases()
        .into_iter()
        .chain(sku_cases())
        .chain(movement_cases())
        .chain(patch_cases())
        .collect();
    let mut failures = Vec::new();
    for c in &cases {
        let (st, b) = s
            .call_raw(
                c.method.clone(),
                c.path,
                Some(c.token),
                Some(c.body.clone()),
            )
            .await;
        let e = &b["error"];
        let ok = st == c.status
            && e["code"] == c.code
            && e["message"].as_str().is_some_and(|m| !m.is_empty())
            && (c.field.is_none() || e["field"].as_str() == c.field);
        if !ok {
            failures.push(format!(
                "{}: got {st} {}, want {} {} field {:?}",
                c.what,
                serde_json::to_string(&b)
                    .unwrap()
                    .chars()
                    .take(300)
                    .collect::<String>(),
                c.status,
                c.code,
                c.field
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad inputs were not refused as they should be:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(
        everything(&s).await,
        before,
        "a refused request changed something"
    );
}
