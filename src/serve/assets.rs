//! The page's files, built into the binary: looked up by exact name in a fixed table,
//! so no request path can reach anything else (no file system, no `..`).

/// One embedded file: its path on the server, content type and bytes.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset { path: "/", content_type: "text/html; charset=utf-8", body: include_bytes!("assets/index.html") },
    Asset {
        path: "/assets/app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("assets/app.js"),
    },
    Asset {
        path: "/assets/style.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("assets/style.css"),
    },
];

/// The embedded file served at `path` (exactly), with its content type.
pub fn lookup(path: &str) -> Option<(&'static str, &'static [u8])> {
    ASSETS.iter().find(|a| a.path == path).map(|a| (a.content_type, a.body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listed_paths_are_served() {
        assert!(lookup("/").is_some());
        assert!(lookup("/assets/app.js").is_some());
        for bad in ["/assets/../Cargo.toml", "/assets/", "/assets/app.js/", "/index.html", "//"] {
            assert!(lookup(bad).is_none(), "{bad}");
        }
    }
}
