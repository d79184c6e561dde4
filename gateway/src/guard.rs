//! Checks on a parsed GraphQL document before it runs: how many fields and aliases it asks for
//! (so a 10,000-alias query is refused before any resolver), and whether it holds a mutation.

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType, Selection};

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
}

impl Shape {
    pub(crate) fn of(document: &ExecutableDocument) -> Shape {
        let mut shape = Shape::default();
        let operations: Vec<_> = match &document.operations {
            DocumentOperations::Single(op) => vec![&op.node],
            DocumentOperations::Multiple(ops) => ops.values().map(|op| &op.node).collect(),
        };
        shape.mutates = operations.iter().any(|op| op.ty == OperationType::Mutation);
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
    pub(crate) fn refusal(&self) -> Option<(&'static str, String)> {
        if self.aliases > MAX_ALIASES {
            return Some((
                "TOO_MANY_ALIASES",
                format!("the document has {} aliases; at most {MAX_ALIASES} are allowed", self.aliases),
            ));
        }
        if self.fields > MAX_FIELDS {
            return Some((
                "TOO_MANY_FIELDS",
                format!("the document selects {} fields; at most {MAX_FIELDS} are allowed", self.fields),
            ));
        }
        None
    }
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
        assert_eq!(s, Shape { fields: 6, aliases: 2, mutates: false });
    }

    #[test]
    fn a_mutation_anywhere_in_the_document_counts() {
        assert!(
            shape("query A { __typename } mutation B { voidPayment(orderId: \"x\") { replayed } }").mutates
        );
        assert!(!shape("{ __typename }").mutates);
    }

    #[test]
    fn too_many_aliases_are_refused_with_a_code() {
        let query = format!(
            "{{ {} }}",
            (0..=MAX_ALIASES).map(|i| format!("a{i}: __typename")).collect::<Vec<_>>().join(" ")
        );
        assert_eq!(shape(&query).refusal().map(|r| r.0), Some("TOO_MANY_ALIASES"));
        assert_eq!(shape("{ a: __typename }").refusal(), None);
    }
}
