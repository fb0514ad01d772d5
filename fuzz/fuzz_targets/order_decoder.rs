//! The order decoder as `POST /api/v1/orders` runs it on a body: the channels read for the
//! signature check, the parse into one event or a batch, and each event's own checks. Nothing
//! may panic; a body is either refused with an error of the API's codes or yields checked events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use livestock::domain::order::OrderEvent;
use livestock::web::extract::{BATCH_ITEMS_MAX, OneOrMany};
use livestock::web::signature;

/// The codes a body may be refused with before its events are judged.
const CODES: [&str; 3] = ["bad_json", "invalid", "too_large"];

fuzz_target!(|body: &[u8]| {
    let _ = signature::channels_of(body);
    match OneOrMany::<OrderEvent>::from_bytes(body) {
        Ok(OneOrMany::One(event)) => {
            let _ = event.check();
        }
        Ok(OneOrMany::Many(events)) => {
            assert!((1..=BATCH_ITEMS_MAX).contains(&events.len()));
            for event in &events {
                let _ = event.check();
            }
        }
        Err(e) => {
            assert!(CODES.contains(&e.code), "refused with {}", e.code);
            assert!(e.status.is_client_error());
        }
    }
});
