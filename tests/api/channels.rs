//! Channel sync and the pre-show check end to end: one available number for every channel, what
//! the channels display, mismatches with since-when that fail the check, shortfalls and damaged
//! units, and the check as a spreadsheet.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A clock 60 times fast: the 3 s grace of a mismatch passes in 50 ms.
const FAST: &str = "clock_speed = 60\n";

async fn availability(s: &TestServer, channel: &str) -> Value {
    let (st, body) = s
        .get(&format!("/api/v1/channels/{channel}/availability"), INGEST)
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body
}

async fn report(s: &TestServer, channel: &str, body: &Value) -> (StatusCode, Value) {
    s.post(
        &format!("/api/v1/channels/{channel}/displayed"),
        INGEST,
        body,
    )
    .await
}

async fn precheck(s: &TestServer) -> Value {
    let (st, body) = s.get("/api/v1/show/precheck", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body
}

fn item<'a>(check: &'a Value, sku: &str) -> &'a Value {
    check["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["sku"] == sku)
        .unwrap_or_else(|| panic!("{sku} in {check}"))
}

fn reason_codes(item: &Value) -> Vec<String> {
    item["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn plan(s: &TestServer, lineup: Value) {
    let (st, body) = s
        .post(
            "/api/v1/show",
            OPERATOR,
            &json!({"title": "双十一返场专场", "lineup": lineup,
                    "planned_end": "2026-11-24T21:00:00+08:00"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn every_channel_is_offered_the_same_available_number_and_it_follows_a_sale() {
    let s = TestServer::start();
    s.create_skus(&json!([
        new_sku("CH-A", 500, 19_900),
        new_sku("CH-B", 80, 5_900)
    ]))
    .await;
    let douyin = availability(&s, "douyin").await;
    for channel in ["kuaishou", "taobao", "jd"] {
        assert_eq!(availability(&s, channel).await, douyin, "{channel}");
    }
    assert_eq!(
        douyin["skus"],
        json!([{"sku": "CH-A", "available": 500}, {"sku": "CH-B", "available": 80}])
    );
    sell(&s, "DY-1", "CH-A", 3).await;
    let (_, sync) = s.get("/api/v1/channels/sync", VIEWER).await;
    assert_eq!(
        sync["sold"],
        json!([{"channel": "douyin", "units": 3, "orders": 1, "gmv_cents": 59_700}]),
        "{sync}"
    );
    let after = availability(&s, "taobao").await;
    assert!(after["seq"].as_u64() > douyin["seq"].as_u64(), "{after}");
    assert_eq!(after["skus"][0], json!({"sku": "CH-A", "available": 497}));
}

#[tokio::test]
async fn a_channel_showing_another_number_is_listed_since_then_and_fails_the_precheck_until_it_agrees()
 {
    let s = TestServer::start_with_config(FAST);
    s.create_skus(&new_sku("CH-HOT", 1000, 19_900)).await;
    plan(
        &s,
        json!([{"sku": "CH-HOT", "planned_start": "2026-11-24T20:00:00+08:00",
                "planned_rate_per_min": 10}]),
    )
    .await;
    assert_eq!(precheck(&s).await["pass"], true);

    let (st, ok) = report(&s, "douyin", &json!([{"sku": "CH-HOT", "displayed": 1000}])).await;
    assert_eq!(st, StatusCode::OK, "{ok}");
    assert_eq!(
        (ok["recorded"].clone(), ok["mismatches"].clone()),
        (json!(1), json!([]))
    );
    let (st, wrong) = report(&s, "kuaishou", &json!({"sku": "CH-HOT", "displayed": 1200})).await;
    assert_eq!(st, StatusCode::OK, "{wrong}");
    assert_eq!(wrong["mismatches"][0]["displayed"], 1200);

    let (st, sync) = s.get("/api/v1/channels/sync", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{sync}");
    let m = &sync["mismatches"];
    assert_eq!(m.as_array().unwrap().len(), 1, "{sync}");
    assert_eq!(
        (
            &m[0]["channel"],
            &m[0]["sku"],
            &m[0]["displayed"],
            &m[0]["available"]
        ),
        (
            &json!("kuaishou"),
            &json!("CH-HOT"),
            &json!(1200),
            &json!(1000)
        )
    );
    assert!(m[0]["since"].as_str().unwrap().ends_with('Z'), "{sync}");
    assert_eq!(sync["reporting"], json!(["douyin", "kuaishou"]));

    let failing = poll(5_000, "the mismatch outlasts its grace", || async {
        let check = precheck(&s).await;
        (check["pass"] == false).then_some(check)
    })
    .await;
    let hot = item(&failing, "CH-HOT");
    assert_eq!(reason_codes(hot), vec!["channel_mismatch"]);
    assert!(
        hot["reasons"][0]["zh"]
            .as_str()
            .unwrap()
            .starts_with("快手 显示 1200 件"),
        "{hot}"
    );
    assert_eq!(hot["channel_mismatches"][0]["channel"], "kuaishou");

    report(
        &s,
        "kuaishou",
        &json!([{"sku": "CH-HOT", "displayed": 1000}]),
    )
    .await;
    let (_, sync) = s.get("/api/v1/channels/sync", VIEWER).await;
    assert_eq!(sync["mismatches"], json!([]));
    assert_eq!(precheck(&s).await["pass"], true);
}

#[tokio::test]
async fn the_precheck_fails_a_short_sku_and_one_whose_damaged_units_make_it_short() {
    let s = TestServer::start();
    s.create_skus(&json!([
        new_sku("PC-SHORT", 100, 19_900),
        new_sku("PC-DMG", 300, 9_900),
        new_sku("PC-OK", 1000, 5_900)
    ]))
    .await;
    let (st, body) = s
        .post(
            "/api/v1/skus/PC-DMG/movements",
            WAREHOUSE,
            &json!({"kind": "damage", "qty": 20, "by": "li", "reason": "破损"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    plan(
        &s,
        json!([
            {"sku": "PC-SHORT", "planned_start": "2026-11-24T20:00:00+08:00", "planned_rate_per_min": 30},
            {"sku": "PC-DMG", "planned_start": "2026-11-24T20:10:00+08:00", "planned_rate_per_min": 30},
            {"sku": "PC-OK", "planned_start": "2026-11-24T20:20:00+08:00", "planned_rate_per_min": 10}
        ]),
    )
    .await;
    let check = precheck(&s).await;
    assert_eq!(check["pass"], false);
    assert_eq!(check["failed"], 2);
    let short = item(&check, "PC-SHORT");
    assert_eq!(
        (&short["needed"], &short["available"], &short["short"]),
        (&json!(300), &json!(100), &json!(200))
    );
    assert_eq!(reason_codes(short), vec!["short"]);
    let dmg = item(&check, "PC-DMG");
    assert_eq!(
        (&dmg["damaged"], &dmg["available"], &dmg["short"]),
        (&json!(20), &json!(280), &json!(20))
    );
    assert_eq!(reason_codes(dmg), vec!["short", "damaged"]);
    let ok = item(&check, "PC-OK");
    assert_eq!(
        ok["slot_minutes"], 40,
        "the last slot runs to the planned end"
    );
    assert_eq!((&ok["pass"], &ok["needed"]), (&json!(true), &json!(400)));
    assert!(check["checked_at"].is_string());
}

#[tokio::test]
async fn the_precheck_downloads_as_csv_and_xlsx_with_chinese_titles() {
    let s = TestServer::start();
    s.create_skus(&new_sku("PC-XL", 100, 19_900)).await;
    plan(&s, json!([{"sku": "PC-XL", "planned_rate_per_min": 30}])).await;
    let get = |format: &str| {
        client()
            .get(s.url(&format!("/api/v1/show/precheck?format={format}")))
            .bearer_auth(VIEWER)
            .send()
    };
    let csv = get("csv").await.unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("precheck.csv")
    );
    let text = csv.text().await.unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("\u{feff}商品编码,商品名称"),
        "{text}"
    );
    let row = lines.next().unwrap();
    assert!(row.starts_with("PC-XL,商品 PC-XL,,30,10,300,100,"), "{row}");
    assert!(row.contains("不通过"), "{row}");

    let xlsx = get("xlsx").await.unwrap().bytes().await.unwrap();
    use calamine::{Data, Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let range = book.worksheet_range("开播检查").unwrap();
    assert_eq!(range.get((0, 5)), Some(&Data::String("需要".into())));
    assert_eq!(range.get((1, 5)), Some(&Data::Float(300.0)));
}

#[tokio::test]
async fn bad_channel_reports_are_refused_naming_the_field_and_record_nothing() {
    let s = TestServer::start();
    s.create_skus(&new_sku("BAD-CH", 10, 100)).await;
    let (st, body) = report(
        &s,
        "douyin",
        &json!([{"sku": "BAD-CH", "displayed": 12}, {"sku": "NOPE", "displayed": 1}]),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(assert_error(&body, "invalid").as_deref(), Some("[1].sku"));
    let (st, body) = report(&s, "douyin", &json!([{"sku": "BAD-CH", "displayed": -1}])).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, sync) = s.get("/api/v1/channels/sync", VIEWER).await;
    assert_eq!(
        (sync["mismatches"].clone(), sync["reporting"].clone()),
        (json!([]), json!([]))
    );

    let (st, body) = s
        .post(
            "/api/v1/channels/douyin/displayed",
            VIEWER,
            &json!({"sku": "BAD-CH", "displayed": 1}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    let (st, body) = s
        .get(
            &format!("/api/v1/channels/{}/availability", "x".repeat(33)),
            VIEWER,
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(assert_error(&body, "invalid").as_deref(), Some("channel"));

    let (st, body) = s.get("/api/v1/show/precheck", VIEWER).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "no show yet: {body}");
    plan(&s, json!([{"sku": "BAD-CH"}])).await;
    let (st, body) = s.get("/api/v1/show/precheck?format=pdf", VIEWER).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(assert_error(&body, "invalid").as_deref(), Some("format"));
}
