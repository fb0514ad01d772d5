//! The roles a token may hold (SPEC F2): who may do what. The web layer checks them; the config
//! and the tools name them.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// May do everything.
    Admin,
    /// Runs the show: catalog, stock actions, lineup, acknowledgements.
    Operator,
    /// Receives, counts and quarantines stock.
    Warehouse,
    /// A sales channel posting order events.
    Ingest,
    /// The stream controller: product on air, online viewers.
    Overlay,
    /// Read-only screens.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Operator,
        Role::Warehouse,
        Role::Ingest,
        Role::Overlay,
        Role::Viewer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Warehouse => "warehouse",
            Role::Ingest => "ingest",
            Role::Overlay => "overlay",
            Role::Viewer => "viewer",
        }
    }
}
