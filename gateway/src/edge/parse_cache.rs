//! Parsed GraphQL documents by their text: clients send the same few documents over and over,
//! so each is parsed once per gateway instead of once per request.
//!
//! Bounded: documents over [`MAX_TEXT`] bytes are not kept, and when [`CAPACITY`] documents are
//! held the cache starts over (a client that sends ever-new documents only costs parsing, as
//! without a cache). Only documents that parsed are kept; the edge still checks each request's
//! shape (aliases, fields, mutations) from the document, cached or not.

use std::collections::HashMap;
use std::sync::Mutex;

use async_graphql::parser::types::ExecutableDocument;

/// Documents kept at most.
const CAPACITY: usize = 512;
/// Longest document text kept, in bytes.
const MAX_TEXT: usize = 16 * 1024;

#[derive(Default)]
pub(crate) struct ParseCache {
    documents: Mutex<HashMap<String, ExecutableDocument>>,
}

impl std::fmt::Debug for ParseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseCache").finish_non_exhaustive()
    }
}

impl ParseCache {
    /// The parsed document for `text`, if it was parsed before.
    pub(crate) fn get(&self, text: &str) -> Option<ExecutableDocument> {
        self.documents.lock().ok()?.get(text).cloned()
    }

    /// Keeps `document`, parsed from `text`.
    pub(crate) fn put(&self, text: &str, document: &ExecutableDocument) {
        if text.len() > MAX_TEXT {
            return;
        }
        if let Ok(mut documents) = self.documents.lock() {
            if documents.len() >= CAPACITY && !documents.contains_key(text) {
                documents.clear();
            }
            documents.insert(text.to_owned(), document.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(text).expect("a valid document")
    }

    #[test]
    fn a_document_parsed_once_is_served_from_the_cache_and_long_ones_are_not_kept() {
        let cache = ParseCache::default();
        let text = "query { ping }";
        assert!(cache.get(text).is_none());
        cache.put(text, &parse(text));
        assert!(cache.get(text).is_some());
        let long = format!("query {{ ping }} # {}", "x".repeat(MAX_TEXT));
        cache.put(&long, &parse(&long));
        assert!(cache.get(&long).is_none());
    }

    #[test]
    fn a_full_cache_starts_over_instead_of_growing() {
        let cache = ParseCache::default();
        for i in 0..CAPACITY {
            let text = format!("query {{ a{i}: ping }}");
            cache.put(&text, &parse(&text));
        }
        assert!(cache.get("query { a0: ping }").is_some());
        let text = "query { last: ping }";
        cache.put(text, &parse(text));
        assert!(cache.get("query { a0: ping }").is_none());
        assert!(cache.get(text).is_some());
        assert_eq!(cache.documents.lock().expect("the lock").len(), 1);
    }
}
