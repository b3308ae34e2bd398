package vigil.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams peer of Vigil's weekly count detectors (issue 17, target
 * 3). Options, each "--name value":
 *   --bootstrap-servers B     (required)
 *   --application-id ID       consumer group and internal topics' prefix (default vigil-bench-streams)
 *   --input-topic T           (default vigil.events)
 *   --output-topic T          (default vigil-bench-streams.counts)
 *   --state-dir DIR           RocksDB stores (default /tmp/kafka-streams)
 *   --mode latest-revision|every-event   see WeeklyCountsTopology (default latest-revision)
 *   --threads N               num.stream.threads (default 2, this machine's cores)
 *   --commit-interval-ms MS   (default 1000, Vigil's commit.max_interval_ms)
 *   --exit-when-drained true  exit once everything is consumed and committed
 * Once drained it prints one line on stdout:
 *   drained_at_ms=EPOCH_MS valid=N invalid=N
 * and, with --exit-when-drained, closes and exits 0. Exit 1 on an error.
 */
public final class WeeklyCountsApp {
  private WeeklyCountsApp() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parseOptions(args);
    String bootstrap = required(options, "bootstrap-servers");
    String applicationId = options.getOrDefault("application-id", "vigil-bench-streams");
    String inputTopic = options.getOrDefault("input-topic", "vigil.events");
    String outputTopic = options.getOrDefault("output-topic", "vigil-bench-streams.counts");
    WeeklyCountsTopology.Mode mode = WeeklyCountsTopology.Mode.valueOf(
        options.getOrDefault("mode", "latest-revision").toUpperCase(Locale.ROOT).replace('-', '_'));
    boolean exitWhenDrained = Boolean.parseBoolean(options.getOrDefault("exit-when-drained", "false"));

    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    config.put(StreamsConfig.STATE_DIR_CONFIG, options.getOrDefault("state-dir", "/tmp/kafka-streams"));
    config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, options.getOrDefault("threads", "2"));
    config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, options.getOrDefault("commit-interval-ms", "1000"));
    // Read the topic from its start, as Vigil's new group does.
    config.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

    Properties adminConfig = new Properties();
    adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(adminConfig)) {
      createOutputTopic(admin, outputTopic);
    }

    EventParser parser = new EventParser();
    KafkaStreams streams = new KafkaStreams(
        WeeklyCountsTopology.build(inputTopic, outputTopic, mode, parser), config);
    streams.setUncaughtExceptionHandler(error -> {
      System.err.println("weekly-counts: " + error);
      System.exit(1);
      return null;  // never reached
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(Duration.ofSeconds(30))));
    streams.start();

    try (Admin admin = Admin.create(adminConfig)) {
      DrainMonitor monitor = new DrainMonitor(admin, applicationId, inputTopic);
      while (monitor.notDrained() != null) Thread.sleep(100);
      System.out.printf("drained_at_ms=%d valid=%d invalid=%d%n",
          System.currentTimeMillis(), parser.validEvents(), parser.invalidEvents());
      System.out.flush();
    }
    if (exitWhenDrained) {
      streams.close(Duration.ofSeconds(30));
      System.exit(0);
    }
  }

  // With the broker's default partitions and replication, so that the counts'
  // producer never depends on automatic topic creation.
  private static void createOutputTopic(Admin admin, String name) throws Exception {
    try {
      admin.createTopics(List.of(new NewTopic(name, Optional.empty(), Optional.empty()))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw e;
    }
  }

  private static Map<String, String> parseOptions(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) usage("bad option " + args[i]);
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) usage("--" + name + " is required");
    return value;
  }

  private static void usage(String why) {
    System.err.println("weekly-counts: " + why + " (see WeeklyCountsApp.java for the options)");
    System.exit(2);
  }
}
