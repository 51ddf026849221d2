//! Checkouts in progress and the orders they become. A checkout belongs to a user, not a session id,
//! so it survives the id rotation of a password change.

use std::collections::HashMap;
use std::time::Instant;

use super::accounts::UserId;
use super::config::DemoConfig;
use super::flaws::Flaw;
use super::random_id::random_id;

#[derive(Debug, Clone)]
pub struct Checkout {
    pub id: String,
    pub user: UserId,
    pub event_id: u32,
    pub seats: Vec<String>,
    pub attendee: Option<String>,
    pub last_activity: Instant,
    /// Set once paid, so a resubmitted pay form shows the same order instead of charging twice.
    pub order_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Order {
    pub id: String,
    pub user: UserId,
    pub event_id: u32,
    pub seats: Vec<String>,
    pub attendee: String,
    pub card_last4: String,
    pub total_cents: u32,
}

#[derive(Debug, Clone)]
pub enum CheckoutLookup {
    Active(Checkout),
    Expired,
    Missing,
}

#[derive(Debug, Default)]
pub struct Checkouts {
    open: HashMap<String, Checkout>,
    orders: Vec<Order>,
}

impl Checkouts {
    pub fn start(
        &mut self,
        user: UserId,
        event_id: u32,
        seats: Vec<String>,
        now: Instant,
    ) -> String {
        let id = random_id(12);
        self.open.insert(
            id.clone(),
            Checkout {
                id: id.clone(),
                user,
                event_id,
                seats,
                attendee: None,
                last_activity: now,
                order_id: None,
            },
        );
        id
    }

    /// Looks up the user's checkout and counts the visit as activity on it; an idle step expires
    /// while the session itself stays valid.
    pub fn touch(
        &mut self,
        id: &str,
        user: UserId,
        now: Instant,
        config: &DemoConfig,
    ) -> CheckoutLookup {
        let Some(checkout) = self.open.get_mut(id).filter(|c| c.user == user) else {
            return CheckoutLookup::Missing;
        };
        let idle = now.duration_since(checkout.last_activity);
        if checkout.order_id.is_none()
            && !config.flaws.contains(Flaw::NoCheckoutTimeout)
            && idle > config.checkout_timeout
        {
            self.open.remove(id);
            return CheckoutLookup::Expired;
        }
        checkout.last_activity = now;
        CheckoutLookup::Active(checkout.clone())
    }

    pub fn set_attendee(&mut self, id: &str, attendee: &str) {
        if let Some(c) = self.open.get_mut(id) {
            c.attendee = Some(attendee.to_string());
        }
    }

    pub fn pay(&mut self, id: &str, card_last4: &str, total_cents: u32) -> Option<Order> {
        let checkout = self.open.get_mut(id)?;
        if let Some(existing) = &checkout.order_id {
            return self.orders.iter().find(|o| &o.id == existing).cloned();
        }
        let order = Order {
            id: format!("TB-{}", random_id(4).to_uppercase()),
            user: checkout.user,
            event_id: checkout.event_id,
            seats: checkout.seats.clone(),
            attendee: checkout.attendee.clone().unwrap_or_default(),
            card_last4: card_last4.to_string(),
            total_cents,
        };
        checkout.order_id = Some(order.id.clone());
        self.orders.push(order.clone());
        Some(order)
    }

    pub fn orders_of(&self, user: UserId) -> impl Iterator<Item = &Order> {
        self.orders.iter().rev().filter(move |o| o.user == user)
    }
}
