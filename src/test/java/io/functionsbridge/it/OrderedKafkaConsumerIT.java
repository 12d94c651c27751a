package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.ordering.OrderedKafkaComponent;
import io.functionsbridge.ordering.OrderedKafkaConsumer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The ordered-kafka consumer on a real broker: the read-ahead cap pauses fetching; commits wait for the slowest. */
class OrderedKafkaConsumerIT {

    @Test
    void fetchingPausesAtTheCapAndTheCommitNeverPassesAnUnfinishedRecord() throws Exception {
        String topic = "ordered-" + System.nanoTime();
        String group = topic + "-group";
        Map<Long, CountDownLatch> gates = new ConcurrentHashMap<>();
        List<Long> started = new CopyOnWriteArrayList<>();
        AtomicInteger peakBuffered = new AtomicInteger();
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers())) {
            kafka.createTopics(topic);
            for (int i = 0; i < 40; i++) {
                kafka.send(topic, "conv-" + i, "event-" + i);
                gates.put((long) i, new CountDownLatch(1));
            }
            CamelContext context = new DefaultCamelContext();
            OrderedKafkaComponent component = new OrderedKafkaComponent();
            component.setBrokers(SharedKafka.bootstrapServers());
            context.addComponent("ordered-kafka", component);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("ordered-kafka:" + topic + "?groupId=" + group + "&maxInFlight=2&maxBuffered=5&commitIntervalMs=50")
                            .routeId("gated")
                            .process(exchange -> {
                                long offset = exchange.getMessage().getHeader(KafkaConstants.OFFSET, Long.class);
                                started.add(offset);
                                gates.get(offset).await(30, TimeUnit.SECONDS);
                            });
                }
            });
            context.start();
            try {
                OrderedKafkaConsumer consumer = (OrderedKafkaConsumer) context.getRoute("gated").getConsumer();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> started.size() == 2);
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(consumer::isPaused);
                Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    peakBuffered.accumulateAndGet(consumer.getBuffered(), Math::max);
                    assertThat(consumer.getBuffered()).isLessThanOrEqualTo(5);
                    assertThat(consumer.getRunning()).isEqualTo(2);
                });

                gates.get(1L).countDown();
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> started.size() == 3);
                Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                        .untilAsserted(() -> assertThat(kafka.committed(group, topic)).as("offset 0 still runs").isLessThanOrEqualTo(0L));

                gates.get(0L).countDown();
                Awaitility.await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(kafka.committed(group, topic)).as("0 and 1 done, 2 runs").isEqualTo(2L));

                gates.values().forEach(CountDownLatch::countDown);
                Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    peakBuffered.accumulateAndGet(consumer.getBuffered(), Math::max);
                    assertThat(kafka.committed(group, topic)).isEqualTo(40L);
                });
                assertThat(started).hasSize(40);
                assertThat(consumer.isPaused()).isFalse();
                assertThat(peakBuffered.get()).isLessThanOrEqualTo(5);
            } finally {
                context.stop();
            }
        }
    }

    @Test
    void aRecordThatDoesNotFinishPausesItsPartitionOnceTheReadAheadSpansMaxSpan() throws Exception {
        String topic = "stuck-" + System.nanoTime();
        String group = topic + "-group";
        CountDownLatch stuck = new CountDownLatch(1);
        List<Long> started = new CopyOnWriteArrayList<>();
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers())) {
            kafka.createTopics(topic);
            for (int i = 0; i < 1500; i++) {
                kafka.send(topic, "conv-" + i, "event-" + i);
            }
            CamelContext context = new DefaultCamelContext();
            OrderedKafkaComponent component = new OrderedKafkaComponent();
            component.setBrokers(SharedKafka.bootstrapServers());
            context.addComponent("ordered-kafka", component);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("ordered-kafka:" + topic + "?groupId=" + group + "&maxInFlight=10&maxBuffered=100000&maxSpan=100&commitIntervalMs=50")
                            .routeId("stuck")
                            .process(exchange -> {
                                long offset = exchange.getMessage().getHeader(KafkaConstants.OFFSET, Long.class);
                                started.add(offset);
                                if (offset == 0) {
                                    stuck.await(60, TimeUnit.SECONDS);
                                }
                            });
                }
            });
            context.start();
            try {
                // what the first fetches brought is handled; past 100 offsets above the stuck record, no more is fetched
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> started.size() > 100);
                Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(started).as("records read while offset 0 does not finish").hasSizeLessThan(1500));
                assertThat(kafka.committed(group, topic)).as("the commit waits for offset 0").isLessThanOrEqualTo(0L);

                stuck.countDown();
                Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(started).hasSize(1500);
                    assertThat(kafka.committed(group, topic)).isEqualTo(1500L);
                });
            } finally {
                context.stop();
            }
        }
    }
}
