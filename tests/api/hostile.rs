//! The hostile battery (issue 14): 10,000 generated malformed, oversized, out-of-range and
//! wrong-typed requests against one real server, each built to be wrong in at least one way that
//! no reading of API.md makes right. Every one must be answered 4xx with the error body
//! `{"error": {"code", "message", ...}}`, never 5xx, never a dropped connection, and the books must
//! be byte for byte what they were before. The admin token is used: it is never rate limited.

use crate::common::*;
use livestock::web::extract::{BATCH_ITEMS_MAX, JSON_BODY_BYTES_MAX};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use serde_json::{Value, json};

/// Requests the battery sends.
const CASES: u32 = 10_000;
/// The SKUs the books hold while the battery runs.
const SKUS: [&str; 3] = ["H-1", "H-2", "H-3"];

/// One request: its method, path (with any query) and body.
#[derive(Clone, Debug)]
struct Case {
    method: Method,
    path: String,
    body: Option<Vec<u8>>,
}

fn post(path: &str, body: Value) -> Case {
    Case {
        method: Method::POST,
        path: path.to_owned(),
        body: Some(serde_json::to_vec(&body).expect("a JSON value serialises")),
    }
}

/// Any JSON value that is not a string (nor null, which an optional field would take).
fn not_a_string() -> BoxedStrategy<Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(json!([])),
        Just(json!({"a": 1})),
        "[a-z]{0,6}".prop_map(|s| json!([s])),
    ]
    .boxed()
}

/// Any JSON value that is not a list (nor null).
fn not_a_list() -> BoxedStrategy<Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-z]{0,6}".prop_map(Value::from),
        Just(json!({"sku": "H-1"})),
    ]
    .boxed()
}

/// A value no integer field takes, whatever its range: text, a non-integral number, a list, an
/// object, a boolean.
fn not_an_integer() -> BoxedStrategy<Value> {
    prop_oneof![
        "[0-9]{1,6}".prop_map(Value::from),
        (-1_000_000i64..1_000_000).prop_map(|n| json!(n as f64 + 0.5)),
        any::<bool>().prop_map(Value::from),
        Just(json!([1])),
        Just(json!({"n": 1})),
    ]
    .boxed()
}

/// A number of units out of every range (negative, or past a billion).
fn out_of_range_units() -> BoxedStrategy<Value> {
    prop_oneof![
        (i64::MIN..0).prop_map(Value::from),
        (1_000_000_001i64..i64::MAX).prop_map(Value::from),
        Just(json!(u64::MAX)),
        Just(json!(1e300)),
    ]
    .boxed()
}

/// A text longer than every limit of its kind (the longest is 500 characters).
fn too_long() -> BoxedStrategy<Value> {
    (501usize..2_000, "[a-z名]")
        .prop_map(|(n, c)| json!(c.repeat(n)))
        .boxed()
}

/// What no SKU code is: empty, too long, or holding a character outside `A-Z a-z 0-9 . _ -`.
fn bad_sku_code() -> BoxedStrategy<String> {
    prop_oneof![
        Just(String::new()),
        (65usize..200).prop_map(|n| "S".repeat(n)),
        "[A-Z]{0,5}[ /#%?&名\"\\\\+@!,;:]{1,3}[A-Z0-9]{0,5}",
    ]
    .boxed()
}

/// A field name no body takes.
fn unknown_field() -> BoxedStrategy<String> {
    "x_[a-z]{1,10}".boxed()
}

fn good_event(id: u32) -> Value {
    json!({"channel": "douyin", "order_id": format!("H-O-{id}"), "kind": "paid",
           "lines": [{"sku": "H-1", "qty": 1}]})
}

/// An order event wrong in one of many ways.
fn bad_event() -> BoxedStrategy<Value> {
    let base = any::<u32>().prop_map(good_event);
    let set = |key: &'static str| {
        move |(mut e, v): (Value, Value)| {
            e[key] = v;
            e
        }
    };
    let line = |key: &'static str| {
        move |(mut e, v): (Value, Value)| {
            e["lines"][0][key] = v;
            e
        }
    };
    prop_oneof![
        (base.clone(), not_a_string()).prop_map(set("channel")),
        (base.clone(), not_a_string()).prop_map(set("order_id")),
        (base.clone(), too_long()).prop_map(set("order_id")),
        (base.clone(), too_long()).prop_map(set("channel")),
        (base.clone(), Just(json!(""))).prop_map(set("channel")),
        (base.clone(), "[A-Z]{1,10}".prop_map(Value::from)).prop_map(set("kind")),
        (base.clone(), not_a_string()).prop_map(set("kind")),
        (base.clone(), "x[0-9:T-]{0,20}".prop_map(Value::from)).prop_map(set("at")),
        (base.clone(), not_a_list()).prop_map(set("lines")),
        (base.clone(), not_an_integer()).prop_map(line("qty")),
        (base.clone(), out_of_range_units()).prop_map(line("qty")),
        (base.clone(), (i64::MIN..=0).prop_map(Value::from)).prop_map(line("qty")),
        (base.clone(), bad_sku_code().prop_map(Value::from)).prop_map(line("sku")),
        (base.clone(), not_an_integer()).prop_map(line("unit_price_cents")),
        (base.clone(), (i64::MIN..0).prop_map(Value::from)).prop_map(line("unit_price_cents")),
        (base.clone(), unknown_field()).prop_map(|(mut e, k)| {
            e[k] = json!(1);
            e
        }),
        (base.clone(), too_long()).prop_map(|(mut e, v)| {
            e["address"] = json!({"detail": v});
            e
        }),
        (base.clone(), unknown_field()).prop_map(|(mut e, k)| {
            e["address"] = json!({k: "x"});
            e
        }),
        (base.clone(), 101usize..160).prop_map(|(mut e, n)| {
            e["lines"] = json!(vec![json!({"sku": "H-1", "qty": 1}); n]);
            e
        }),
    ]
    .boxed()
}

/// `POST /api/v1/orders`: one bad event, or a batch of good ones with a bad one somewhere (the
/// whole batch is refused before any is judged), or a batch past 1,000.
fn orders() -> BoxedStrategy<Case> {
    let one = bad_event().prop_map(|e| post("/api/v1/orders", e));
    let hidden = (bad_event(), 0usize..8, any::<prop::sample::Index>()).prop_map(|(bad, n, at)| {
        let mut batch: Vec<Value> = (0..n as u32).map(good_event).collect();
        batch.insert(at.index(n + 1), bad);
        post("/api/v1/orders", json!(batch))
    });
    let over = (1usize..50).prop_map(|extra| {
        let batch: Vec<Value> = (0..(BATCH_ITEMS_MAX + extra) as u32)
            .map(good_event)
            .collect();
        post("/api/v1/orders", json!(batch))
    });
    prop_oneof![10 => one, 6 => hidden, 1 => over].boxed()
}

fn good_sku(n: u32) -> Value {
    json!({"sku": format!("HN-{n}"), "name": "卫衣", "category": "apparel",
           "price_cents": 100, "on_hand": 5})
}

/// `POST /api/v1/skus`, `PATCH /api/v1/skus/{sku}` and movements, each wrong in one field.
fn catalog() -> BoxedStrategy<Case> {
    let sku = any::<u32>().prop_map(good_sku);
    let set = |key: &'static str| {
        move |(mut e, v): (Value, Value)| {
            e[key] = v;
            post("/api/v1/skus", e)
        }
    };
    let patch = |(key, v): (&str, Value)| Case {
        method: Method::PATCH,
        path: "/api/v1/skus/H-2".to_owned(),
        body: Some(serde_json::to_vec(&json!({key: v})).expect("JSON")),
    };
    let movement = |(key, v): (&str, Value)| {
        let mut m = json!({"kind": "damage", "qty": 1, "reason": "破损", "by": "li"});
        m[key] = v;
        post("/api/v1/skus/H-3/movements", m)
    };
    let int_field = prop::sample::select(vec!["price_cents", "buffer", "per_buyer_limit"]);
    prop_oneof![
        (sku.clone(), bad_sku_code().prop_map(Value::from)).prop_map(set("sku")),
        (sku.clone(), not_an_integer()).prop_map(set("price_cents")),
        (sku.clone(), out_of_range_units()).prop_map(set("on_hand")),
        (sku.clone(), (i64::MIN..0).prop_map(Value::from)).prop_map(set("price_cents")),
        (
            sku.clone(),
            (10_000_000_001i64..i64::MAX).prop_map(Value::from)
        )
            .prop_map(set("price_cents")),
        (sku.clone(), not_a_string()).prop_map(set("name")),
        (sku.clone(), too_long()).prop_map(set("name")),
        (sku.clone(), Just(json!("a\u{7}b"))).prop_map(set("name")),
        (sku.clone(), unknown_field().prop_map(Value::from)).prop_map(|(mut e, k)| {
            e[k.as_str().unwrap_or("x_y")] = json!(1);
            post("/api/v1/skus", e)
        }),
        Just(post(
            "/api/v1/skus",
            json!({"sku": "H-1", "name": "重复", "price_cents": 1, "on_hand": 1})
        )),
        (int_field, not_an_integer()).prop_map(patch),
        (Just("buffer"), out_of_range_units()).prop_map(patch),
        (Just("name"), too_long()).prop_map(patch),
        (unknown_field(), Just(json!(1))).prop_map(move |(k, v)| patch((k.as_str(), v))),
        (Just("kind"), "[A-Z]{1,8}".prop_map(Value::from)).prop_map(movement),
        (Just("qty"), not_an_integer()).prop_map(movement),
        (Just("qty"), out_of_range_units()).prop_map(movement),
        (Just("reason"), too_long()).prop_map(movement),
        (Just("by"), not_a_string()).prop_map(movement),
    ]
    .boxed()
}

/// The show, the stage, the channels and the warnings, each wrong in one field.
fn show_and_channels() -> BoxedStrategy<Case> {
    prop_oneof![
        not_a_string().prop_map(|t| post("/api/v1/show", json!({"title": t, "lineup": []}))),
        not_a_list().prop_map(|l| post("/api/v1/show", json!({"title": "t", "lineup": l}))),
        bad_sku_code().prop_map(|c| post(
            "/api/v1/show",
            json!({"title": "t", "lineup": [{"sku": c}]})
        )),
        not_an_integer().prop_map(|r| post(
            "/api/v1/show",
            json!({"title": "t", "lineup": [{"sku": "H-1", "planned_rate_per_min": r}]})
        )),
        not_a_string().prop_map(|c| Case {
            method: Method::PUT,
            path: "/api/v1/show/current".to_owned(),
            body: Some(serde_json::to_vec(&json!({"sku": c})).expect("JSON")),
        }),
        prop_oneof![not_an_integer(), out_of_range_units()]
            .prop_map(|n| post("/api/v1/show/viewers", json!({"online": n}))),
        prop_oneof![not_an_integer(), out_of_range_units()].prop_map(|n| post(
            "/api/v1/channels/douyin/displayed",
            json!([{"sku": "H-1", "displayed": n}])
        )),
        not_a_string().prop_map(|b| post("/api/v1/alerts/no-such/ack", json!({"by": b}))),
        not_a_string().prop_map(|r| post("/api/v1/rooms", json!({"room": r, "name": "直播间"}))),
        not_a_string().prop_map(|n| post("/api/v1/rooms", json!({"room": "h-r", "name": n}))),
        not_a_string().prop_map(|c| post(
            "/api/v1/rooms",
            json!({"room": "h-r", "name": "n", "channel": c})
        )),
        unknown_field()
            .prop_map(|k| post("/api/v1/rooms", json!({"room": "h-r", "name": "n", k: 1}))),
        bad_sku_code().prop_map(|c| Case {
            method: Method::PUT,
            path: "/api/v1/rooms/main/show/current".to_owned(),
            body: Some(serde_json::to_vec(&json!({"sku": c})).expect("JSON")),
        }),
        "[a-z]{1,8}".prop_map(|r| post(
            &format!("/api/v1/rooms/no-such-{r}/show/viewers"),
            json!({"online": 1})
        )),
    ]
    .boxed()
}

/// Bytes that are not JSON (a body that starts with `}` never is), to every JSON write route.
fn not_json() -> BoxedStrategy<Case> {
    let routes = prop::sample::select(vec![
        "/api/v1/orders",
        "/api/v1/skus",
        "/api/v1/skus/H-1/movements",
        "/api/v1/show",
        "/api/v1/show/viewers",
        "/api/v1/channels/douyin/displayed",
    ]);
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        "[{\\[\",:0-9a-z ]{0,80}".prop_map(String::into_bytes),
    ];
    (routes, bytes)
        .prop_map(|(path, bytes)| {
            let mut body = b"}".to_vec();
            body.extend(bytes);
            Case {
                method: Method::POST,
                path: path.to_owned(),
                body: Some(body),
            }
        })
        .boxed()
}

/// A body one past the 2 MiB limit and more.
fn oversized() -> BoxedStrategy<Case> {
    (1usize..4096)
        .prop_map(|extra| {
            let mut body =
                br#"{"channel":"douyin","order_id":"H-BIG","kind":"paid","x":""#.to_vec();
            body.resize(JSON_BODY_BYTES_MAX + extra, b'a');
            Case {
                method: Method::POST,
                path: "/api/v1/orders".to_owned(),
                body: Some(body),
            }
        })
        .boxed()
}

/// Percent-encodes every byte but letters and digits.
fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Reads with bad path segments and query parameters, and methods no route takes.
fn reads() -> BoxedStrategy<Case> {
    let get = |path: String| Case {
        method: Method::GET,
        path,
        body: None,
    };
    let bad_number = "x[0-9]{0,5}|-[0-9]{1,5}|[0-9]{25}";
    let bad_format = "[a-z]{5,9}";
    prop_oneof![
        bad_sku_code().prop_map(move |c| get(format!("/api/v1/skus/{}", encode(&c)))),
        bad_sku_code().prop_map(move |c| get(format!("/api/v1/skus/{}/movements", encode(&c)))),
        bad_number.prop_map(move |n| get(format!("/api/v1/alerts?limit={}", encode(&n)))),
        bad_number
            .prop_map(move |n| get(format!("/api/v1/skus/H-1/movements?limit={}", encode(&n)))),
        "x[0-9T:-]{0,20}"
            .prop_map(move |d| get(format!("/api/v1/reports/daily?date={}", encode(&d)))),
        "x[0-9T:-]{0,20}".prop_map(move |d| get(format!(
            "/api/v1/movements?from={}&to=2027-01-01T00:00:00Z",
            encode(&d)
        ))),
        bad_format.prop_map(move |f| get(format!("/api/v1/export/skus?format={f}"))),
        bad_format.prop_map(move |f| get(format!("/api/v1/show/review?format={f}"))),
        "[a-z]{1,12}".prop_map(move |p| get(format!("/api/v1/{p}/nothing-here"))),
        prop::sample::select(vec![
            "/api/v1/skus",
            "/api/v1/orders",
            "/api/v1/show",
            "/api/v1/alerts"
        ])
        .prop_map(|p| Case {
            method: Method::DELETE,
            path: p.to_owned(),
            body: None,
        }),
    ]
    .boxed()
}

fn any_case() -> BoxedStrategy<Case> {
    prop_oneof![
        30 => orders(),
        25 => catalog(),
        12 => show_and_channels(),
        10 => not_json(),
        15 => reads(),
        1 => oversized(),
    ]
    .boxed()
}

/// Everything the books show: the stock views, the export, the show, the warnings, the movements
/// and the journal's sequence number, as bytes.
async fn books_bytes(s: &TestServer) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for path in [
        "/api/v1/skus",
        "/api/v1/export/skus?format=csv",
        "/api/v1/show",
        "/api/v1/alerts",
        "/api/v1/movements?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
        "/api/v1/orders/douyin/H-O-1",
        "/api/v1/rooms",
    ] {
        let resp = client()
            .get(s.url(path))
            .bearer_auth(ADMIN)
            .send()
            .await
            .expect("a read");
        let status = resp.status().as_u16();
        let body = resp.bytes().await.expect("a body").to_vec();
        out.push((format!("{path} {status}"), body));
    }
    out.push(("seq".to_owned(), s.seq().await.to_string().into_bytes()));
    out
}

/// Checks one answer: 4xx with the error body.
fn judge(case: &Case, status: reqwest::StatusCode, body: &Value) -> Result<(), TestCaseError> {
    let what = || format!("{} {}", case.method, case.path);
    prop_assert!(
        status.is_client_error(),
        "{} answered {status}: {body}",
        what()
    );
    let e = &body["error"];
    prop_assert!(
        e["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{} answered {status} without an error code: {body}",
        what()
    );
    prop_assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{} answered {status} without a message: {body}",
        what()
    );
    Ok(())
}

#[test]
fn ten_thousand_hostile_requests_are_each_refused_4xx_with_the_error_body_and_change_nothing() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let s = TestServer::start();
    rt.block_on(async {
        for (i, code) in SKUS.iter().enumerate() {
            s.create_skus(&new_sku(code, 100 + i as i64, 1_990)).await;
        }
        let (st, b) = s
            .post(
                "/api/v1/show",
                ADMIN,
                &json!({"title": "压力测试", "lineup": [{"sku": "H-1"}]}),
            )
            .await;
        assert_eq!(st, reqwest::StatusCode::CREATED, "{b}");
    });
    let before = rt.block_on(books_bytes(&s));
    let started = std::time::Instant::now();
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&any_case(), |case| {
        let (status, body) = rt.block_on(s.call_raw(
            case.method.clone(),
            &case.path,
            Some(ADMIN),
            case.body.clone(),
        ));
        judge(&case, status, &body)
    });
    let took = started.elapsed();
    if let Err(e) = result {
        panic!("{e}\nserver output:\n{}", s.logs());
    }
    let after = rt.block_on(books_bytes(&s));
    for ((what, was), (_, is)) in before.iter().zip(&after) {
        assert!(
            was == is,
            "{what} changed:\nbefore {}\nafter  {}",
            String::from_utf8_lossy(was),
            String::from_utf8_lossy(is)
        );
    }
    assert!(
        !s.logs().contains("panicked"),
        "the server logged a panic:\n{}",
        s.logs()
    );
    eprintln!("{CASES} hostile requests in {took:?}");
}
