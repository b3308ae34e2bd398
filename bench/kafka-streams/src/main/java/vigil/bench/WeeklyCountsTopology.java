package vigil.bench;

import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Weekly counts of reports per category x organisation, written to the
 * output topic as a changelog: key "category|org|YYYY-Www", value the
 * count (8-byte big-endian long), the latest record per key being the
 * current count.
 *
 * <p>Two ways to count:
 * <ul>
 *   <li>{@link Mode#LATEST_REVISION} counts each report once, as Vigil does:
 *       a table of each report's latest revision (keyed by report id, which
 *       is the record key producers must use, so no repartition), an equal or
 *       older revision ignored, regrouped by week key and counted; a later
 *       revision that moves a report moves its count (the table's subtract
 *       and add).
 *   <li>{@link Mode#EVERY_EVENT} counts every valid record, re-sends and
 *       revisions included: the least a count can do, the stream's upper
 *       bound.
 * </ul>
 */
public final class WeeklyCountsTopology {
  public enum Mode { LATEST_REVISION, EVERY_EVENT }

  private WeeklyCountsTopology() {}

  public static Topology build(String inputTopic, String outputTopic, Mode mode, EventParser parser) {
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, ReportRevision> reports = builder
        .stream(inputTopic, Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .flatMapValues(value -> parser.parse(value).map(List::of).orElse(List.of()));
    KTable<String, Long> counts = switch (mode) {
      case LATEST_REVISION -> reports
          .groupByKey(Grouped.with(Serdes.String(), new JsonSerde<>(ReportRevision.class)))
          .reduce((current, next) -> next.revision() > current.revision() ? next : current,
                  Materialized.as("latest-revision"))
          .groupBy((id, report) -> KeyValue.pair(report.countKey(), report.countKey()),
                   Grouped.with("by-week-key", Serdes.String(), Serdes.String()))
          .count(Materialized.as("weekly-counts"));
      case EVERY_EVENT -> reports
          .groupBy((id, report) -> report.countKey(),
                   Grouped.with("by-week-key", Serdes.String(), new JsonSerde<>(ReportRevision.class)))
          .count(Materialized.as("weekly-counts"));
    };
    counts.toStream().to(outputTopic, Produced.with(Serdes.String(), Serdes.Long()));
    return builder.build();
  }
}
