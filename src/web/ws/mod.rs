//! `GET /ws`: the WebSocket of the screens. `upgrade` takes the handshake, `connection` serves one
//! screen, `feed` turns the writer's changes into shared frames, `protocol` names every frame,
//! `limits` caps the connections and the resyncs.

pub mod connection;
pub mod feed;
pub mod limits;
pub mod protocol;
pub mod upgrade;
