package vigil.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns a Kafka record value into the report revision it counts, or nothing
 * for an invalid event. The checks are the ones this count depends on
 * (required fields present and strings, revision a non-negative integer,
 * reported_at an RFC 3339 timestamp with a zone, occurred_on a calendar
 * date), not the whole of Vigil's validation: see
 * docs/performance-kafka-streams.md. Thread-safe: Kafka Streams calls it
 * from each stream thread.
 */
public final class EventParser {
  // Scalars are not coerced (a number is not an org, "1" is not a revision),
  // as the contract's types are strict.
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .build();

  private final LongAdder valid = new LongAdder();
  private final LongAdder invalid = new LongAdder();

  public Optional<ReportRevision> parse(byte[] value) {
    Optional<ReportRevision> revision = value == null ? Optional.empty() : decode(value);
    (revision.isPresent() ? valid : invalid).increment();
    return revision;
  }

  public long validEvents() { return valid.sum(); }

  public long invalidEvents() { return invalid.sum(); }

  private static Optional<ReportRevision> decode(byte[] value) {
    final IncidentEvent event;
    try {
      event = MAPPER.readValue(value, IncidentEvent.class);
    } catch (IOException notAnEvent) {
      return Optional.empty();
    }
    if (event == null || event.id() == null || event.id().isEmpty() || event.org() == null
        || event.category() == null || event.recordType() == null || event.reportedAt() == null) {
      return Optional.empty();
    }
    int revision = event.revision() == null ? 0 : event.revision();
    if (revision < 0) return Optional.empty();
    final LocalDate occurredOn;
    try {
      OffsetDateTime reportedAt = OffsetDateTime.parse(event.reportedAt());
      // Absent: the date of reported_at in its own offset, as the contract says.
      occurredOn = event.occurredOn() == null ? reportedAt.toLocalDate() : LocalDate.parse(event.occurredOn());
    } catch (DateTimeParseException badTimestamp) {
      return Optional.empty();
    }
    return Optional.of(new ReportRevision(revision, WeekKey.of(event.category(), event.org(), occurredOn)));
  }
}
