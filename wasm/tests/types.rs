//! The package's TypeScript declarations are generated from ordo-core's Rust types; this test keeps them fresh.
//!
//! `ORDO_BLESS=1 cargo test -p ordo-wasm --test types` rewrites `wasm/types/ordo-core.d.ts`.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};

use ordo_core::card::CardCheck;
use ordo_core::cart::{Cart, CartCheck, Rules};
use ordo_core::catalog::Catalog;
use ordo_core::messages::{Letterhead, Message, Notice};
use ordo_core::order::{Action, Role, TimelineEntry};
use ordo_core::status::StatusView;
use ordo_core::values::{AddressInput, PostalAddress};
use ts_rs::{Config, Dependency, TS, TypeVisitor};

/// Collects the declaration of every named type reachable from the roots.
struct Collect<'a> {
    cfg: &'a Config,
    seen: HashSet<TypeId>,
    decls: BTreeMap<String, String>,
}

impl TypeVisitor for Collect<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        if Dependency::from_ty::<T>(self.cfg).is_some() {
            let decl = T::decl(self.cfg);
            let docs = T::docs().map(|d| format!("{}\n", d.trim_end())).unwrap_or_default();
            self.decls.insert(T::ident(self.cfg), format!("{docs}export {decl}"));
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

fn declarations() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut collect = Collect { cfg: &cfg, seen: HashSet::new(), decls: BTreeMap::new() };
    collect.visit::<Cart>();
    collect.visit::<Catalog>();
    collect.visit::<Rules>();
    collect.visit::<CartCheck>();
    collect.visit::<TimelineEntry>();
    collect.visit::<StatusView>();
    collect.visit::<Role>();
    collect.visit::<Action>();
    collect.visit::<AddressInput>();
    collect.visit::<PostalAddress>();
    collect.visit::<CardCheck>();
    collect.visit::<Notice>();
    collect.visit::<Letterhead>();
    collect.visit::<Message>();
    let mut out = String::from(
        "// Generated from ordo-core's Rust types by wasm/tests/types.rs. Do not edit by hand:\n\
         // run `ORDO_BLESS=1 cargo test -p ordo-wasm --test types`.\n",
    );
    for decl in collect.decls.values() {
        out.push('\n');
        out.push_str(decl.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn the_typescript_declarations_match_the_rust_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("types/ordo-core.d.ts");
    let fresh = declarations();
    if std::env::var_os("ORDO_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write the declarations");
        return;
    }
    let committed = std::fs::read_to_string(&path).expect("read the declarations");
    assert!(
        committed == fresh,
        "wasm/types/ordo-core.d.ts is stale: run ORDO_BLESS=1 cargo test -p ordo-wasm --test types"
    );
}
