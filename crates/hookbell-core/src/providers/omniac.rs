//! `omniac`: placeholder until its adapter lands; reads deliveries with the generic mapping.

use serde_json::Value;

use super::generic::Generic;
use super::{Context, NewAlert, Provider, Unrecognized};
use crate::delivery::Delivery;

/// The omniac adapter.
#[derive(Debug, Clone, Copy)]
pub struct Omniac;

impl Provider for Omniac {
    fn id(&self) -> &'static str {
        "omniac"
    }

    fn parse(
        &self,
        body: &Value,
        delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        Generic::named("omniac").parse(body, delivery, ctx)
    }

    fn sample(&self) -> &'static str {
        Generic::named("omniac").sample()
    }
}
