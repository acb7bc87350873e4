//! `enzoic`: placeholder until its adapter lands; reads deliveries with the generic mapping.

use serde_json::Value;

use super::generic::Generic;
use super::{Context, NewAlert, Provider, Unrecognized};
use crate::delivery::Delivery;

/// The enzoic adapter.
#[derive(Debug, Clone, Copy)]
pub struct Enzoic;

impl Provider for Enzoic {
    fn id(&self) -> &'static str {
        "enzoic"
    }

    fn parse(
        &self,
        body: &Value,
        delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        Generic::named("enzoic").parse(body, delivery, ctx)
    }

    fn sample(&self) -> &'static str {
        Generic::named("enzoic").sample()
    }
}
