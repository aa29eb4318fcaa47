//! Item and reason: which line of the order, how many of its units are
//! still free to claim, and the reasons that fit it.

use crate::case::Claim;
use crate::catalogue::Msg;
use crate::order::{Order, OrderLine};
use crate::policy::{self, LineHistory};
use crate::reason::Reason;

use super::Step;
use super::turn::Turn;

impl Turn<'_, '_> {
    /// One unit, one claim: units already in cases are not offered again;
    /// with none left, the customer sees the cases that hold them.
    pub(super) fn line_chosen(&mut self, line: &OrderLine, prefix: impl Into<Option<Msg>>, edit: Option<i32>) {
        self.state.draft.sku = Some(line.sku.clone());
        self.state.draft.quantity = 1;
        let mut parts: Vec<Msg> = prefix.into().into_iter().collect();
        let left = self.units_left(line);
        let claims: Vec<&Claim> = self.facts.claims.iter().filter(|claim| claim.sku == line.sku).collect();
        if left == 0 {
            let own = claims.iter().filter(|claim| claim.own).map(|claim| claim.id.clone()).collect();
            self.state.step = Step::Claimed { cases: own };
            return self.ask(parts, edit);
        }
        if left < line.quantity {
            let cases = claims.iter().map(|claim| claim.id.clone()).collect();
            parts.push(Msg::UnitsPartlyClaimed { item: line.item_name.clone(), left, of: line.quantity, cases });
        }
        self.state.step = if left > 1 { Step::Quantity } else { Step::Reason };
        self.ask(parts, edit);
    }

    pub(super) fn units_left(&self, line: &OrderLine) -> u32 {
        self.line_history(line).units_left(line.quantity)
    }

    pub(super) fn line_history(&self, line: &OrderLine) -> LineHistory {
        self.facts.line_history.get(&line.sku).cloned().unwrap_or_default()
    }

    pub(super) fn current_line<'o>(&self, order: &'o Order) -> Option<&'o OrderLine> {
        self.state.draft.sku.as_deref().and_then(|sku| order.line(sku))
    }

    /// The reasons that fit the chosen item at the order's stage.
    pub(super) fn reasons(&self, order: &Order) -> Vec<Reason> {
        let Some(line) = self.current_line(order) else { return Vec::new() };
        policy::reasons_for(order.stage(), &self.facts.setup.policy.category(&line.category))
    }
}
