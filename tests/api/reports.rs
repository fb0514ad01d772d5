//! The daily movement report end to end (API.md "Reports"): a show that runs across midnight in
//! Asia/Shanghai (16:00 UTC) on a server clock started at 23:58 there, its events split into the
//! right two days, every row balancing and the last closing at the stock view's on hand; the same
//! report as CSV and XLSX read back; the files filed in the data dir when the show ends; and bad
//! dates refused naming `date`.

use crate::accept;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Two server minutes before midnight in Shanghai, on a clock 30 times fast: midnight comes 4 s in.
const CONFIG: &str = "clock_start = \"2026-11-24T23:58:00+08:00\"\nclock_speed = 30\n\
                      hold_ttl_secs = 604800\n";
/// How long the test waits for the server's midnight, in real ms.
const MIDNIGHT_WAIT_MS: u64 = 20_000;
const COLUMNS: [&str; 10] = [
    "opening", "received", "sold", "refunded", "shipped", "adjusted", "damaged", "closing",
    "counted", "variance",
];

async fn movement(s: &TestServer, sku: &str, body: Value) {
    let (st, b) = s
        .post(&format!("/api/v1/skus/{sku}/movements"), WAREHOUSE, &body)
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}: {b}");
}

async fn show(s: &TestServer, path: &str, body: Value) {
    let (st, b) = s.post(path, OPERATOR, &body).await;
    assert!(st.is_success(), "{path}: {b}");
}

async fn report(s: &TestServer, query: &str) -> Value {
    let (st, b) = s
        .get(&format!("/api/v1/reports/daily{query}"), VIEWER)
        .await;
    assert_eq!(st, StatusCode::OK, "{query}: {b}");
    b
}

/// The day's row of `sku` as the ten columns, in order.
fn row(report: &Value, sku: &str) -> [i64; 10] {
    let r = report["rows"]
        .as_array()
        .expect("a list of rows")
        .iter()
        .find(|r| r["sku"] == sku)
        .unwrap_or_else(|| panic!("no row for {sku} in {report}"));
    COLUMNS.map(|c| r[c].as_i64().unwrap_or_else(|| panic!("{c} in {r}")))
}

/// `opening + received - shipped + adjusted = closing` for every row of the report.
#[track_caller]
fn assert_rows_balance(report: &Value) {
    for r in report["rows"].as_array().unwrap() {
        let n = |k: &str| r[k].as_i64().unwrap();
        assert_eq!(
            n("opening") + n("received") - n("shipped") + n("adjusted"),
            n("closing"),
            "{r}"
        );
    }
}

async fn download(s: &TestServer, query: &str) -> (String, Vec<u8>) {
    let res = client()
        .get(s.url(&format!("/api/v1/reports/daily{query}")))
        .bearer_auth(VIEWER)
        .send()
        .await
        .expect("the download answers");
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    let kind = res.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    (kind, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_show_across_midnight_in_shanghai_is_split_into_two_balanced_days() {
    let mut s = TestServer::start_with_config(CONFIG);
    let today = report(&s, "").await;
    assert_eq!(
        (&today["date"], &today["timezone"]),
        (&json!("2026-11-24"), &json!("Asia/Shanghai")),
        "{today}"
    );
    assert_eq!(today["from"], "2026-11-24T00:00:00+08:00");
    assert_eq!(today["to"], "2026-11-25T00:00:00+08:00");

    // Before midnight: the catalog, a receipt, the show going live, two sales, one shipped.
    s.create_skus(&json!([
        new_sku("HOODIE", 100, 19_900),
        new_sku("CAP", 50, 5_900)
    ]))
    .await;
    movement(
        &s,
        "HOODIE",
        json!({"kind": "receive", "qty": 20, "by": "li", "verified_by": "wang"}),
    )
    .await;
    show(
        &s,
        "/api/v1/show",
        json!({"title": "双十一返场", "lineup": [{"sku": "HOODIE"}, {"sku": "CAP"}]}),
    )
    .await;
    show(&s, "/api/v1/show/start", json!({})).await;
    accept(&s, &event("douyin", "A", "paid", &[("HOODIE", 10)])).await;
    accept(
        &s,
        &event("douyin", "B", "paid", &[("HOODIE", 5), ("CAP", 2)]),
    )
    .await;
    accept(&s, &event("douyin", "A", "shipped", &[])).await;
    movement(&s, "CAP", json!({"kind": "damage", "qty": 3, "by": "li"})).await;
    assert_eq!(
        report(&s, "").await["date"],
        "2026-11-24",
        "everything so far happened before midnight"
    );

    poll(
        MIDNIGHT_WAIT_MS,
        "the server clock passes midnight",
        || async { (report(&s, "").await["date"] == "2026-11-25").then_some(()) },
    )
    .await;
    // After midnight: another sale refunded before shipping, B shipped, a count and an adjustment.
    accept(&s, &event("kuaishou", "C", "paid", &[("HOODIE", 4)])).await;
    accept(&s, &event("kuaishou", "C", "refunded", &[])).await;
    accept(&s, &event("douyin", "B", "shipped", &[])).await;
    // CAP's book: 50 - 2 shipped = 48; 45 are on the shelf.
    movement(&s, "CAP", json!({"kind": "count", "qty": 45, "by": "li"})).await;
    movement(
        &s,
        "HOODIE",
        json!({"kind": "adjust", "qty": -1, "reason": "样品", "by": "li"}),
    )
    .await;
    show(&s, "/api/v1/show/end", json!({})).await;

    let first = report(&s, "?date=2026-11-24").await;
    let second = report(&s, "?date=2026-11-25&format=json").await;
    //                                  open rec sold ref ship adj dmg close cnt var
    assert_eq!(row(&first, "HOODIE"), [100, 20, 15, 0, 10, 0, 0, 110, 0, 0]);
    assert_eq!(row(&first, "CAP"), [50, 0, 2, 0, 0, 0, 3, 50, 0, 0]);
    assert_eq!(row(&second, "HOODIE"), [110, 0, 4, 4, 5, -1, 0, 104, 0, 0]);
    assert_eq!(row(&second, "CAP"), [50, 0, 0, 0, 2, -3, 0, 45, 45, -3]);
    assert_rows_balance(&first);
    assert_rows_balance(&second);
    assert_eq!(second["totals"]["closing"], 149, "{second}");
    for sku in ["HOODIE", "CAP"] {
        assert_eq!(
            s.sku(sku).await["on_hand"].as_i64().unwrap(),
            row(&second, sku)[7],
            "the last day closes at {sku}'s on hand"
        );
    }
    let before = report(&s, "?date=2026-11-23").await;
    assert_eq!(before["rows"], json!([]), "no SKU existed the day before");

    // The end of the show filed both days' reports in the data dir, as the CSV download has them.
    let filed = s.data_dir().join("reports");
    for (date, day) in [("2026-11-24", &first), ("2026-11-25", &second)] {
        let path = filed.join(format!("daily-{date}.csv"));
        let text = poll(10_000, "the show's reports are filed", || async {
            std::fs::read(&path).ok()
        })
        .await;
        let (kind, csv) = download(&s, &format!("?date={date}&format=csv")).await;
        assert!(kind.starts_with("text/csv"), "{kind}");
        assert_eq!(text, csv, "{date}: the filed report is the download");
        assert_csv_has_rows(&csv, day);
    }
    let (kind, xlsx) = download(&s, "?date=2026-11-25&format=xlsx").await;
    assert!(kind.contains("spreadsheetml"), "{kind}");
    assert_xlsx_has_rows(xlsx, &second);

    // The ledger is journaled state: a crash and a replay give the same days.
    s.kill9();
    s.restart();
    assert_eq!(report(&s, "?date=2026-11-24").await["rows"], first["rows"]);
    assert_eq!(report(&s, "?date=2026-11-25").await["rows"], second["rows"]);
}

/// The CSV holds one line per SKU with the JSON's numbers under a header row.
fn assert_csv_has_rows(csv: &[u8], report: &Value) {
    let mut r = csv::Reader::from_reader(csv);
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    for sku in ["HOODIE", "CAP"] {
        let line = rows
            .iter()
            .find(|l| l.iter().any(|c| c == sku))
            .unwrap_or_else(|| panic!("no {sku} line in the CSV"));
        let numbers: Vec<i64> = line.iter().filter_map(|c| c.parse().ok()).collect();
        assert_eq!(numbers, row(report, sku).to_vec(), "{sku}: {line:?}");
    }
}

/// The XLSX's first sheet holds the same numbers as numbers, not text.
fn assert_xlsx_has_rows(xlsx: Vec<u8>, report: &Value) {
    use calamine::{Data, Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(xlsx)).expect("an XLSX workbook");
    let sheet = book
        .worksheet_range_at(0)
        .expect("a first sheet")
        .expect("a readable sheet");
    for sku in ["HOODIE", "CAP"] {
        let line = sheet
            .rows()
            .find(|l| l.iter().any(|c| *c == Data::String(sku.to_owned())))
            .unwrap_or_else(|| panic!("no {sku} row in the sheet"));
        let numbers: Vec<i64> = line
            .iter()
            .filter_map(|c| match c {
                Data::Float(f) => Some(*f as i64),
                Data::Int(i) => Some(*i),
                _ => None,
            })
            .collect();
        assert_eq!(numbers, row(report, sku).to_vec(), "{sku}: {line:?}");
    }
}

#[tokio::test]
async fn a_bad_date_or_format_is_refused_naming_it() {
    let s = TestServer::start();
    for bad in [
        "2026-13-01",
        "2026-11-31",
        "24.11.2026",
        "2026-1-5",
        "today",
        "",
    ] {
        let (st, b) = s
            .get(&format!("/api/v1/reports/daily?date={bad}"), VIEWER)
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}: {b}");
        assert_eq!(assert_error(&b, "invalid").as_deref(), Some("date"), "{b}");
    }
    let (st, b) = s.get("/api/v1/reports/daily?format=pdf", VIEWER).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(
        assert_error(&b, "invalid").as_deref(),
        Some("format"),
        "{b}"
    );
    let (st, b) = s.get("/api/v1/reports/daily", "not-a-token").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{b}");
}
