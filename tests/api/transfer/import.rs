//! `POST /api/v1/import`: good sheets in every encoding, bad ones refused whole.

use super::*;
use serde_json::json;

#[tokio::test]
async fn a_good_english_csv_creates_every_sku_with_its_opening_stock() {
    let s = TestServer::start();
    let csv = "sku,name,category,price_cents,on_hand,buffer,per_buyer_limit,presale_cap\n\
               HOODIE-BLK-L,加绒卫衣 黑 L,apparel,19900,5000,100,3,50\n\
               CAP-1,Cap,apparel,3900,20,,,\n";
    let (created, updated, unchanged, seq) = imported(&s, "", "text/csv", csv.into()).await;
    assert_eq!((created, updated, unchanged), (2, 0, 0));
    assert_eq!(seq, s.seq().await);
    let v = s.sku("HOODIE-BLK-L").await;
    assert_eq!(
        (
            &v["name"],
            &v["price_cents"],
            &v["on_hand"],
            &v["buffer"],
            &v["per_buyer_limit"],
            &v["presale_cap"]
        ),
        (
            &json!("加绒卫衣 黑 L"),
            &json!(19900),
            &json!(5000),
            &json!(100),
            &json!(3),
            &json!(50)
        )
    );
    assert_eq!(v["available"], 4900);
    let cap = s.sku("CAP-1").await;
    assert_eq!(
        (&cap["buffer"], &cap["per_buyer_limit"]),
        (&json!(0), &Value::Null)
    );
}

#[tokio::test]
async fn a_gbk_csv_with_chinese_headers_reads_prices_in_yuan_exactly() {
    let s = TestServer::start();
    let text = "商品编码,商品名称,类目,单价,库存,安全库存,限购\r\n\
                TEA-01,西湖龙井 250g,食品,59.90,300,10,2\r\n\
                TEA-02,碧螺春,食品,￥128,0,,\r\n";
    let (gbk, _, lossy) = encoding_rs::GBK.encode(text);
    assert!(!lossy, "the test text is GBK");
    assert!(std::str::from_utf8(&gbk).is_err(), "the body is not UTF-8");
    let (created, ..) = imported(
        &s,
        "?mode=create",
        "text/csv; charset=gbk",
        gbk.into_owned(),
    )
    .await;
    assert_eq!(created, 2);
    let tea = s.sku("TEA-01").await;
    assert_eq!(
        (
            &tea["name"],
            &tea["category"],
            &tea["price_cents"],
            &tea["buffer"],
            &tea["per_buyer_limit"]
        ),
        (
            &json!("西湖龙井 250g"),
            &json!("食品"),
            &json!(5990),
            &json!(10),
            &json!(2)
        )
    );
    assert_eq!(s.sku("TEA-02").await["price_cents"], 12800);
}

/// An XLSX sheet as Excel would hold it: Chinese titles, prices as numbers, a code typed as text.
fn workbook(rows: &[(&str, &str, f64, f64)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, title) in ["商品编码", "商品名称", "类目", "单价", "库存", "可售"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *title).unwrap();
    }
    for (r, (code, name, price, on_hand)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, *code).unwrap();
        sheet.write_string(r, 1, *name).unwrap();
        sheet.write_string(r, 2, "apparel").unwrap();
        sheet.write_number(r, 3, *price).unwrap();
        sheet.write_number(r, 4, *on_hand).unwrap();
        // A read-only column of the export: ignored.
        sheet.write_number(r, 5, 999.0).unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn an_xlsx_with_chinese_headers_is_imported_by_its_type_or_its_zip_magic() {
    let s = TestServer::start();
    let book = workbook(&[
        ("SOCK-1", "袜子", 9.9, 100.0),
        ("SOCK-2", "厚袜", 65.89000000000001, 7.0),
    ]);
    let (created, ..) = imported(&s, "", super::XLSX_MIME, book).await;
    assert_eq!(created, 2);
    assert_eq!(s.sku("SOCK-1").await["price_cents"], 990);
    assert_eq!(s.sku("SOCK-2").await["price_cents"], 6589);
    assert_eq!(s.sku("SOCK-2").await["on_hand"], 7);
    let sniffed = workbook(&[("SOCK-3", "短袜", 5.0, 1.0)]);
    let (created, ..) = imported(&s, "", "application/octet-stream", sniffed).await;
    assert_eq!(created, 1);
    // More than two decimals in a numeric cell is refused, naming the cell.
    let (st, b) = import_as(
        &s,
        OPERATOR,
        "",
        super::XLSX_MIME,
        workbook(&[("SOCK-4", "x", 9.999, 1.0)]),
    )
    .await;
    assert_eq!(bad_rows(st, &b), [(2, "单价".to_owned())]);
}

#[tokio::test]
async fn a_sheet_with_several_bad_rows_imports_nothing_and_names_every_one() {
    let s = TestServer::start();
    s.create_skus(&new_sku("OLD-1", 10, 100)).await;
    let seq = s.seq().await;
    let csv = "\u{feff}商品编码,商品名称,类目,单价,库存,安全库存\n\
               GOOD-1,好的,apparel,10.00,5,0\n\
               bad code!,坏编码,apparel,10.00,5,0\n\
               GOOD-2,三位小数,apparel,59.999,5,0\n\
               GOOD-3,负库存,apparel,1.00,-3,0\n\
               GOOD-1,重复,apparel,1.00,1,0\n\
               GOOD-4,缓冲过多,apparel,1.00,2,3\n\
               OLD-1,已存在,apparel,1.00,1,0\n\
               GOOD-5,,apparel,,1,0\n";
    let (st, b) = import_csv(&s, "", csv).await;
    let named = bad_rows(st, &b);
    let want: Vec<(u64, String)> = [
        (3, "商品编码"),
        (4, "单价"),
        (5, "库存"),
        (6, "商品编码"),
        (7, "安全库存"),
        (8, "商品编码"),
        (9, "单价"),
        (9, "商品名称"),
    ]
    .into_iter()
    .map(|(r, c)| (r, c.to_owned()))
    .collect();
    let mut sorted = named.clone();
    sorted.sort();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    assert_eq!(sorted, want_sorted, "{b}");
    let reasons = b["rows"].to_string();
    assert!(
        reasons.contains("also on row 2"),
        "the repeat names the first row: {reasons}"
    );
    assert!(
        reasons.contains("mode=upsert"),
        "the existing code points at upsert: {reasons}"
    );
    assert_eq!(s.seq().await, seq, "nothing was journaled");
    let codes: Vec<Value> = s
        .skus()
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["sku"].clone())
        .collect();
    assert_eq!(codes, [json!("OLD-1")], "nothing was imported");
}

#[tokio::test]
async fn unknown_and_missing_columns_are_named_on_the_header_row() {
    let s = TestServer::start();
    let (st, b) = import_csv(&s, "", "商品编码,商品名称,类目,单价,颜色\nA,a,c,1,红\n").await;
    assert_eq!(
        bad_rows(st, &b),
        [(1, "库存".to_owned()), (1, "颜色".to_owned())]
    );
    let (st, b) = import_csv(
        &s,
        "",
        "sku,name,category,on_hand,price_cents,单价\nA,a,c,1,100,1\n",
    )
    .await;
    assert_eq!(
        bad_rows(st, &b),
        [(1, "单价".to_owned())],
        "two price columns: {b}"
    );
}

#[tokio::test]
async fn create_refuses_an_existing_code_and_upsert_updates_it_with_the_change_in_the_trail() {
    let s = TestServer::start();
    s.create_skus(&new_sku("HOODIE", 10, 19900)).await;
    let sheet = "sku,name,category,price_cents,on_hand\nHOODIE,新卫衣,apparel,17900,25\nNEW-1,新品,apparel,100,3\n";
    let (st, b) = import_csv(&s, "?mode=create", sheet).await;
    assert_eq!(bad_rows(st, &b), [(2, "sku".to_owned())]);
    assert!(
        b["rows"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("mode=upsert"),
        "{b}"
    );
    let (created, updated, unchanged, seq) =
        imported(&s, "?mode=upsert&by=仓库老李", "text/csv", sheet.into()).await;
    assert_eq!((created, updated, unchanged), (1, 1, 0));
    let v = s.sku("HOODIE").await;
    assert_eq!(
        (&v["name"], &v["price_cents"], &v["on_hand"]),
        (&json!("新卫衣"), &json!(17900), &json!(25))
    );
    let (st, trail) = s.get("/api/v1/skus/HOODIE/movements", VIEWER).await;
    assert_eq!(st, StatusCode::OK);
    let m = &trail["movements"][0];
    assert_eq!(
        (&m["kind"], &m["delta"], &m["reason"], &m["by"], &m["seq"]),
        (
            &json!("adjust"),
            &json!(15),
            &json!("导入 import"),
            &json!("仓库老李"),
            &json!(seq)
        )
    );
    // The same sheet again changes nothing and journals nothing.
    let again = imported(&s, "?mode=upsert", "text/csv", sheet.into()).await;
    assert_eq!(again, (0, 0, 2, seq));
    // Stock held by an order cannot be imported away.
    sell(&s, "DY-1", "HOODIE", 20).await;
    let (st, b) = import_csv(
        &s,
        "?mode=upsert",
        "sku,name,category,price_cents,on_hand\nHOODIE,新卫衣,apparel,17900,5\n",
    )
    .await;
    assert_eq!(bad_rows(st, &b), [(2, "on_hand".to_owned())]);
    assert_eq!(s.sku("HOODIE").await["on_hand"], 25);
}

#[tokio::test]
async fn imports_are_bounded_and_for_the_catalog_roles_only() {
    let s = TestServer::start();
    let sheet = "sku,name,category,price_cents,on_hand\nA,a,c,1,1\n";
    let (st, b) = import_as(&s, VIEWER, "", "text/csv", sheet.into()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_error(&b, "forbidden");
    let (st, b) = import_csv(&s, "?mode=merge", sheet).await;
    assert_eq!(
        (st, assert_error(&b, "invalid").as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("mode"))
    );
    let mut many = String::from("sku,name,category,price_cents,on_hand\n");
    for i in 0..10_001 {
        many.push_str(&format!("S-{i},n,c,1,1\n"));
    }
    let (st, b) = import_csv(&s, "", &many).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    assert_error(&b, "too_large");
    let huge = "x".repeat(9 << 20);
    let (st, _) = import_csv(&s, "", &huge).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(s.skus().await, json!([]), "nothing was imported");
}

#[tokio::test]
async fn an_import_is_replayed_exactly_after_a_restart() {
    let mut s = TestServer::start();
    s.create_skus(&new_sku("HOODIE", 10, 19900)).await;
    let sheet = "sku,name,category,price_cents,on_hand,per_buyer_limit\nHOODIE,卫衣,apparel,19900,30,2\nNEW-1,新品,apparel,100,3,\n";
    imported(&s, "?mode=upsert", "text/csv", sheet.into()).await;
    let (before, seq) = (stable_views(&s.skus().await), s.seq().await);
    let (_, trail) = s.get("/api/v1/skus/HOODIE/movements", VIEWER).await;
    // SIGKILL: no final snapshot, so the start replays the journal's Import record.
    s.kill9();
    s.restart();
    assert_eq!(
        (stable_views(&s.skus().await), s.seq().await),
        (before, seq)
    );
    let (_, again) = s.get("/api/v1/skus/HOODIE/movements", VIEWER).await;
    assert_eq!(
        again, trail,
        "the import's adjustment is in the trail after replay"
    );
}
