package io.functionsbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages' imports, read from the sources (STYLE.md): {@code domain} is the vocabulary and
 * imports none of the stage packages, and no stage package imports one that imports it back,
 * through any number of others. The entry points (the root package's mains and {@code demo}) import
 * whatever they start, and are left out.
 */
class PackageDependenciesTest {

    private static final Path SOURCES = Path.of("src", "main", "java", "io", "functionsbridge");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.functionsbridge\\.([a-z]+)\\.", Pattern.MULTILINE);

    /** Each package (the root one as "") and the project packages its classes import. */
    private static Map<String, Set<String>> imports() throws IOException {
        Map<String, Set<String>> imports = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file.getParent());
                String from = relative.toString().isEmpty() ? "" : relative.getName(0).toString();
                Set<String> imported = imports.computeIfAbsent(from, p -> new TreeSet<>());
                Matcher matcher = IMPORT.matcher(Files.readString(file));
                while (matcher.find()) {
                    if (!matcher.group(1).equals(from)) {
                        imported.add(matcher.group(1));
                    }
                }
            }
        }
        return imports;
    }

    @Test
    void theDomainImportsNoStagePackage() throws IOException {
        assertThat(imports().get("domain")).isEmpty();
    }

    @Test
    void noPackageImportsOneThatImportsItBack() throws IOException {
        Map<String, Set<String>> imports = imports();
        List<String> cycles = new ArrayList<>();
        for (String start : imports.keySet()) {
            findCycles(imports, start, new ArrayList<>(List.of(start)), cycles);
        }
        assertThat(cycles).isEmpty();
    }

    private static void findCycles(Map<String, Set<String>> imports, String at, List<String> path, List<String> cycles) {
        for (String next : imports.getOrDefault(at, Set.of())) {
            if (next.equals(path.get(0))) {
                cycles.add(String.join(" -> ", path) + " -> " + next);
            } else if (!path.contains(next) && next.compareTo(path.get(0)) > 0) {
                path.add(next);
                findCycles(imports, next, path, cycles);
                path.remove(path.size() - 1);
            }
        }
    }
}
