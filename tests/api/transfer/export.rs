//! `GET /api/v1/export/skus`: read back with the csv crate and calamine, and imported back unchanged.

use super::*;
use serde_json::json;

/// A catalog with every field set and some stock held and sold, so every column has a value.
async fn shop() -> TestServer {
    let s = TestServer::start();
    let mut hoodie = new_sku("HOODIE-BLK-L", 5000, 19990);
    hoodie["name"] = json!("加绒卫衣 黑 L");
    hoodie["buffer"] = json!(100);
    hoodie["damaged"] = json!(20);
    hoodie["per_buyer_limit"] = json!(3);
    hoodie["presale_cap"] = json!(50);
    s.create_skus(&json!([hoodie, new_sku("CAP-1", 7, 5)]))
        .await;
    sell(&s, "DY-1", "HOODIE-BLK-L", 2).await;
    let (st, b) = s
        .orders(&event("douyin", "DY-2", "created", &[("HOODIE-BLK-L", 1)]))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    s
}

#[tokio::test]
async fn the_csv_export_has_a_bom_chinese_titles_money_in_yuan_and_downloads_as_a_file() {
    let s = shop().await;
    let (st, headers, bytes) = download(&s, "/api/v1/export/skus?format=csv").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("skus.csv"),
        "{disposition}"
    );
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a UTF-8 BOM for Excel");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let titles: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        &titles[..5],
        ["商品编码", "商品名称", "类目", "单价", "库存"]
    );
    let col = |t: &str| {
        titles
            .iter()
            .position(|x| x == t)
            .unwrap_or_else(|| panic!("no {t}"))
    };
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    // In code order: CAP-1 first.
    let hoodie = &rows[1];
    assert_eq!(&hoodie[col("商品编码")], "HOODIE-BLK-L");
    assert_eq!(&hoodie[col("商品名称")], "加绒卫衣 黑 L");
    assert_eq!(&hoodie[col("单价")], "199.90");
    assert_eq!(&hoodie[col("成交额")], "399.80");
    assert_eq!(&hoodie[col("可售")], (5000 - 100 - 20 - 1 - 2).to_string());
    assert_eq!(&hoodie[col("待付款")], "1");
    assert_eq!(&hoodie[col("限购")], "3");
    assert_eq!(&rows[0][col("单价")], "0.05");
    assert_eq!(&rows[0][col("限购")], "", "no limit is an empty cell");
}

#[tokio::test]
async fn the_xlsx_export_holds_numbers_under_chinese_titles() {
    use calamine::{Data, Reader, Xlsx};
    let s = shop().await;
    let (st, headers, bytes) = download(&s, "/api/v1/export/skus?format=xlsx").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(headers["content-type"], super::XLSX_MIME);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("skus.xlsx")
    );
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let range = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    assert_eq!(range.get((0, 0)), Some(&Data::String("商品编码".into())));
    assert_eq!(range.get((0, 3)), Some(&Data::String("单价".into())));
    assert_eq!(
        range.get((2, 0)),
        Some(&Data::String("HOODIE-BLK-L".into()))
    );
    assert_eq!(
        range.get((2, 3)),
        Some(&Data::Float(199.9)),
        "money is a number in yuan"
    );
    assert_eq!(range.get((2, 4)), Some(&Data::Float(5000.0)));
    assert_eq!(range.get((1, 3)), Some(&Data::Float(0.05)));
    let (st, b) = s.get("/api/v1/export/skus?format=pdf", VIEWER).await;
    assert_eq!(
        (st, assert_error(&b, "invalid").as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("format"))
    );
}

#[tokio::test]
async fn an_export_imports_back_unchanged_as_csv_and_as_xlsx() {
    let s = shop().await;
    let before = stable_views(&s.skus().await);
    let seq = s.seq().await;
    for (format, mime) in [
        ("csv", "text/csv"),
        ("xlsx", super::XLSX_MIME),
        ("csv&lang=en", "text/csv"),
    ] {
        let (st, _, bytes) = download(&s, &format!("/api/v1/export/skus?format={format}")).await;
        assert_eq!(st, StatusCode::OK);
        let answer = imported(&s, "?mode=upsert", mime, bytes.clone()).await;
        assert_eq!(answer, (0, 0, 2, seq), "the {format} export imported back");
        assert_eq!(
            stable_views(&s.skus().await),
            before,
            "after the {format} round trip"
        );
        // Into an empty shop the same file creates the same catalog and opening stock.
        let fresh = TestServer::start();
        assert_eq!(imported(&fresh, "", mime, bytes).await.0, 2);
        for code in ["HOODIE-BLK-L", "CAP-1"] {
            let (a, b) = (s.sku(code).await, fresh.sku(code).await);
            for field in [
                "name",
                "category",
                "price_cents",
                "on_hand",
                "buffer",
                "per_buyer_limit",
                "presale_cap",
            ] {
                assert_eq!(a[field], b[field], "{code}.{field} through {format}");
            }
        }
    }
}

/// One file of an XLSX workbook (a zip), as text.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("an XLSX is a zip");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).expect(name), &mut text).expect(name);
    text
}

/// The width the sheet gives column `n` (from 1).
fn width(sheet: &str, n: usize) -> f64 {
    let at = format!("<col min=\"{n}\" max=\"{n}\" width=\"");
    let rest = &sheet[sheet
        .find(&at)
        .unwrap_or_else(|| panic!("no width for column {n}"))
        + at.len()..];
    rest[..rest.find('"').unwrap()].parse().unwrap()
}

#[tokio::test]
async fn the_xlsx_export_formats_money_as_yuan_freezes_its_header_and_fits_its_columns() {
    let s = shop().await;
    let (_, _, bytes) = download(&s, "/api/v1/export/skus?format=xlsx").await;
    assert!(
        part(&bytes, "xl/styles.xml").contains("formatCode=\"¥0.00\""),
        "a ¥0.00 number format"
    );
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("ySplit=\"1\"") && sheet.contains("state=\"frozen\""),
        "a frozen header row: {sheet}"
    );
    // 加绒卫衣 黑 L takes 13 columns (CJK counts two), more than HOODIE-BLK-L's 12 and 商品名称's 8.
    assert!(
        width(&sheet, 2) > width(&sheet, 1),
        "the name column fits its Chinese name"
    );
    assert!(width(&sheet, 2) >= 15.0, "{}", width(&sheet, 2));
}
