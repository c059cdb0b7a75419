//! The page's files, embedded at build time: the server reads nothing from
//! disk, and no path a request gives can reach anything but these.

/// One embedded file.
pub struct Asset {
    pub body: &'static str,
    pub content_type: &'static str,
}

/// The file served at `path`, if any.
pub fn get(path: &str) -> Option<Asset> {
    let (body, content_type) = match path {
        "/" | "/index.html" => (
            include_str!("assets/index.html"),
            "text/html; charset=utf-8",
        ),
        "/assets/app.css" => (include_str!("assets/app.css"), "text/css; charset=utf-8"),
        "/assets/app.js" => (
            include_str!("assets/app.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return None,
    };
    Some(Asset { body, content_type })
}
