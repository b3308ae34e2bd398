#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

#include "core/sha256.h"
#include "sinks/dead_letter_fit.h"

using namespace vigil;

namespace {

KafkaHeaders error_headers(std::string detail = "value: not JSON") {
  return {{"vigil.error.reason", "not_json"}, {"vigil.error.detail", std::move(detail)},
          {"vigil.error.topic", "vigil.events"}, {"vigil.error.partition", "0"},
          {"vigil.error.offset", "7"}};
}

std::map<std::string, std::string> as_map(const KafkaHeaders& headers) {
  return {headers.begin(), headers.end()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dead_letter_fit_test)

BOOST_AUTO_TEST_CASE(a_record_that_fits_goes_unchanged) {
  const std::string value(1000, 'v');
  const auto fitted = fit_dead_letter("k", value, error_headers(), kKafkaDefaultMaxMessageBytes);
  BOOST_TEST(!fitted.truncated);
  BOOST_TEST(fitted.key == "k");
  BOOST_TEST(fitted.value.size() == 1000u);
  BOOST_TEST(fitted.headers.size() == 5u);
}

// The contract's 1 MiB does not fit Kafka's default topic limit once key,
// headers and framing are added: the copy is cut and says what it was.
BOOST_AUTO_TEST_CASE(a_one_mebibyte_value_is_cut_with_its_length_and_hash) {
  const std::string value(size_t{1} << 20, 'v');
  const auto fitted = fit_dead_letter("k", value, error_headers(), kKafkaDefaultMaxMessageBytes);
  BOOST_TEST(fitted.truncated);
  BOOST_TEST(fitted.key == "k");
  BOOST_TEST(fitted.value.size() < value.size());
  BOOST_TEST(fitted.value.size() > 1000000u);
  BOOST_TEST(value.starts_with(fitted.value));
  auto h = as_map(fitted.headers);
  BOOST_TEST(h["vigil.original.length"] == "1048576");
  BOOST_TEST(h["vigil.original.sha256"] == sha256_hex(value));
  BOOST_TEST(h.count("vigil.original.key_length") == 0u);
  BOOST_TEST(estimated_record_bytes(fitted.key, fitted.value, fitted.headers) <= kKafkaDefaultMaxMessageBytes);
}

// A smaller topic limit, a long key and a long detail: everything is cut to fit.
BOOST_AUTO_TEST_CASE(key_and_headers_are_cut_for_a_small_topic) {
  const std::string value(300000, 'v');
  const std::string key(10000, 'k');
  const auto fitted = fit_dead_letter(key, value, error_headers(std::string(5000, 'd')), 100000);
  BOOST_TEST(fitted.truncated);
  BOOST_TEST(fitted.key.size() == 4096u);
  auto h = as_map(fitted.headers);
  BOOST_TEST(h["vigil.error.detail"].size() == 1024u);
  BOOST_TEST(h["vigil.original.length"] == "300000");
  BOOST_TEST(h["vigil.original.key_length"] == "10000");
  BOOST_TEST(h["vigil.original.key_sha256"] == sha256_hex(key));
  BOOST_TEST(estimated_record_bytes(fitted.key, fitted.value, fitted.headers) <= 100000u);
  BOOST_TEST(fitted.value.size() > 90000u);
}

// Just at the limit, as estimated: kept whole; one byte more: cut.
BOOST_AUTO_TEST_CASE(the_limit_is_the_estimate) {
  const auto headers = error_headers();
  const size_t limit = 200000;
  std::string value(150000, 'v');
  while (estimated_record_bytes("k", value + "v", headers) <= limit) value.push_back('v');
  BOOST_TEST(!fit_dead_letter("k", value, headers, limit).truncated);
  value.push_back('v');
  BOOST_TEST(fit_dead_letter("k", value, headers, limit).truncated);
}

BOOST_AUTO_TEST_SUITE_END()
