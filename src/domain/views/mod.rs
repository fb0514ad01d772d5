//! Read models built from the pool's parts: the show view with its host prompt and restock
//! requests. (The stock view of one SKU is `stock::view`: it needs nothing but the SKU.) Views sit
//! above the show and the alert book, so neither needs the other.

pub mod night;
pub mod prompt;
pub mod show;
