// The review application's civetweb server (web/review_app.cc) over real
// sockets: slow clients do not starve /healthz, and long or malformed
// request targets are refused before any handler (docs/hardening-civetweb.md).
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "review/reference_names.h"
#include "review/review_options.h"
#include "review/review_store.h"
#include "telemetry/civetweb_hardening.h"
#include "tests/raw_http.h"
#include "web/review_app.h"

namespace vigil {
namespace {

struct App {
  App() {
    auto opened = ReviewStore::open(":memory:", names);
    BOOST_REQUIRE(opened.is_ok());
    store = std::move(opened).value();
    options.port = 0;
    options.identity.local_reviewer = "alice";
    auto started = ReviewApp::start(options, *store, names, nullptr);
    BOOST_REQUIRE_MESSAGE(started.is_ok(), (started.is_ok() ? "" : started.error().message));
    app = std::move(started).value();
  }
  uint16_t port() const { return app->port(); }

  ReferenceNames names;
  std::unique_ptr<ReviewStore> store;
  ReviewOptions options;
  std::unique_ptr<ReviewApp> app;  // last: stopped before the store goes
};

}  // namespace

BOOST_AUTO_TEST_SUITE(review_app_test)

BOOST_AUTO_TEST_CASE(slow_clients_do_not_starve_healthz) {
  // Sixteen clients each send the start of a request and hold their
  // connection: with the old eight workers (and a 15 s request timeout)
  // they took every worker and /healthz waited 30 s behind them. The answer
  // is asserted; the 20 s is only how long the test waits before failing.
  App app;
  std::vector<std::unique_ptr<testing::SlowClient>> slow;
  for (int i = 0; i < 16; ++i) {
    slow.push_back(std::make_unique<testing::SlowClient>(app.port()));
    BOOST_TEST_REQUIRE(slow.back()->connected());
  }
  const testing::RawResponse health = testing::raw_get(app.port(), "/healthz", "", 20);
  BOOST_TEST(health.status == 200);
  BOOST_TEST(health.body == "ok");
  BOOST_TEST(testing::raw_get(app.port(), "/", "", 20).status == 200);
}

BOOST_AUTO_TEST_CASE(long_and_malformed_request_targets_are_refused) {
  App app;
  const uint16_t port = app.port();
  BOOST_TEST(testing::raw_get(port, "/" + std::string(1000, '/')).status == 400);
  BOOST_TEST(testing::raw_get(port, "/static//review.css").status == 400);
  BOOST_TEST(testing::raw_get(port, "/signals/../healthz").status == 400);
  BOOST_TEST(testing::raw_get(port, "/?text=%0d%0aSet-Cookie:x").status == 400);
  BOOST_TEST(testing::raw_get(port, "/?text=" + std::string(kMaxRequestTargetBytes, 'a')).status == 414);
  const testing::RawResponse big = testing::raw_get(
      port, "/healthz", "X-Filler: " + std::string(kReviewMaxRequestBytes, 'x') + "\r\n");
  BOOST_TEST(big.status == 400);  // civetweb 1.15's "Request Too Large"
  // A proxy's headers well inside the limit are fine, and so is the queue.
  BOOST_TEST(testing::raw_get(port, "/healthz", "X-Forwarded-Assertion: " + std::string(8000, 'x') + "\r\n").status ==
             200);
  BOOST_TEST(testing::raw_get(port, "/?severity=high&text=pump").status == 200);
  BOOST_TEST(testing::raw_get(port, "/healthz").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace vigil
