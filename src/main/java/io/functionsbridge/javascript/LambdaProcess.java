package io.functionsbridge.javascript;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Node.js process that runs the lambdas (lambda-host.js), started and watched by the bridge: a
 * child process that ends when the bridge closes its standard input, which the bridge's end, however
 * it ends (a stop, SIGTERM, SIGKILL), does. It runs under Node's permission model (it may read its
 * own two scripts, start worker threads, and nothing else of the file system or of processes), with
 * code generation from strings off.
 *
 * <p>The two talk in frames (lambda-host.js says which): {@link #send} queues one, and a writer thread
 * writes what is queued at once; a reader thread gives each frame the process writes to the
 * {@link Receiver}, and says when the process has ended. Neither thread runs anything else.
 */
final class LambdaProcess implements AutoCloseable {

    /** Node's oldest version with the permission model and worker heap limits the host relies on. */
    static final int OLDEST_NODE = 20;

    private static final Logger LOG = LoggerFactory.getLogger(LambdaProcess.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d+)");
    private static final byte[] STOP = new byte[0];

    /** What the process writes: its frames, then its end. Called on the reader thread. */
    interface Receiver {
        void frame(JsonNode header, String body);

        void ended(String why);
    }

    private final Process process;
    private final Path folder;
    private final BlockingQueue<byte[]> out = new LinkedBlockingQueue<>();
    private final long startedAt = System.nanoTime();

    private LambdaProcess(Process process, Path folder, Receiver receiver) {
        this.process = process;
        this.folder = folder;
        daemon("javascript-writer", this::write).start();
        daemon("javascript-reader", () -> read(receiver)).start();
        daemon("javascript-stderr", this::logErrors).start();
    }

    /**
     * Why this Node.js cannot run the lambdas ({@code null} when it can): not found, not runnable, or
     * older than {@value #OLDEST_NODE}.
     */
    static String unavailable(String node) {
        try {
            int[] version = version(node);
            if (version[0] < OLDEST_NODE) {
                return "runtime javascript needs Node.js " + OLDEST_NODE + " or later on the host; '" + node + "' is v" + version[0] + "."
                        + version[1] + " (bridge.javascript.node)";
            }
            return null;
        } catch (IOException e) {
            return "runtime javascript needs Node.js " + OLDEST_NODE + " or later on the host: '" + node + "' cannot be run ("
                    + e.getMessage() + "; bridge.javascript.node)";
        }
    }

    private static int[] version(String node) throws IOException {
        Process probe = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
        try {
            String printed = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!probe.waitFor(10, TimeUnit.SECONDS) || probe.exitValue() != 0) {
                throw new IOException("'" + node + " --version' failed: " + printed);
            }
            Matcher matcher = VERSION.matcher(printed);
            if (!matcher.find()) {
                throw new IOException("'" + node + " --version' printed " + printed);
            }
            return new int[] {Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2))};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } finally {
            probe.destroyForcibly();
        }
    }

    /** Starts the host in that Node.js (one {@link #unavailable} did not refuse). */
    static LambdaProcess start(String node, Receiver receiver) throws IOException {
        int[] version = version(node);
        Path folder = Files.createTempDirectory("functions-bridge-lambdas");
        try {
            Path host = folder.resolve("lambda-host.js");
            copy("lambda-host.js", host);
            copy("runtime.js", folder.resolve("runtime.js"));
            // Node 22.13 and 23.5 made the permission model stable, under its own flag
            boolean stable = version[0] > 23 || version[0] == 23 && version[1] >= 5 || version[0] == 22 && version[1] >= 13;
            List<String> command = List.of(node,
                    stable ? "--permission" : "--experimental-permission",
                    "--allow-fs-read=" + folder.toRealPath(),
                    "--allow-worker",
                    "--disallow-code-generation-from-strings",
                    "--experimental-vm-modules",
                    "--no-warnings",
                    // no --max-old-space-size: V8 takes it as a ceiling for every worker's heap too
                    "--expose-gc",
                    host.toRealPath().toString());
            Process process = new ProcessBuilder(command).directory(folder.toFile()).start();
            return new LambdaProcess(process, folder, receiver);
        } catch (IOException | RuntimeException e) {
            delete(folder);
            throw e;
        }
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = LambdaProcess.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is not on the classpath");
            }
            Files.copy(in, to);
        }
    }

    /** The process id, for whoever measures it. */
    long pid() {
        return process.pid();
    }

    /** How long it has run. */
    long uptimeMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
    }

    /** Queues a frame: its header (JSON) and body (UTF-8 bytes, or {@code null}). */
    void send(String header, byte[] body) {
        byte[] head = header.getBytes(StandardCharsets.UTF_8);
        int length = head.length + 1 + (body == null ? 0 : body.length);
        byte[] frame = new byte[4 + length];
        frame[0] = (byte) (length >>> 24);
        frame[1] = (byte) (length >>> 16);
        frame[2] = (byte) (length >>> 8);
        frame[3] = (byte) length;
        System.arraycopy(head, 0, frame, 4, head.length);
        frame[4 + head.length] = '\n';
        if (body != null) {
            System.arraycopy(body, 0, frame, 5 + head.length, body.length);
        }
        out.add(frame);
    }

    private void write() {
        List<byte[]> frames = new ArrayList<>();
        try (OutputStream stdin = new BufferedOutputStream(process.getOutputStream(), 1 << 16)) {
            while (true) {
                frames.add(out.take());
                out.drainTo(frames);
                for (byte[] frame : frames) {
                    if (frame == STOP) {
                        return;
                    }
                    stdin.write(frame);
                }
                frames.clear();
                stdin.flush();
            }
        } catch (IOException e) {
            // the process ended: the reader says so
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void read(Receiver receiver) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16))) {
            while (true) {
                int length = in.readInt();
                byte[] frame = new byte[length];
                in.readFully(frame);
                int newline = 0;
                while (frame[newline] != '\n') {
                    newline++;
                }
                JsonNode header = JSON.readTree(frame, 0, newline);
                String body = newline + 1 < length ? new String(frame, newline + 1, length - newline - 1, StandardCharsets.UTF_8) : null;
                receiver.frame(header, body);
            }
        } catch (EOFException e) {
            // the end of its output
        } catch (IOException | RuntimeException e) {
            LOG.warn("the lambda runtime's output cannot be read: {}", e.toString());
            process.destroyForcibly();
        }
        receiver.ended(describeEnd());
    }

    private String describeEnd() {
        try {
            if (process.waitFor(5, TimeUnit.SECONDS)) {
                int status = process.exitValue();
                return status > 128 ? "it was killed by signal " + (status - 128) : "it exited with status " + status;
            }
            process.destroyForcibly();
            return "it stopped writing";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** What Node writes on its error stream (nothing, unless it fails): the bridge's log. */
    private void logErrors() {
        try (BufferedReader errors = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = errors.readLine()) != null) {
                LOG.warn("the lambda runtime (Node.js): {}", line);
            }
        } catch (IOException e) {
            // ended
        }
    }

    /** Kills it at once: its runs end with it. */
    void kill() {
        process.destroyForcibly();
    }

    /** Closes its input, so that it ends; then kills it if it has not within 5 s. */
    @Override
    public void close() {
        out.add(STOP);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            delete(folder);
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void delete(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temporary folder: left for the system to clear
        }
    }
}
