//! One parsed log line: byte slices into the line (or into the JSON scratch), nothing copied.

/// Few named cookies, arguments or headers per format: a fixed array, no allocation per line.
pub const MAX_NAMED: usize = 8;

#[derive(Debug, Clone, Copy, Default)]
pub struct Named<'a> {
    pub items: [(&'a [u8], &'a [u8]); MAX_NAMED],
    pub len: usize,
}

impl<'a> Named<'a> {
    pub fn push(&mut self, name: &'a [u8], value: &'a [u8]) {
        if self.len < MAX_NAMED {
            self.items[self.len] = (name, value);
            self.len += 1;
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + '_ {
        self.items[..self.len].iter().copied()
    }
}

/// What the rules need of a request. Empty slices mean "not in this line".
#[derive(Debug, Clone, Copy, Default)]
pub struct Fields<'a> {
    pub addr: &'a [u8],
    /// The authenticated user (`$remote_user`, or the app's user column); `-` is normalised to empty.
    pub user: &'a [u8],
    /// Unix seconds.
    pub time: Option<i64>,
    pub method: &'a [u8],
    /// Path and query, as requested.
    pub target: &'a [u8],
    pub status: u16,
    pub referer: &'a [u8],
    pub agent: &'a [u8],
    /// The whole Cookie header (`$http_cookie`).
    pub cookie_header: &'a [u8],
    /// `$cookie_NAME` columns.
    pub cookies: Named<'a>,
    /// `$arg_NAME` columns.
    pub args: Named<'a>,
    /// `$http_NAME` columns other than the known ones (`x_session_token`), and `authorization`.
    pub headers: Named<'a>,
    /// The response's Set-Cookie (`$upstream_http_set_cookie`, `$sent_http_set_cookie`).
    pub set_cookie: &'a [u8],
}

/// `-` and `""` are how nginx and Apache write an absent value.
#[inline]
pub fn present(v: &[u8]) -> &[u8] {
    if v.len() == 1 && v[0] == b'-' {
        &v[..0]
    } else {
        v
    }
}
