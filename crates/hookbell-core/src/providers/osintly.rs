//! `osintly`: placeholder until its adapter lands; reads deliveries with the generic mapping.

use serde_json::Value;

use super::generic::Generic;
use super::{Context, NewAlert, Provider, Unrecognized};
use crate::delivery::Delivery;

/// The osintly adapter.
#[derive(Debug, Clone, Copy)]
pub struct Osintly;

impl Provider for Osintly {
    fn id(&self) -> &'static str {
        "osintly"
    }

    fn parse(
        &self,
        body: &Value,
        delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        Generic::named("osintly").parse(body, delivery, ctx)
    }

    fn sample(&self) -> &'static str {
        Generic::named("osintly").sample()
    }
}
