//! The fixed event catalogue. Seats are never marked sold: the demo must stay usable for any number of
//! scenario runs against one long-running server.

#[derive(Debug, Clone, Copy)]
pub struct Event {
    pub id: u32,
    pub name: &'static str,
    pub venue: &'static str,
    pub date: &'static str,
    pub price_cents: u32,
}

pub const EVENTS: &[Event] = &[
    Event {
        id: 1,
        name: "The Midnight Owls — Live",
        venue: "Harbour Arena",
        date: "2026-03-14 20:00",
        price_cents: 4_500,
    },
    Event {
        id: 2,
        name: "Symphony of Stations",
        venue: "Old Railway Hall",
        date: "2026-04-02 19:30",
        price_cents: 6_200,
    },
    Event {
        id: 3,
        name: "Cellar Comedy Late Show",
        venue: "The Vault",
        date: "2026-04-18 22:00",
        price_cents: 2_000,
    },
];

pub const SEAT_ROWS: [char; 2] = ['A', 'B'];
pub const SEATS_PER_ROW: u32 = 6;

pub fn find(id: u32) -> Option<&'static Event> {
    EVENTS.iter().find(|e| e.id == id)
}

pub fn seat_labels() -> impl Iterator<Item = String> {
    SEAT_ROWS
        .into_iter()
        .flat_map(|row| (1..=SEATS_PER_ROW).map(move |n| format!("{row}{n}")))
}

pub fn is_seat(label: &str) -> bool {
    seat_labels().any(|s| s == label)
}

pub fn format_price(cents: u32) -> String {
    format!("€{}.{:02}", cents / 100, cents % 100)
}
