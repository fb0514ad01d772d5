//! Live rooms (直播间, API.md "Rooms"): several shows at once on the one pool. Each room has its own
//! show; the plain show endpoints are the room `main`, which always exists. An order is credited to
//! the room it names, else to the one live room of its channel, else to none: the stock effect is
//! the same in every case.

use super::{Show, ShowState};
use crate::domain::command::{Effect, Outcome, Refusal, RefusalCode};
use crate::domain::order::{Channel, OrderEvent};
use crate::domain::pool::Pool;
use crate::domain::types::{Name, RoomId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most rooms one shop may have, `main` included.
pub const ROOMS_MAX: usize = 50;
/// The name of the room `main` until someone names it.
pub const MAIN_ROOM_NAME: &str = "主直播间";

/// A room as posted to `POST /api/v1/rooms`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRoom {
    pub room: RoomId,
    pub name: Name,
    /// The channel the room streams on; a room without one takes the orders of any channel
    /// that no live room of its own claims.
    #[serde(default)]
    pub channel: Option<Channel>,
}

/// A room as the pool keeps it, with its show (planned, live or last ended).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Room {
    pub id: RoomId,
    pub name: Name,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub show: Option<Show>,
}

impl Room {
    pub fn main() -> Self {
        Room {
            id: RoomId::main(),
            name: Name::new(MAIN_ROOM_NAME).expect("a valid name"),
            channel: None,
            show: None,
        }
    }

    pub fn is_live(&self) -> bool {
        self.show
            .as_ref()
            .is_some_and(|s| s.state == ShowState::Live)
    }

    /// The show while it is live.
    pub fn live_show(&self) -> Option<&Show> {
        self.show.as_ref().filter(|s| s.state == ShowState::Live)
    }
}

/// Every room by id; `main` is always there.
pub type Rooms = BTreeMap<RoomId, Room>;

/// The rooms of a new pool: `main` alone.
pub fn initial_rooms() -> Rooms {
    let main = Room::main();
    BTreeMap::from([(main.id.clone(), main)])
}

impl Pool {
    /// Creates a room, or renames one (and moves it to another channel) while its show is not live.
    pub(in crate::domain) fn create_room(&mut self, new: &NewRoom) -> Result<Effect, Refusal> {
        let full = self.rooms.len() >= ROOMS_MAX;
        match self.rooms.get_mut(&new.room) {
            Some(room) if room.name == new.name && room.channel == new.channel => Ok(Effect {
                journal: false,
                outcome: Outcome::Room { created: false },
                changed: Vec::new(),
            }),
            Some(room) if room.is_live() => {
                let msg = format!("room {} is live; end its show before changing it", room.id);
                Err(Refusal::new(RefusalCode::Conflict, "room", msg))
            }
            Some(room) => {
                room.name = new.name.clone();
                room.channel = new.channel.clone();
                Ok(room_effect(false))
            }
            None if full => {
                let msg = format!("a shop has at most {ROOMS_MAX} rooms");
                Err(Refusal::new(RefusalCode::Invalid, "room", msg))
            }
            None => {
                let room = Room {
                    id: new.room.clone(),
                    name: new.name.clone(),
                    channel: new.channel.clone(),
                    show: None,
                };
                self.rooms.insert(room.id.clone(), room);
                Ok(room_effect(true))
            }
        }
    }

    /// The room an accepted sale of `ev` is credited to: the room the event names; else the room
    /// the order was credited to before (`prior`); else the one live room streaming on the
    /// event's channel, or failing that the one live room bound to no channel; else none.
    pub(in crate::domain) fn credit_room(
        &self,
        ev: &OrderEvent,
        prior: Option<&RoomId>,
    ) -> Option<RoomId> {
        if let Some(room) = &ev.room {
            return Some(room.clone());
        }
        if let Some(room) = prior {
            return Some(room.clone());
        }
        let live = || self.rooms.values().filter(|r| r.is_live());
        let only = |mut rooms: Vec<&Room>| match rooms.len() {
            1 => rooms.pop().map(|r| r.id.clone()),
            _ => None,
        };
        let on_channel: Vec<&Room> = live()
            .filter(|r| r.channel.as_ref().is_some_and(|c| c.same_as(&ev.channel)))
            .collect();
        if !on_channel.is_empty() {
            return only(on_channel);
        }
        only(live().filter(|r| r.channel.is_none()).collect())
    }

    /// Refuses an event naming a room the shop does not have.
    pub(in crate::domain) fn check_room(&self, ev: &OrderEvent) -> Result<(), Refusal> {
        match &ev.room {
            Some(room) if !self.rooms.contains_key(room) => Err(Refusal::new(
                RefusalCode::Invalid,
                "room",
                format!("unknown room {room}; create it with POST /api/v1/rooms"),
            )),
            _ => Ok(()),
        }
    }

    /// Every room but `room` whose show is live.
    pub(in crate::domain) fn other_live_rooms<'a>(
        &'a self,
        room: &'a RoomId,
    ) -> impl Iterator<Item = &'a Room> + 'a {
        self.rooms
            .values()
            .filter(move |r| &r.id != room && r.is_live())
    }
}

fn room_effect(created: bool) -> Effect {
    Effect {
        journal: true,
        outcome: Outcome::Room { created },
        changed: Vec::new(),
    }
}
