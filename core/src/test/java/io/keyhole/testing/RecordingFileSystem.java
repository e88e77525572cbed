package io.keyhole.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;

/**
 * A file system that is the default one seen through a recorder: every operation that reaches
 * the disk through one of its paths (opening, listing, stat, access checks, real-path
 * resolution, creating, deleting...) is recorded before it is carried out. A test can then
 * prove that some code did <em>not</em> touch a directory at all, which a real disk cannot show.
 * For tests in every module (it ships in {@code keyhole-core}'s test-jar).
 *
 * <pre>{@code
 * RecordingFileSystem fs = new RecordingFileSystem();
 * Path root = fs.wrap(tempDir);                 // the same directory, seen through the recorder
 * HashedTree tree = new HashedTree(root, 4);
 * tree.pathOf(id);                              // pure computation
 * assertEquals(List.of(), fs.operations());
 * tree.open(id);
 * assertFalse(fs.operationsUnder(root).isEmpty());
 * }</pre>
 *
 * <p>Operations read as {@code "<operation> <real path>"}, e.g.
 * {@code "readAttributes /tmp/x/a/b/c/d/abcd"}. Paths of this file system cannot become
 * {@link java.io.File}s, which also proves code sticks to {@code java.nio.file}. Thread-safe.
 */
public final class RecordingFileSystem extends FileSystem {

    /** One recorded operation. */
    private record Operation(String name, List<Path> paths) {
        @Override
        public String toString() {
            return name + " " + paths.stream().map(Path::toString).collect(Collectors.joining(" "));
        }
    }

    private final FileSystem delegate = FileSystems.getDefault();
    private final FileSystemProvider delegateProvider = delegate.provider();
    private final RecordingProvider provider = new RecordingProvider();
    private final List<Operation> operations = Collections.synchronizedList(new ArrayList<>());

    /** A new recording view of the default file system, with an empty record. */
    public RecordingFileSystem() {
    }

    /** {@code realDir} seen through a new recording file system; get it back with {@link #of(Path)}. */
    public static Path wrap(Path realDir) {
        return new RecordingFileSystem().path(realDir);
    }

    /** The recording file system {@code path} belongs to. */
    public static RecordingFileSystem of(Path path) {
        if (path.getFileSystem() instanceof RecordingFileSystem fs) {
            return fs;
        }
        throw new IllegalArgumentException("not a path of a recording file system: " + path);
    }

    /** {@code real} (a path of the default file system) seen through this recorder. */
    public Path path(Path real) {
        Objects.requireNonNull(real, "real");
        if (real.getFileSystem() != delegate) {
            throw new IllegalArgumentException("only paths of the default file system can be wrapped: " + real);
        }
        return new RecordingPath(this, real);
    }

    /** Everything recorded so far, oldest first, as {@code "<operation> <path>..."}. */
    public List<String> operations() {
        synchronized (operations) {
            return operations.stream().map(Operation::toString).collect(Collectors.toUnmodifiableList());
        }
    }

    /**
     * The recorded operations that involved {@code dir} or anything below it (compared
     * component-wise after making both absolute and normal, without following links).
     *
     * @param dir a path of this file system or of the default one
     */
    public List<String> operationsUnder(Path dir) {
        Path real = (dir instanceof RecordingPath recording ? recording.delegate : dir).toAbsolutePath().normalize();
        synchronized (operations) {
            return operations.stream()
                    .filter(op -> op.paths.stream().anyMatch(p -> p.toAbsolutePath().normalize().startsWith(real)))
                    .map(Operation::toString)
                    .collect(Collectors.toUnmodifiableList());
        }
    }

    /** Forgets everything recorded so far. */
    public void clear() {
        operations.clear();
    }

    void record(String name, Path... realPaths) {
        operations.add(new Operation(name, List.of(realPaths)));
    }

    Path unwrap(Path path) {
        if (path instanceof RecordingPath recording && recording.fs == this) {
            return recording.delegate;
        }
        throw new ProviderMismatchException("not a path of this recording file system: " + path);
    }

    Path wrapOrNull(Path real) {
        return real == null ? null : new RecordingPath(this, real);
    }

    @Override
    public FileSystemProvider provider() {
        return provider;
    }

    /** Does nothing: the default file system cannot be closed, and neither can this view of it. */
    @Override
    public void close() {
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return delegate.isReadOnly();
    }

    @Override
    public String getSeparator() {
        return delegate.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        List<Path> roots = new ArrayList<>();
        delegate.getRootDirectories().forEach(root -> roots.add(path(root)));
        return roots;
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return delegate.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return delegate.supportedFileAttributeViews();
    }

    @Override
    public Path getPath(String first, String... more) {
        return path(delegate.getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher matcher = delegate.getPathMatcher(syntaxAndPattern);
        return path -> path instanceof RecordingPath recording && matcher.matches(recording.delegate);
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return delegate.getUserPrincipalLookupService();
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("a recording file system cannot watch");
    }

    /** Records, then delegates to the default provider with the real paths. */
    private final class RecordingProvider extends FileSystemProvider {

        @Override
        public String getScheme() {
            return "recording";
        }

        @Override
        public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
            throw new UnsupportedOperationException("create one with new RecordingFileSystem()");
        }

        @Override
        public FileSystem getFileSystem(URI uri) {
            throw new UnsupportedOperationException("recording file systems are not looked up by URI");
        }

        @Override
        public Path getPath(URI uri) {
            throw new UnsupportedOperationException("recording file systems are not looked up by URI");
        }

        @Override
        public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
                                                  FileAttribute<?>... attrs) throws IOException {
            Path real = unwrap(path);
            record("newByteChannel", real);
            return delegateProvider.newByteChannel(real, options, attrs);
        }

        @Override
        public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options,
                                          FileAttribute<?>... attrs) throws IOException {
            Path real = unwrap(path);
            record("newFileChannel", real);
            return delegateProvider.newFileChannel(real, options, attrs);
        }

        @Override
        public AsynchronousFileChannel newAsynchronousFileChannel(Path path, Set<? extends OpenOption> options,
                                                                  ExecutorService executor,
                                                                  FileAttribute<?>... attrs) throws IOException {
            Path real = unwrap(path);
            record("newAsynchronousFileChannel", real);
            return delegateProvider.newAsynchronousFileChannel(real, options, executor, attrs);
        }

        @Override
        public InputStream newInputStream(Path path, OpenOption... options) throws IOException {
            Path real = unwrap(path);
            record("newInputStream", real);
            return delegateProvider.newInputStream(real, options);
        }

        @Override
        public OutputStream newOutputStream(Path path, OpenOption... options) throws IOException {
            Path real = unwrap(path);
            record("newOutputStream", real);
            return delegateProvider.newOutputStream(real, options);
        }

        @Override
        public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
                throws IOException {
            Path real = unwrap(dir);
            record("newDirectoryStream", real);
            DirectoryStream<Path> entries = delegateProvider.newDirectoryStream(real,
                    entry -> filter.accept(wrapOrNull(entry)));
            return new DirectoryStream<>() {
                @Override
                public Iterator<Path> iterator() {
                    Iterator<Path> it = entries.iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Path next() {
                            return wrapOrNull(it.next());
                        }
                    };
                }

                @Override
                public void close() throws IOException {
                    entries.close();
                }
            };
        }

        @Override
        public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
            Path real = unwrap(dir);
            record("createDirectory", real);
            delegateProvider.createDirectory(real, attrs);
        }

        @Override
        public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
            Path real = unwrap(link);
            // A link's target is text, not an access; it may be relative or foreign.
            Path realTarget = target instanceof RecordingPath recording ? recording.delegate : target;
            record("createSymbolicLink", real);
            delegateProvider.createSymbolicLink(real, realTarget, attrs);
        }

        @Override
        public void createLink(Path link, Path existing) throws IOException {
            Path real = unwrap(link);
            Path realExisting = unwrap(existing);
            record("createLink", real, realExisting);
            delegateProvider.createLink(real, realExisting);
        }

        @Override
        public void delete(Path path) throws IOException {
            Path real = unwrap(path);
            record("delete", real);
            delegateProvider.delete(real);
        }

        @Override
        public boolean deleteIfExists(Path path) throws IOException {
            Path real = unwrap(path);
            record("deleteIfExists", real);
            return delegateProvider.deleteIfExists(real);
        }

        @Override
        public Path readSymbolicLink(Path link) throws IOException {
            Path real = unwrap(link);
            record("readSymbolicLink", real);
            Path target = delegateProvider.readSymbolicLink(real);
            return wrapOrNull(target);
        }

        @Override
        public void copy(Path source, Path target, CopyOption... options) throws IOException {
            Path realSource = unwrap(source);
            Path realTarget = unwrap(target);
            record("copy", realSource, realTarget);
            delegateProvider.copy(realSource, realTarget, options);
        }

        @Override
        public void move(Path source, Path target, CopyOption... options) throws IOException {
            Path realSource = unwrap(source);
            Path realTarget = unwrap(target);
            record("move", realSource, realTarget);
            delegateProvider.move(realSource, realTarget, options);
        }

        @Override
        public boolean isSameFile(Path path, Path path2) throws IOException {
            Path real = unwrap(path);
            Path real2 = unwrap(path2);
            record("isSameFile", real, real2);
            return delegateProvider.isSameFile(real, real2);
        }

        @Override
        public boolean isHidden(Path path) throws IOException {
            Path real = unwrap(path);
            record("isHidden", real);
            return delegateProvider.isHidden(real);
        }

        @Override
        public FileStore getFileStore(Path path) throws IOException {
            Path real = unwrap(path);
            record("getFileStore", real);
            return delegateProvider.getFileStore(real);
        }

        @Override
        public void checkAccess(Path path, AccessMode... modes) throws IOException {
            Path real = unwrap(path);
            record("checkAccess", real);
            delegateProvider.checkAccess(real, modes);
        }

        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
            Path real = unwrap(path);
            record("getFileAttributeView", real);
            return delegateProvider.getFileAttributeView(real, type, options);
        }

        @Override
        public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
                throws IOException {
            Path real = unwrap(path);
            record("readAttributes", real);
            return delegateProvider.readAttributes(real, type, options);
        }

        @Override
        public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
                throws IOException {
            Path real = unwrap(path);
            record("readAttributes", real);
            return delegateProvider.readAttributes(real, attributes, options);
        }

        @Override
        public void setAttribute(Path path, String attribute, Object value, LinkOption... options)
                throws IOException {
            Path real = unwrap(path);
            record("setAttribute", real);
            delegateProvider.setAttribute(real, attribute, value, options);
        }
    }

    /** A path of the recording file system: a real path plus the recorder it reports to. */
    private static final class RecordingPath implements Path {
        private final RecordingFileSystem fs;
        private final Path delegate;

        RecordingPath(RecordingFileSystem fs, Path delegate) {
            this.fs = fs;
            this.delegate = delegate;
        }

        @Override
        public FileSystem getFileSystem() {
            return fs;
        }

        @Override
        public boolean isAbsolute() {
            return delegate.isAbsolute();
        }

        @Override
        public Path getRoot() {
            return fs.wrapOrNull(delegate.getRoot());
        }

        @Override
        public Path getFileName() {
            return fs.wrapOrNull(delegate.getFileName());
        }

        @Override
        public Path getParent() {
            return fs.wrapOrNull(delegate.getParent());
        }

        @Override
        public int getNameCount() {
            return delegate.getNameCount();
        }

        @Override
        public Path getName(int index) {
            return fs.wrapOrNull(delegate.getName(index));
        }

        @Override
        public Path subpath(int beginIndex, int endIndex) {
            return fs.wrapOrNull(delegate.subpath(beginIndex, endIndex));
        }

        @Override
        public boolean startsWith(Path other) {
            return other instanceof RecordingPath recording && recording.fs == fs
                    && delegate.startsWith(recording.delegate);
        }

        @Override
        public boolean startsWith(String other) {
            return delegate.startsWith(other);
        }

        @Override
        public boolean endsWith(Path other) {
            return other instanceof RecordingPath recording && recording.fs == fs
                    && delegate.endsWith(recording.delegate);
        }

        @Override
        public boolean endsWith(String other) {
            return delegate.endsWith(other);
        }

        @Override
        public Path normalize() {
            return fs.wrapOrNull(delegate.normalize());
        }

        @Override
        public Path resolve(Path other) {
            return fs.wrapOrNull(delegate.resolve(fs.unwrap(other)));
        }

        @Override
        public Path resolve(String other) {
            return fs.wrapOrNull(delegate.resolve(other));
        }

        @Override
        public Path resolveSibling(Path other) {
            return fs.wrapOrNull(delegate.resolveSibling(fs.unwrap(other)));
        }

        @Override
        public Path resolveSibling(String other) {
            return fs.wrapOrNull(delegate.resolveSibling(other));
        }

        @Override
        public Path relativize(Path other) {
            return fs.wrapOrNull(delegate.relativize(fs.unwrap(other)));
        }

        /** Recorded: the default provider asks the disk whether the path is a directory. */
        @Override
        public URI toUri() {
            fs.record("toUri", delegate);
            return delegate.toUri();
        }

        @Override
        public Path toAbsolutePath() {
            return fs.wrapOrNull(delegate.toAbsolutePath());
        }

        @Override
        public Path toRealPath(LinkOption... options) throws IOException {
            fs.record("toRealPath", delegate);
            return fs.wrapOrNull(delegate.toRealPath(options));
        }

        @Override
        public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
            throw new UnsupportedOperationException("a recording file system cannot watch");
        }

        @Override
        public int compareTo(Path other) {
            return delegate.compareTo(fs.unwrap(other));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof RecordingPath recording && recording.fs == fs && delegate.equals(recording.delegate);
        }

        @Override
        public int hashCode() {
            return delegate.hashCode();
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }

    @Override
    public String toString() {
        return "RecordingFileSystem[" + operations.size() + " operations]";
    }
}
