// A small HTTP GET over libcurl for tests that talk to a real server:
// Alertmanager, and Vigil's own /metrics and /readyz.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

namespace vigil::testing {

struct HttpAnswer {
  long status = 0;  // 0: no answer
  std::string body;
};

// GET `url`, trusting `ca_file` for https when given; basic auth when
// `user` is not empty. Gives up after 5 s.
inline HttpAnswer http_get(const std::string& url, const std::string& ca_file = "",
                           const std::string& user = "", const std::string& password = "") {
  HttpAnswer answer;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return answer;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 5000L);
  if (!ca_file.empty()) curl_easy_setopt(curl.get(), CURLOPT_CAINFO, ca_file.c_str());
  if (!user.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, user.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, password.c_str());
  }
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION,
                   +[](char* data, size_t size, size_t n, void* out) {
                     static_cast<std::string*>(out)->append(data, size * n);
                     return size * n;
                   });
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer.body);
  if (curl_easy_perform(curl.get()) == CURLE_OK) {
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &answer.status);
  }
  return answer;
}

}  // namespace vigil::testing
