//! The tools that drive a livestock server from the outside, through its public API only: the
//! demo show, the two load generators, the child-server harness they (and the end-to-end tests)
//! start servers with, and the one client they all talk through. Nothing here reaches into the
//! server's `config`, `engine` or `web`.

pub mod child;
pub mod client;
pub mod demo;
pub mod load;
pub mod load_screens;
