//! GraphiQL from the binary's own assets, so it works offline: the page, its start script and
//! pinned UMD builds of GraphiQL 3.8.2 and React 18.3.1, gzipped (`gateway/assets/graphiql/update`
//! refreshes them).

/// The page served at `GET /graphql` to a browser (development only).
pub(crate) const PAGE: &str = include_str!("../../assets/graphiql/index.html");

/// An asset under `/graphiql/`: its bytes, content type, and whether they are gzipped.
pub(crate) fn asset(name: &str) -> Option<(&'static [u8], &'static str, bool)> {
    const JS: &str = "text/javascript; charset=utf-8";
    Some(match name {
        "graphiql.min.js" => (include_bytes!("../../assets/graphiql/graphiql.min.js.gz"), JS, true),
        "graphiql.min.css" => {
            (include_bytes!("../../assets/graphiql/graphiql.min.css.gz"), "text/css; charset=utf-8", true)
        }
        "react.production.min.js" => {
            (include_bytes!("../../assets/graphiql/react.production.min.js.gz"), JS, true)
        }
        "react-dom.production.min.js" => {
            (include_bytes!("../../assets/graphiql/react-dom.production.min.js.gz"), JS, true)
        }
        "start.js" => (include_bytes!("../../assets/graphiql/start.js"), JS, false),
        _ => return None,
    })
}
