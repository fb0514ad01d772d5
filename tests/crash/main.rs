//! Durability end to end (SPEC F1): nothing acknowledged is lost when the real server is killed with
//! SIGKILL in the middle of a rush, every retry after the restart gets its first answer, and a clean
//! stop (SIGTERM, exit 0) and start give back exactly the same books. One module per behaviour, and
//! the judged answer they share.

#[path = "../common/mod.rs"]
mod common;

mod restart;
mod rush;

use common::TestServer;
use serde_json::Value;

/// Stops the server with SIGTERM and insists it exits 0 (showing its output if not).
fn terminate_cleanly(s: &mut TestServer) {
    let status = s.terminate();
    assert_eq!(status.code(), Some(0), "SIGTERM exits 0\n{}", s.logs());
}

/// One judged answer: `(result, reason, seq)`.
type Judged = (String, Option<String>, u64);

fn judged(r: &Value) -> Judged {
    (
        r["result"].as_str().expect("a result").to_owned(),
        r["reason"].as_str().map(str::to_owned),
        r["seq"].as_u64().expect("a judged event has a seq"),
    )
}
