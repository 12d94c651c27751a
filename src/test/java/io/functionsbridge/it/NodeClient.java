package io.functionsbridge.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The platform's Node client, {@code liveperson-functions-client} from npm (Node and npm come with
 * the machine; the test installs the package into {@code target/node-client}), and the scripts of
 * {@code src/test/node} that use it.
 */
final class NodeClient {

    static final String PACKAGE = "liveperson-functions-client@2.2.0";
    private static final Path FOLDER = Path.of("target", "node-client").toAbsolutePath();

    /** What a script printed (standard output and error) and its exit code. */
    record Result(int exitCode, String output) {
    }

    private NodeClient() {
    }

    /** Installs the package once; fails with npm's output when it cannot. */
    static synchronized void install() throws IOException, InterruptedException {
        if (Files.isDirectory(FOLDER.resolve("node_modules").resolve("liveperson-functions-client"))) {
            return;
        }
        Files.createDirectories(FOLDER);
        Result npm = run(List.of("npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", FOLDER.toString(), PACKAGE), 300);
        if (npm.exitCode() != 0) {
            throw new IllegalStateException("npm install " + PACKAGE + " failed:\n" + npm.output());
        }
    }

    /** Runs {@code node src/test/node/<script> <arguments>} with the installed package. */
    static Result script(String script, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", Path.of("src", "test", "node", script).toAbsolutePath().toString()));
        command.addAll(List.of(arguments));
        return run(command, 60);
    }

    private static Result run(List<String> command, long seconds) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(FOLDER.toFile()).redirectErrorStream(true);
        builder.environment().put("NODE_PATH", FOLDER.resolve("node_modules").toString());
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not end within " + seconds + " s");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
