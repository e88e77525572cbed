package io.keyhole.benchmarks;

import io.keyhole.Delivery;
import io.keyhole.Keyhole;
import io.keyhole.NameValue;
import io.keyhole.benchmarks.load.LoadServer;
import io.keyhole.testing.TestRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** What the decision benchmarks share: the tree with its one 4 KiB file, the request, the clean-up. */
final class Fixtures {

    private Fixtures() {
    }

    /** {@code dir/tree}, a tree of depth 4 holding the 4 KiB file of {@link HotPathBenchmark#ID}. */
    static Path tree(Path dir) throws IOException {
        Path root = Files.createDirectory(dir.resolve("tree"));
        Path file = root.resolve("9/f/8/6/" + HotPathBenchmark.ID);
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[4096]);
        return root;
    }

    /** A GET of that file with a valid JWT, as a browser sends it. */
    static TestRequest request() {
        return TestRequest.get("/files/" + HotPathBenchmark.ID).withHeaders(List.of(
                new NameValue("Host", "127.0.0.1"),
                new NameValue("Authorization", "Bearer " + LoadServer.token(HotPathBenchmark.KEY))));
    }

    /** The decision, and the close a writer does once it has sent the file. */
    static Delivery decide(Keyhole keyhole, TestRequest request) throws IOException {
        Delivery delivery = keyhole.decide(request);
        if (delivery instanceof Delivery.Send send) {
            send.file().close();
        }
        return delivery;
    }

    /** Deletes {@code dir} and everything below it. */
    static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
