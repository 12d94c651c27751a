package io.functionsbridge.javascript;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.graalvm.polyglot.io.FileSystem;

/**
 * The only file a lambda can reach: the V2 module {@code core-functions-toolbelt} (and
 * {@code lp-faas-toolbelt}), which {@code import { Toolbelt } from 'core-functions-toolbelt'}
 * resolves to. It exports what {@code require} gives a V1 lambda. Every other path does not exist;
 * nothing can be written.
 */
final class ToolbeltFileSystem implements FileSystem {

    private static final Set<String> MODULES = Set.of("core-functions-toolbelt", "lp-faas-toolbelt");
    private static final byte[] TOOLBELT = """
            const toolbelt = globalThis.__functionsBridgeToolbelt;
            export const Toolbelt = toolbelt.Toolbelt;
            export const SecretError = toolbelt.SecretError;
            export default toolbelt.Toolbelt;
            """.getBytes(StandardCharsets.UTF_8);
    private static final Path ROOT = Path.of("/");

    private static boolean isToolbelt(Path path) {
        Path name = path.getFileName();
        return name != null && MODULES.contains(name.toString());
    }

    @Override
    public Path parsePath(URI uri) {
        return Path.of(uri.getPath() == null ? "/" : uri.getPath());
    }

    @Override
    public Path parsePath(String path) {
        return Path.of(path);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions) throws IOException {
        if (!isToolbelt(path)) {
            throw new NoSuchFileException(path.toString());
        }
        if (modes.contains(AccessMode.WRITE) || modes.contains(AccessMode.EXECUTE)) {
            throw new AccessDeniedException(path.toString());
        }
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        throw new AccessDeniedException(dir.toString());
    }

    @Override
    public void delete(Path path) throws IOException {
        throw new AccessDeniedException(path.toString());
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        if (!isToolbelt(path)) {
            throw new NoSuchFileException(path.toString());
        }
        if (options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND)) {
            throw new AccessDeniedException(path.toString());
        }
        return new ReadOnlyChannel(TOOLBELT);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        throw new NotDirectoryException(dir.toString());
    }

    @Override
    public Path toAbsolutePath(Path path) {
        return path.isAbsolute() ? path : ROOT.resolve(path);
    }

    @Override
    public Path toRealPath(Path path, LinkOption... linkOptions) {
        return toAbsolutePath(path);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        if (!isToolbelt(path)) {
            throw new NoSuchFileException(path.toString());
        }
        Map<String, Object> read = new HashMap<>();
        FileTime epoch = FileTime.fromMillis(0);
        read.put("size", (long) TOOLBELT.length);
        read.put("isRegularFile", true);
        read.put("isDirectory", false);
        read.put("isSymbolicLink", false);
        read.put("isOther", false);
        read.put("lastModifiedTime", epoch);
        read.put("lastAccessTime", epoch);
        read.put("creationTime", epoch);
        read.put("fileKey", null);
        return read;
    }

    /** A file's bytes, read only. */
    private static final class ReadOnlyChannel implements SeekableByteChannel {

        private final byte[] bytes;
        private int position;
        private boolean open = true;

        ReadOnlyChannel(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position >= bytes.length) {
                return -1;
            }
            int count = Math.min(dst.remaining(), bytes.length - position);
            dst.put(bytes, position, count);
            position += count;
            return count;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new NonWritableChannelException();
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            position = (int) Math.min(newPosition, bytes.length);
            return this;
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new NonWritableChannelException();
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
