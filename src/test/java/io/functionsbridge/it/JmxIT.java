package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.camel.Route;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** JMX: the context name, stable kebab-case route ids, all listed in the README; the outcome counts; the consumers' state. */
class JmxIT extends AbstractBridgeIT {

    private static final Pattern KEBAB = Pattern.compile("[a-z]+(-[a-z]+)*");
    private static final Pattern README_ROUTE = Pattern.compile("^\\| `([a-z-]+)` \\|", Pattern.MULTILINE);

    @Override
    String functionsYaml() {
        return "functions: []\n";
    }

    @Test
    void everyRouteIsInJmxUnderTheContextNameWithAKebabCaseIdListedInTheReadme() throws Exception {
        assertThat(bridge.context().getName()).isEqualTo("functions-bridge");
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<String> jmxRoutes = new TreeSet<>();
        for (ObjectName name : server.queryNames(new ObjectName("org.apache.camel:context=functions-bridge,type=routes,*"), null)) {
            jmxRoutes.add((String) server.getAttribute(name, "RouteId"));
        }
        Set<String> routes = new TreeSet<>();
        for (Route route : bridge.context().getRoutes()) {
            routes.add(route.getRouteId());
        }
        assertThat(jmxRoutes).isEqualTo(routes);
        assertThat(routes).allMatch(id -> KEBAB.matcher(id).matches(), "kebab-case");

        Set<String> documented = new TreeSet<>();
        Matcher matcher = README_ROUTE.matcher(Files.readString(Path.of("README.md")));
        while (matcher.find()) {
            documented.add(matcher.group(1));
        }
        assertThat(documented).as("README route table").isEqualTo(routes);
    }

    @Test
    void theOutcomeCountsAreInJmx() throws Exception {
        handled(1, () -> kafka.send(bridge.events, "jmx-1", "{broken"));
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName outcomes = new ObjectName("io.functionsbridge:type=Outcomes");
        assertThat((Long) server.getAttribute(outcomes, "Events")).isGreaterThanOrEqualTo(1L);
        assertThat(server.getAttribute(outcomes, "DeadLetters").toString()).contains("MALFORMED_JSON");
    }

    @Test
    void theConsumersInFlightReadAheadAndOffsetsAreInJmx() throws Exception {
        handled(1, () -> kafka.send(bridge.events, "jmx-2", "{broken"));
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName consumer = server.queryNames(new ObjectName("org.apache.camel:context=functions-bridge,type=consumers,*"), null).stream()
                .filter(name -> "consume-conversation-events".equals(attribute(server, name, "RouteId")))
                .findFirst().orElseThrow();
        assertThat(server.getAttribute(consumer, "MaxInFlight"))
                .isEqualTo(Integer.valueOf(bridge.context().resolvePropertyPlaceholders("{{bridge.max-in-flight}}")));
        assertThat(server.getAttribute(consumer, "MaxBuffered"))
                .isEqualTo(Integer.valueOf(bridge.context().resolvePropertyPlaceholders("{{bridge.max-buffered}}")));
        assertThat(server.getAttribute(consumer, "Paused")).isEqualTo(false);
        // the dead letter is written, so its offset is finished and, soon, committed
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(server.getAttribute(consumer, "Running")).isEqualTo(0);
            assertThat(server.getAttribute(consumer, "Buffered")).isEqualTo(0);
            assertThat((String) server.getAttribute(consumer, "CommittedOffsets")).matches("\\{[0-9]+=[1-9][0-9]*(, [0-9]+=[0-9]+)*}");
            assertThat(server.getAttribute(consumer, "SafeOffsets")).isEqualTo(server.getAttribute(consumer, "CommittedOffsets"));
        });
    }

    private static Object attribute(MBeanServer server, ObjectName name, String attribute) {
        try {
            return server.getAttribute(name, attribute);
        } catch (Exception e) {
            return null;
        }
    }
}
