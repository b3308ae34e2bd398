#include "config/detector_parsers.h"

#include "config/detector_fields.h"
#include "config/yaml_reader.h"

namespace vigil::config {
namespace {

GammaMixturePrior parse_prior(const YAML::Node& node, const std::string& path) {
  check_keys(node, path, {"alpha1", "beta1", "alpha2", "beta2", "p"});
  GammaMixturePrior prior{};
  for (const char* k : {"alpha1", "beta1", "alpha2", "beta2", "p"}) {
    if (!node[k]) fail(path + "." + k, "is required");
  }
  read(node, path, "alpha1", prior.alpha1);
  read(node, path, "beta1", prior.beta1);
  read(node, path, "alpha2", prior.alpha2);
  read(node, path, "beta2", prior.beta2);
  read(node, path, "p", prior.p);
  return prior;
}

}  // namespace

void parse_detector(const YAML::Node& node, const std::string& path, DisproportionalityConfig& c) {
  check_keys(node, path,
             {"name", "type", "item", "population", "outcome", "method", "criterion", "prior",
              "prior_start", "window_weeks", "grace_days", "severity", "lifecycle"});
  c.name = scalar<std::string>(node["name"], path + ".name");
  if (!node["item"]) fail(path + ".item", "is required");
  c.item = parse_one_dimension(node["item"], path + ".item");
  if (node["population"]) c.population = parse_filter(node["population"], path + ".population");
  if (!node["outcome"]) fail(path + ".outcome", "is required");
  c.outcome = parse_filter(node["outcome"], path + ".outcome");
  if (node["method"]) {
    const auto m = scalar<std::string>(node["method"], path + ".method");
    const auto method = parse_disproportionality_method(m);
    if (!method) fail(path + ".method", "must be one of prr, ror, ic, ebgm");
    c.method = *method;
  }
  if (const auto cr = node["criterion"]) {
    const std::string p = path + ".criterion";
    check_keys(cr, p, {"min_count", "prr", "chi2", "ror_lower", "ic025", "eb05", "ebgm"});
    read(cr, p, "min_count", c.min_count);
    read(cr, p, "prr", c.prr);
    read(cr, p, "chi2", c.chi2);
    read(cr, p, "ror_lower", c.ror_lower);
    read(cr, p, "ic025", c.ic025);
    read(cr, p, "eb05", c.eb05);
    read(cr, p, "ebgm", c.ebgm);
  }
  if (const auto prior = node["prior"]) {
    if (prior.IsScalar()) {
      if (prior.as<std::string>() != "estimate") fail(path + ".prior", "must be 'estimate' or a mapping");
    } else {
      c.prior = parse_prior(prior, path + ".prior");
    }
  }
  if (node["prior_start"]) c.prior_start = parse_prior(node["prior_start"], path + ".prior_start");
  c.window = parse_window(node, path);
}

}  // namespace vigil::config
