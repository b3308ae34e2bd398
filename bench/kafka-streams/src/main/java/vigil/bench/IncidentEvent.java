package vigil.bench;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The fields of an incident event v1 (shared/contracts, section 1) that a
 * weekly count per category and organisation needs. Every other field is
 * ignored, as the contract asks of readers; absent fields are null.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record IncidentEvent(
    String id,
    Integer revision,
    @JsonProperty("reported_at") String reportedAt,
    @JsonProperty("occurred_on") String occurredOn,
    String org,
    @JsonProperty("record_type") String recordType,
    String category) {}
