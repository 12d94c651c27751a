package io.functionsbridge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every shipped route file is valid against Camel's own YAML DSL schema ({@code schema/camelYamlDsl.json}
 * of camel-yaml-dsl), the one editors such as Kaoto and the Camel language servers check them with
 * (docs/contract.md, "Running it").
 */
class RouteSchemaTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static JsonSchema schema;

    @BeforeAll
    static void camelsSchema() throws IOException {
        try (InputStream json = RouteSchemaTest.class.getClassLoader().getResourceAsStream("schema/camelYamlDsl.json")) {
            assertThat(json).as("camel-yaml-dsl ships its schema").isNotNull();
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(json);
        }
    }

    static List<Path> routeFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            return files.filter(file -> file.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        }
    }

    private static Set<ValidationMessage> problems(String yaml) throws IOException {
        JsonNode routes = YAML.readTree(yaml);
        return schema.validate(routes);
    }

    @ParameterizedTest
    @MethodSource("routeFiles")
    void theShippedRouteFileIsValid(Path file) throws IOException {
        assertThat(problems(Files.readString(file))).as(file.toString()).isEmpty();
    }

    @Test
    void everyShippedRouteFileIsChecked() throws IOException {
        assertThat(routeFiles()).hasSizeGreaterThanOrEqualTo(10);
    }

    @Test
    void aTypoInAStepIsRefused() throws IOException {
        String route = """
                - route:
                    id: typo
                    from:
                      uri: direct:typo
                      steps:
                        - %s:
                            uri: direct:elsewhere
                """;
        assertThat(problems(route.formatted("to"))).isEmpty();
        assertThat(problems(route.formatted("too"))).isNotEmpty();
    }

    @Test
    void aPlaceholderWhereTheSchemaWantsANumberIsRefused() throws IOException {
        String configuration = """
                - routeConfiguration:
                    id: retries
                    onException:
                      - onException:
                          exception:
                            - java.lang.Exception
                          redeliveryPolicy:
                            maximumRedeliveries: %s
                """;
        assertThat(problems(configuration.formatted("3"))).isEmpty();
        assertThat(problems(configuration.formatted("\"{{bridge.invoke.max-retries}}\""))).isNotEmpty();
    }
}
