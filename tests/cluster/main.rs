//! The journal on NATS JetStream against real `nats-server`s on loopback (issue 16): appends are
//! fenced on the stream's last sequence, batches read back whole and in order, the shop's lease
//! ages out and cannot be renewed by a node that lost it, and an R3 stream goes on when one of its
//! three servers dies.

mod nats;

use bytes::Bytes;
use livestock::journal::jetstream::{
    AppendError, JournalStream, Lease, LeaseConfig, StreamConfig, connect,
};
use nats::Nats;
use std::time::{Duration, Instant};

fn stream_config(servers: &[&Nats], shop: &str, replicas: usize) -> StreamConfig {
    StreamConfig {
        servers: servers.iter().map(|n| n.url.clone()).collect(),
        shop: shop.to_owned(),
        replicas,
    }
}

/// Opens the stream, retrying while a new cluster is still electing its JetStream leader.
async fn open(config: &StreamConfig) -> JournalStream {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let tried = async {
            let client = connect(&config.servers).await?;
            JournalStream::open(client, config).await
        };
        match tried.await {
            Ok(stream) => return stream,
            Err(e) if Instant::now() < deadline => {
                eprintln!("not yet: {e}");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("the stream did not open: {e}"),
        }
    }
}

fn batch(i: u64) -> Bytes {
    Bytes::from(format!(
        "batch {i}: records framed as the file journal frames them"
    ))
}

#[tokio::test]
async fn a_writer_behind_the_stream_is_refused_and_appends_after_catching_up() {
    let server = Nats::single();
    let config = stream_config(&[&server], "hoodies", 1);
    let mut a = open(&config).await;
    let mut b = open(&config).await;
    assert_eq!((a.last(), b.last()), (0, 0));

    assert_eq!(a.append(batch(1)).await.unwrap(), 1);
    // b still believes the stream ends at 0: its batch would follow one it never applied.
    match b.append(batch(2)).await {
        Err(AppendError::Fenced { expected_last: 0 }) => {}
        other => panic!("a stale writer must be fenced, got {other:?}"),
    }
    let missed = b.read_after(0).await.unwrap();
    assert_eq!(missed.len(), 1);
    assert_eq!(missed[0].records, batch(1));
    assert_eq!(b.append(batch(2)).await.unwrap(), 2);
    // Now a is the stale one.
    assert!(matches!(
        a.append(batch(3)).await,
        Err(AppendError::Fenced { expected_last: 1 })
    ));

    let mut reader = open(&config).await;
    let all = reader.read_after(0).await.unwrap();
    let got: Vec<(u64, Bytes)> = all.into_iter().map(|b| (b.stream_seq, b.records)).collect();
    assert_eq!(
        got,
        vec![(1, batch(1)), (2, batch(2))],
        "the refused batch is not there"
    );
}

#[tokio::test]
async fn batches_read_back_whole_and_in_order_from_any_point() {
    let server = Nats::single();
    let config = stream_config(&[&server], "read-back", 1);
    let mut writer = open(&config).await;
    for i in 1..=50 {
        assert_eq!(writer.append(batch(i)).await.unwrap(), i);
    }
    let mut follower = open(&config).await;
    let tail = follower.read_after(20).await.unwrap();
    assert_eq!(tail.len(), 30);
    for (b, i) in tail.iter().zip(21..) {
        assert_eq!((b.stream_seq, &b.records), (i, &batch(i)));
    }
    assert_eq!(follower.last(), 50);
    assert!(follower.read_after(50).await.unwrap().is_empty());
    // The follower, caught up, may append next.
    assert_eq!(follower.append(batch(51)).await.unwrap(), 51);
}

#[tokio::test]
async fn the_lease_ages_out_and_the_node_that_lost_it_cannot_renew() {
    let server = Nats::single();
    let lease_config = LeaseConfig {
        bucket: "livestock-leases".into(),
        ttl: Duration::from_secs(1),
        replicas: 1,
    };
    let client = connect(std::slice::from_ref(&server.url)).await.unwrap();
    let mut a = Lease::open(client.clone(), "hoodies", &lease_config)
        .await
        .unwrap();
    let mut b = Lease::open(client.clone(), "hoodies", &lease_config)
        .await
        .unwrap();
    let mut other_shop = Lease::open(client, "socks", &lease_config).await.unwrap();

    assert!(a.bid("http://a:8080").await.unwrap());
    assert!(!b.bid("http://b:8080").await.unwrap(), "taken");
    assert!(
        other_shop.bid("http://b:8080").await.unwrap(),
        "one lease per shop"
    );
    assert_eq!(b.leader().await.unwrap().unwrap().url, "http://a:8080");

    // Renewed within the TTL, the lease stays a's.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(a.renew("http://a:8080").await.unwrap());
        assert!(!b.bid("http://b:8080").await.unwrap());
    }
    // a stops renewing (paused, say): the lease ages out and b takes it.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !b.bid("http://b:8080").await.unwrap() {
        assert!(Instant::now() < deadline, "the lease never aged out");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(a.leader().await.unwrap().unwrap().url, "http://b:8080");
    assert!(!a.renew("http://a:8080").await.unwrap(), "a lost it");
    assert!(!a.held());
    assert!(b.renew("http://b:8080").await.unwrap());
    // A clean stop gives it up at once.
    b.release().await.unwrap();
    assert_eq!(a.leader().await.unwrap(), None);
    assert!(a.bid("http://a:8080").await.unwrap());
}

#[tokio::test]
async fn a_replicated_stream_goes_on_when_one_server_dies() {
    let mut servers = Nats::cluster();
    let config = stream_config(&servers.iter().collect::<Vec<_>>(), "r3", 3);
    let mut writer = open(&config).await;
    for i in 1..=10 {
        assert_eq!(writer.append(batch(i)).await.unwrap(), i);
    }
    servers[0].kill();
    // The stream may be electing a new leader for a moment; an append that got no answer is
    // not acknowledged, and the writer learns what the stream holds before going on.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut i = 11;
    while i <= 20 {
        match writer.append(batch(i)).await {
            Ok(seq) => {
                assert_eq!(seq, i);
                i += 1;
            }
            Err(AppendError::Unavailable(e)) if Instant::now() < deadline => {
                eprintln!("append {i}: {e}");
                let caught = writer.read_after(i - 1).await;
                if let Ok(b) = caught {
                    i += b.len() as u64; // it did land
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("append {i} after one server died: {e}"),
        }
    }
    let survivors = stream_config(&[&servers[1], &servers[2]], "r3", 3);
    let mut reader = open(&survivors).await;
    let all = reader.read_after(0).await.unwrap();
    assert_eq!(all.len(), 20);
    for (b, i) in all.iter().zip(1..) {
        assert_eq!((b.stream_seq, &b.records), (i, &batch(i)));
    }
}

mod node;
use node::{Node, TOKEN};
use serde_json::{Value, json};

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn post(client: &reqwest::Client, node: &Node, path: &str, body: &Value) -> (u16, Value) {
    let r = client
        .post(format!("{}{path}", node.url))
        .bearer_auth(TOKEN)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(client: &reqwest::Client, node: &Node, path: &str) -> (u16, Value) {
    match client
        .get(format!("{}{path}", node.url))
        .bearer_auth(TOKEN)
        .send()
        .await
    {
        Ok(r) => {
            let status = r.status().as_u16();
            (status, r.json().await.unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    }
}

/// Waits until `node` answers as the shop's leader; how long that took.
async fn until_leader(client: &reqwest::Client, node: &Node, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let (status, body) = get(client, node, "/api/v1/cluster").await;
        if status == 200 && body["role"] == "leader" {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{} did not lead within {within:?}",
            node.url
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The books that must be the same on every node and after every failover: each SKU's stock
/// buckets (the rates move with the clock, the books do not).
async fn books(client: &reqwest::Client, node: &Node) -> Vec<Value> {
    let (status, body) = get(client, node, "/api/v1/skus").await;
    assert_eq!(status, 200, "{body}");
    body.as_array()
        .or_else(|| body["skus"].as_array())
        .expect("a list of SKUs")
        .iter()
        .map(|s| {
            json!([
                s["sku"],
                s["on_hand"],
                s["held"],
                s["committed"],
                s["available"],
                s["sold_units"],
                s["gmv_cents"]
            ])
        })
        .collect()
}

fn paid(i: usize) -> Value {
    json!({"channel": "douyin", "order_id": format!("DY-{i}"), "kind": "paid",
           "buyer": format!("buyer-{i}"), "lines": [{"sku": "HOODIE", "qty": 1}]})
}

/// The hoodie night in small: 80 buyers for 50 hoodies, posted at once.
async fn rush(
    client: &reqwest::Client,
    node: &Node,
    buyers: std::ops::Range<usize>,
) -> Vec<(u16, Value)> {
    let events: Vec<Value> = buyers.map(paid).collect();
    let posts = events
        .iter()
        .map(|e| post(client, node, "/api/v1/orders", e));
    futures_util::future::join_all(posts).await
}

#[tokio::test]
async fn a_standby_takes_over_a_killed_leader_with_every_acknowledged_order() {
    let nats = Nats::single();
    let client = http();
    let mut first = Node::start(&nats.url, "hoodies");
    until_leader(&client, &first, Duration::from_secs(10)).await;
    let standby = Node::start(&nats.url, "hoodies");
    let (status, _) = get(&client, &standby, "/api/v1/skus").await;
    assert_eq!(status, 503, "a node without the lease takes nothing");

    let sku = json!({"sku": "HOODIE", "name": "加绒卫衣", "category": "apparel",
                     "price_cents": 19900, "on_hand": 50});
    assert_eq!(post(&client, &first, "/api/v1/skus", &sku).await.0, 201);
    let answers = rush(&client, &first, 0..80).await;
    let accepted = answers.iter().filter(|(s, _)| *s == 200).count();
    let refused = answers
        .iter()
        .filter(|(s, b)| *s == 409 && b["reason"] == "out_of_stock")
        .count();
    assert_eq!((accepted, refused), (50, 30), "exactly the stock is sold");
    let before = books(&client, &first).await;

    first.kill();
    let took = until_leader(&client, &standby, Duration::from_secs(5)).await;
    eprintln!("failover took {took:?}");
    assert_eq!(
        books(&client, &standby).await,
        before,
        "every acknowledged order is there"
    );
    // Every buyer retries: each gets the answer it got before, and nothing moves.
    let retried = rush(&client, &standby, 0..80).await;
    for (i, ((s1, b1), (s2, b2))) in answers.iter().zip(&retried).enumerate() {
        assert_eq!(s1, s2, "buyer {i}: {b1} then {b2}");
        if *s1 == 200 {
            assert_eq!(b2["result"], "duplicate", "buyer {i}");
            assert_eq!(b1["seq"], b2["seq"], "buyer {i}");
        }
    }
    assert_eq!(
        books(&client, &standby).await,
        before,
        "no order twice, no oversell"
    );
}

#[tokio::test]
async fn a_leader_paused_past_its_lease_is_refused_and_stops() {
    let nats = Nats::single();
    let client = http();
    let mut old = Node::start(&nats.url, "paused");
    until_leader(&client, &old, Duration::from_secs(10)).await;
    let sku = json!({"sku": "HOODIE", "name": "加绒卫衣", "category": "apparel",
                     "price_cents": 19900, "on_hand": 10});
    assert_eq!(post(&client, &old, "/api/v1/skus", &sku).await.0, 201);
    assert_eq!(
        rush(&client, &old, 0..4)
            .await
            .iter()
            .filter(|(s, _)| *s == 200)
            .count(),
        4
    );

    let new = Node::start(&nats.url, "paused");
    old.signal("STOP");
    until_leader(&client, &new, Duration::from_secs(10)).await;
    assert_eq!(
        rush(&client, &new, 4..7)
            .await
            .iter()
            .filter(|(s, _)| *s == 200)
            .count(),
        3
    );
    let books_new = books(&client, &new).await;
    old.signal("CONT");

    // The old leader wakes up believing it leads: its write is not acknowledged...
    let (status, body) = post(&client, &old, "/api/v1/orders", &paid(100)).await;
    assert_eq!(status, 503, "{body}");
    // ...it stops taking writes and exits (fail stop), and nothing of it reached the books.
    assert!(
        old.wait_exit(Duration::from_secs(60))
            .is_some_and(|code| code != 0)
    );
    assert_eq!(books(&client, &new).await, books_new);
    let (status, body) = get(&client, &new, "/api/v1/orders/douyin/DY-100").await;
    assert_eq!(status, 404, "the refused order is not there: {body}");
}
