package io.functionsbridge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's route table is each route's id, file and {@code description}, word for word: one place for each fact. */
class ReadmeRoutesTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z-]+)` \\| (.+) \\| `([a-z-]+\\.camel\\.yaml)` \\|$", Pattern.MULTILINE);

    @Test
    void theReadmesRouteTableIsTheRoutesDescriptions() throws IOException {
        Map<String, String> shipped = new TreeMap<>();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                for (JsonNode item : yaml.readTree(file.toFile())) {
                    JsonNode route = item.get("route");
                    if (route != null) {
                        shipped.put(route.path("id").asText(), route.path("description").asText() + " (" + file.getFileName() + ")");
                    }
                }
            }
        }
        Map<String, String> documented = new TreeMap<>();
        Matcher row = ROW.matcher(Files.readString(Path.of("README.md")));
        while (row.find()) {
            documented.put(row.group(1), row.group(2) + " (" + row.group(3) + ")");
        }
        assertThat(shipped).as("every route has a description").allSatisfy((id, description) -> assertThat(description).doesNotStartWith(" ("));
        assertThat(documented).isEqualTo(shipped);
    }
}
