#include "app/demo_reference_names.h"

#include <string>

#include "synthetic/catalogue.h"

namespace vigil {

void add_synthetic_names(ReferenceNames& names) {
  using namespace synthetic;
  const Catalogue& catalogue = Catalogue::get();
  for (const Region& r : catalogue.regions()) names.add("region", std::string(r.code), std::string(r.name));
  for (const Icb& icb : catalogue.icbs()) names.add("icb", std::string(icb.code), std::string(icb.name));
  // Synthetic organisations have codes but no names: describe them by kind
  // and place, which is what a reviewer would want to know first.
  for (const Organisation& org : catalogue.orgs()) {
    names.add("org", org.code,
              std::string(slug(org.kind)) + " in " + std::string(catalogue.icbs()[org.icb].name));
  }
  for (const MedicationInfo& m : catalogue.medications()) names.add("medication", m.code, std::string(m.name));
  for (const DeviceModel& d : catalogue.device_models()) {
    names.add("device", d.code,
              std::string(d.manufacturer) + " " + std::string(d.model) + " (" +
                  std::string(catalogue.device_types()[d.type].name) + ")");
  }
}

}  // namespace vigil
