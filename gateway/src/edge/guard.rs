//! Checks on a parsed GraphQL document before it runs: how many fields and aliases it asks for
//! (so a 10,000-alias query is refused before any resolver), whether it holds a mutation, and
//! what it costs against the caller's rate limit (every mutation field counts, weighted).

use std::collections::HashSet;

use crate::graphql::error::Code;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};

/// What operations cost against a rate-limit bucket, in points.
pub mod cost {
    /// A query or subscription operation, whatever it selects (its size is capped apart).
    pub const READ: u32 = 1;
    /// Each mutation field that changes an order, stock or a review.
    pub const MUTATION: u32 = 5;
    /// Each `placeOrder` or `authorizePayment` field: they reserve stock or reach the payment
    /// provider, the two resources a stranger would exhaust.
    pub const EXPENSIVE_MUTATION: u32 = 20;
    /// The mutation fields that cost [`EXPENSIVE_MUTATION`].
    pub const EXPENSIVE: &[&str] = &["placeOrder", "authorizePayment"];
}

/// Most aliased fields in one document.
pub const MAX_ALIASES: usize = 100;
/// Most field selections in one document (operations and fragments together).
pub const MAX_FIELDS: usize = 1_000;

/// What a document asks for, counted before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Shape {
    pub fields: usize,
    pub aliases: usize,
    /// Whether any operation in the document is a mutation.
    pub mutates: bool,
    /// What running it may cost, in [`cost`] points: every mutation field of every mutation
    /// operation (aliases and fragments included), at least [`cost::READ`].
    pub cost: u32,
}

impl Shape {
    pub(crate) fn of(document: &ExecutableDocument) -> Shape {
        let mut shape = Shape::default();
        let operations: Vec<_> = match &document.operations {
            DocumentOperations::Single(op) => vec![&op.node],
            DocumentOperations::Multiple(ops) => ops.values().map(|op| &op.node).collect(),
        };
        shape.mutates = operations.iter().any(|op| op.ty == OperationType::Mutation);
        let mut mutation_cost = 0u32;
        for op in operations.iter().filter(|op| op.ty == OperationType::Mutation) {
            let mut seen = HashSet::new();
            mutation_cost =
                mutation_cost.saturating_add(root_cost(document, &op.selection_set.node, &mut seen));
        }
        shape.cost = mutation_cost.max(cost::READ);
        let mut pending: Vec<_> = operations.iter().map(|op| &op.selection_set.node).collect();
        pending.extend(document.fragments.values().map(|f| &f.node.selection_set.node));
        while let Some(set) = pending.pop() {
            for item in &set.items {
                match &item.node {
                    Selection::Field(field) => {
                        shape.fields += 1;
                        shape.aliases += usize::from(field.node.alias.is_some());
                        pending.push(&field.node.selection_set.node);
                    }
                    Selection::InlineFragment(fragment) => pending.push(&fragment.node.selection_set.node),
                    Selection::FragmentSpread(_) => {}
                }
            }
        }
        shape
    }

    /// Why the document is refused, if it is: `(code, message)`.
    pub(crate) fn refusal(&self) -> Option<(Code, String)> {
        if self.aliases > MAX_ALIASES {
            return Some((
                Code::TooManyAliases,
                format!("the document has {} aliases; at most {MAX_ALIASES} are allowed", self.aliases),
            ));
        }
        if self.fields > MAX_FIELDS {
            return Some((
                Code::TooManyFields,
                format!("the document selects {} fields; at most {MAX_FIELDS} are allowed", self.fields),
            ));
        }
        None
    }
}

/// The cost of a mutation's root fields, following fragments at the root (each fragment once:
/// the document is not validated yet, so a fragment cycle must not loop).
fn root_cost<'a>(
    document: &'a ExecutableDocument,
    set: &'a SelectionSet,
    seen: &mut HashSet<&'a str>,
) -> u32 {
    let mut total = 0u32;
    for item in &set.items {
        let add = match &item.node {
            Selection::Field(field) => {
                if cost::EXPENSIVE.contains(&field.node.name.node.as_str()) {
                    cost::EXPENSIVE_MUTATION
                } else if field.node.name.node.as_str() == "__typename" {
                    0
                } else {
                    cost::MUTATION
                }
            }
            Selection::InlineFragment(fragment) => {
                root_cost(document, &fragment.node.selection_set.node, seen)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                match document.fragments.get(&spread.node.fragment_name.node) {
                    Some(fragment) if seen.insert(name) => {
                        root_cost(document, &fragment.node.selection_set.node, seen)
                    }
                    _ => 0,
                }
            }
        };
        total = total.saturating_add(add);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(query: &str) -> Shape {
        Shape::of(&async_graphql::parser::parse_query(query).unwrap())
    }

    #[test]
    fn fields_aliases_and_fragments_are_all_counted() {
        let s = shape(
            "query { a: product(sku: \"X\") { name ...F } b: product(sku: \"Y\") { ... on Product { sku } } } fragment F on Product { sku name }",
        );
        assert_eq!(s, Shape { fields: 6, aliases: 2, mutates: false, cost: cost::READ });
    }

    #[test]
    fn a_mutation_anywhere_in_the_document_counts() {
        assert!(
            shape("query A { __typename } mutation B { voidPayment(orderId: \"x\") { replayed } }").mutates
        );
        assert!(!shape("{ __typename }").mutates);
    }

    #[test]
    fn every_mutation_field_costs_and_placing_orders_costs_most() {
        let forty = (0..40)
            .map(|i| format!("o{i}: placeOrder(input: $i) {{ replayed }}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            shape(&format!("mutation($i: PlaceOrderInput!) {{ {forty} }}")).cost,
            40 * cost::EXPENSIVE_MUTATION
        );
        let mixed = "mutation { a: voidPayment(orderId: \"x\") { replayed } ...F ... on MutationRoot { authorizePayment(orderId: \"x\", token: \"t\") { replayed } } }
                     fragment F on MutationRoot { b: voidPayment(orderId: \"y\") { replayed } ...F }";
        assert_eq!(
            shape(mixed).cost,
            2 * cost::MUTATION + cost::EXPENSIVE_MUTATION,
            "fragments counted once each"
        );
        assert_eq!(shape("subscription { orderUpdated(orderId: \"x\") { seq } }").cost, cost::READ);
    }

    #[test]
    fn too_many_aliases_are_refused_with_a_code() {
        let query = format!(
            "{{ {} }}",
            (0..=MAX_ALIASES).map(|i| format!("a{i}: __typename")).collect::<Vec<_>>().join(" ")
        );
        assert_eq!(shape(&query).refusal().map(|r| r.0), Some(Code::TooManyAliases));
        assert_eq!(shape("{ a: __typename }").refusal(), None);
    }
}
