#include "kafka/client_conf.h"

namespace vigil {

Result<std::unique_ptr<RdKafka::Conf>> make_kafka_conf(const std::map<std::string, std::string>& props) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [k, v] : props) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      return make_error(ErrorKind::kInvalidArgument, "kafka property " + k + ": " + err);
    }
  }
  return conf;
}

}  // namespace vigil
