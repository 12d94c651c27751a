package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;

/** JMX: the context name, stable kebab-case route ids, all listed in the README; the outcome counts. */
class JmxIntegrationTest extends BridgeIntegrationTest {

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
}
