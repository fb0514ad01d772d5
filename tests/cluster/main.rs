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
