//! `GET /ws`: the WebSocket of the screens. `upgrade` takes the handshake, `connection` serves one
//! screen, `feed` turns the writer's changes into shared frames, `protocol` names every frame.

pub mod connection;
pub mod feed;
pub mod protocol;
pub mod upgrade;
