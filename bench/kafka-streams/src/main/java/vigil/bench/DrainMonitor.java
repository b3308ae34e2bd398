package vigil.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Whether the application has consumed and committed everything: the
 * consumer group's (the application id's) committed offset is at the end of
 * every partition of the input topic and of the application's repartition
 * topics. Under exactly_once_v2 the offsets commit in the same transaction as
 * the counts they led to, so drained also means every count is on the output
 * topic, visible to read_committed readers.
 */
public final class DrainMonitor {
  private final Admin admin;
  private final String applicationId;
  private final String inputTopic;

  public DrainMonitor(Admin admin, String applicationId, String inputTopic) {
    this.admin = admin;
    this.applicationId = applicationId;
    this.inputTopic = inputTopic;
  }

  /** Null when drained, else the first partition that is not, and why. */
  public String notDrained() throws ExecutionException, InterruptedException {
    List<String> topics = new ArrayList<>(List.of(inputTopic));
    String internalPrefix = applicationId + "-";
    for (String name : admin.listTopics().names().get()) {
      if (name.startsWith(internalPrefix) && name.endsWith("-repartition")) topics.add(name);
    }
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get().values()) {
      for (TopicPartitionInfo partition : topic.partitions()) {
        latest.put(new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest());
      }
    }
    var ends = admin.listOffsets(latest).all().get();
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
    for (TopicPartition partition : latest.keySet()) {
      long end = ends.get(partition).offset();
      OffsetAndMetadata at = committed.get(partition);
      long offset = at == null ? 0 : at.offset();
      if (offset < end) return partition + ": committed " + offset + " of " + end;
    }
    return null;
  }
}
