// What both civetweb servers (telemetry/http_endpoints.cc, the metrics and
// health port, and web/review_app.cc, the review application) do against
// hostile or merely slow clients. Debian's civetweb 1.15 is in the range
// of CVE-2025-55763 (1.14-1.16; see docs/hardening-civetweb.md): the
// faulty code is the directory-redirect step of civetweb's file serving,
// which a request reaches only when no request handler claims its URI and
// the URI names a directory under a document root. So:
//   - neither server sets document_root, and each claims every URI with a
//     catch-all handler that always answers (404 itself), so that step is
//     never reached;
//   - max_request_size is set explicitly, bounding the request line and
//     headers (civetweb 1.15 answers a longer request 400, unread);
//   - begin_request (reject_unsafe_request_target) refuses, before any
//     handler runs, a request target that is long, not a plain absolute
//     path, has empty or dot segments ("//", "/./", "/../": the shape of the
//     published crash input), backslashes, control characters (raw or
//     percent-encoded) or raw non-ASCII bytes;
//   - enough worker threads and a short request timeout that a few slow
//     clients cannot hold every worker and starve /healthz.
#pragma once

#include <cstddef>

struct mg_connection;

namespace vigil {

// The longest request target (path and query) either server accepts.
inline constexpr size_t kMaxRequestTargetBytes = 2048;

// civetweb's begin_request callback: answers 414 for a target longer than
// kMaxRequestTargetBytes, 400 for one refused above, and returns that status
// (civetweb then stops); returns 0 (civetweb goes on) for a sound target.
int reject_unsafe_request_target(mg_connection* conn);

// The checks themselves, on the target's path (after civetweb's
// percent-decoding, before it removes dot segments) and query (as sent):
// 0 when sound, else the status above.
int request_target_status(const char* path, const char* query);

}  // namespace vigil
