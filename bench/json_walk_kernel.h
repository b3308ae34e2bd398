// The body of the JSON walker, compiled once per kernel by json_walk_<kernel>.cc
// (see ingest/json_kernel.h).
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "bench/json_walk.h"
#include "ingest/json_kernel.h"

namespace vigil::VIGIL_JSON_KERNEL {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

class KernelJsonWalker final : public JsonWalker {
 public:
  bool walk(std::string_view document) override {
    // The same padded copy the event decoder makes, so the two compare fairly.
    if (text_.size() < document.size() + simdjson::SIMDJSON_PADDING) {
      text_.resize(document.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(text_.data(), document.data(), document.size());
    std::memset(text_.data() + document.size(), 0, simdjson::SIMDJSON_PADDING);
    od::document doc;
    if (parser_.iterate(text_.data(), document.size(), text_.size()).get(doc)) return false;
    od::value root;
    if (doc.get_value().get(root) || visit(root)) return false;
    // current_location() fails only at the end of the input.
    return doc.current_location().error() != simdjson::SUCCESS;
  }

 private:
  error_code visit(od::value& value) {
    od::json_type type;
    if (const error_code e = value.type().get(type)) return e;
    switch (type) {
      case od::json_type::object: {
        od::object object;
        if (const error_code e = value.get_object().get(object)) return e;
        for (auto field : object) {
          std::string_view key;
          if (const error_code e = field.unescaped_key().get(key)) return e;
          od::value member;
          if (const error_code e = field.value().get(member)) return e;
          ++values_;
          if (const error_code e = visit(member)) return e;
        }
        return simdjson::SUCCESS;
      }
      case od::json_type::array: {
        od::array array;
        if (const error_code e = value.get_array().get(array)) return e;
        for (auto item : array) {
          od::value element;
          if (const error_code e = item.get(element)) return e;
          if (const error_code e = visit(element)) return e;
        }
        return simdjson::SUCCESS;
      }
      case od::json_type::string: {
        std::string_view text;
        ++values_;
        return value.get_string().get(text);
      }
      case od::json_type::number: {
        double number;
        ++values_;
        return value.get_double().get(number);
      }
      case od::json_type::boolean: {
        bool flag;
        ++values_;
        return value.get_bool().get(flag);
      }
      case od::json_type::null: {
        bool is_null = false;
        ++values_;
        if (const error_code e = value.is_null().get(is_null)) return e;
        return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
      }
    }
    return simdjson::TAPE_ERROR;
  }

  od::parser parser_;
  std::vector<char> text_;
};

}  // namespace

std::unique_ptr<JsonWalker> make_json_walker() { return std::make_unique<KernelJsonWalker>(); }

}  // namespace vigil::VIGIL_JSON_KERNEL
