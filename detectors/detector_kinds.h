// The registration table of detector kinds: one row per kind, here and
// nowhere else. Each row's configuration struct derives from DetectorKind
// (detectors/detector.h), which names its `type:` in the configuration
// (kType), the detector it builds (Detector, whose static create(config,
// partition, column family) the factory calls) and the method its signals
// carry (signal_method()). The configuration reader
// (config/detector_list_config.cc) and the factory (detector_factory.cc)
// walk this list, so a kind without a parser or a factory does not compile.
//
// A new kind of detector: its file pair in detectors/, its parser in config/
// (an overload of parse_detector in config/detector_parsers.h), one row here.
#pragma once

#include <variant>

#include "detectors/count_detector.h"
#include "detectors/disproportionality_detector.h"
#include "detectors/funnel_detector.h"
#include "detectors/inequality_detector.h"
#include "detectors/severity_rule.h"
#include "detectors/tree_scan.h"
#include "detectors/space_time_scan.h"
#include "detectors/text_cluster.h"
#include "detectors/reporting_silence.h"
#include "detectors/volume_drop.h"

namespace vigil {

using DetectorConfig = std::variant<  //
    CountDetectorConfig,              // type: count (EARS, farringtonFlexible)
    SeverityRuleConfig,               // type: severity_rule
    VolumeDropConfig,                 // type: volume_drop
    ReportingSilenceConfig,           // type: reporting_silence
    FunnelConfig,                     // type: funnel
    InequalityConfig,                 // type: inequality
    DisproportionalityConfig,         // type: disproportionality
    TreeScanConfig,                   // type: tree_scan
    SpaceTimeScanConfig,              // type: space_time_scan
    TextClusterConfig>;               // type: text_cluster

}  // namespace vigil
