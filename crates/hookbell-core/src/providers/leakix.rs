//! `leakix`: placeholder until its adapter lands; reads deliveries with the generic mapping.

use serde_json::Value;

use super::generic::Generic;
use super::{Context, NewAlert, Provider, Unrecognized};
use crate::delivery::Delivery;

/// The leakix adapter.
#[derive(Debug, Clone, Copy)]
pub struct Leakix;

impl Provider for Leakix {
    fn id(&self) -> &'static str {
        "leakix"
    }

    fn parse(
        &self,
        body: &Value,
        delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        Generic::named("leakix").parse(body, delivery, ctx)
    }

    fn sample(&self) -> &'static str {
        Generic::named("leakix").sample()
    }
}
