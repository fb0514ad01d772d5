//! Idempotent retries: an event keyed by (channel, order_id, kind) is judged once and every retry
//! gets that first answer, alone or in an array, even after the stock comes back.

use crate::common::*;
use crate::{Judged, accept, assert_retries_changed_nothing, books, judged, reject};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn every_retry_is_answered_as_the_first_time_even_after_stock_comes_back() {
    let s = TestServer::start();
    s.create_skus(&new_sku("RT-1", 3, 1000)).await;
    let paid = event("douyin", "RT-A", "paid", &[("RT-1", 2)]);
    let short = event("douyin", "RT-B", "paid", &[("RT-1", 2)]);
    let held = event("kuaishou", "RT-C", "created", &[("RT-1", 1)]);
    // A cancel after the payment: an invalid transition.
    let too_late = event("douyin", "RT-A", "cancelled", &[]);
    let s_paid = accept(&s, &paid).await;
    let s_short = reject(&s, &short, "out_of_stock").await;
    let s_held = accept(&s, &held).await;
    let s_too_late = reject(&s, &too_late, "invalid_transition").await;

    let before = books(&s).await;
    for _ in 0..2 {
        for (ev, first) in [(&paid, s_paid), (&held, s_held)] {
            let (st, a) = s.orders(ev).await;
            assert_eq!(st, StatusCode::OK, "{a}");
            assert_eq!(
                (&a["result"], &a["seq"]),
                (&json!("duplicate"), &json!(first))
            );
        }
        assert_eq!(reject(&s, &short, "out_of_stock").await, s_short);
        assert_eq!(
            reject(&s, &too_late, "invalid_transition").await,
            s_too_late
        );
    }
    // The same, in one array: one answer per event, in order.
    let (st, b) = s.orders(&json!([paid, short, held, too_late])).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let got: Vec<Judged> = b["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(judged)
        .collect();
    assert_eq!(
        got,
        vec![
            ("duplicate".into(), None, s_paid),
            ("rejected".into(), Some("out_of_stock".into()), s_short),
            ("duplicate".into(), None, s_held),
            (
                "rejected".into(),
                Some("invalid_transition".into()),
                s_too_late
            ),
        ]
    );
    // The key is (channel, order_id, kind): a retry with another body is still the same event.
    let mut changed = paid.clone();
    changed["lines"][0]["qty"] = json!(1);
    let (st, a) = s.orders(&changed).await;
    assert_eq!((st, &a["result"]), (StatusCode::OK, &json!("duplicate")));
    assert_retries_changed_nothing(&s, &before).await;

    // Stock comes back, yet the rejected event keeps its first answer: it was judged once.
    accept(&s, &event("douyin", "RT-A", "refunded", &[])).await;
    assert_eq!(s.sku("RT-1").await["available"], 2);
    assert_eq!(reject(&s, &short, "out_of_stock").await, s_short);
    assert_eq!(s.sku("RT-1").await["committed"], 0);
    // The same order id on another channel is another order.
    let mut other = short.clone();
    other["channel"] = json!("taobao");
    accept(&s, &other).await;
}
