//! `cyscale`: placeholder until its adapter lands; reads deliveries with the generic mapping.

use serde_json::Value;

use super::generic::Generic;
use super::{Context, NewAlert, Provider, Unrecognized};
use crate::delivery::Delivery;

/// The cyscale adapter.
#[derive(Debug, Clone, Copy)]
pub struct Cyscale;

impl Provider for Cyscale {
    fn id(&self) -> &'static str {
        "cyscale"
    }

    fn parse(
        &self,
        body: &Value,
        delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        Generic::named("cyscale").parse(body, delivery, ctx)
    }

    fn sample(&self) -> &'static str {
        Generic::named("cyscale").sample()
    }
}
