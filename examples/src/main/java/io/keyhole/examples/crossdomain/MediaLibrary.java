package io.keyhole.examples.crossdomain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The example application's media objects: what a real application keeps in its database. Each
 * file has an owner; files under {@code public/} are for everyone.
 */
public final class MediaLibrary {

    /**
     * One media object.
     *
     * @param path      relative to the media root; also the path of its URLs
     * @param title     what the application shows
     * @param owner     the user who may see it, or {@code null} for public media
     */
    public record MediaFile(String path, String title, String owner) {

        public boolean isPublic() {
            return owner == null;
        }

        /** What the viewer page shows it with: {@code image}, {@code pdf}, {@code video} or {@code text}. */
        public String kind() {
            String p = path.toLowerCase(Locale.ROOT);
            return p.endsWith(".png") ? "image" : p.endsWith(".pdf") ? "pdf" : p.endsWith(".mp4") ? "video" : "text";
        }
    }

    /** Users and their passwords; a real application checks hashes in its database. */
    static final Map<String, String> ACCOUNTS = Map.of("alice", "wonderland", "bob", "builder");

    private static final List<MediaFile> FILES = List.of(
            new MediaFile("alice/mountains.png", "Mountains at dawn (image)", "alice"),
            new MediaFile("alice/Quarterly report.pdf", "Quarterly report (PDF)", "alice"),
            new MediaFile("alice/clip.mp4", "Test pattern (video)", "alice"),
            new MediaFile("bob/notes.txt", "Bob's notes (text)", "bob"),
            new MediaFile("public/logo.png", "Logo (public)", null));

    /** Where the sample files are kept in this module's resources. */
    private static final String RESOURCES = "/io/keyhole/examples/crossdomain/media/";

    /** Every media object. */
    public List<MediaFile> all() {
        return FILES;
    }

    /** The files {@code user} owns. */
    public List<MediaFile> ownedBy(String user) {
        return FILES.stream().filter(f -> user.equals(f.owner())).toList();
    }

    /** The object at {@code path}, if there is one. */
    public Optional<MediaFile> find(String path) {
        return FILES.stream().filter(f -> f.path().equals(path)).findFirst();
    }

    /** Copies the sample files into {@code root}, which becomes the media root. */
    public void writeTo(Path root) throws IOException {
        for (MediaFile f : FILES) {
            Path target = root.resolve(f.path());
            Files.createDirectories(target.getParent());
            try (InputStream in = MediaLibrary.class.getResourceAsStream(RESOURCES + f.path())) {
                if (in == null) {
                    throw new IOException("sample file " + RESOURCES + f.path() + " is missing from the class path");
                }
                Files.copy(in, target);
            }
        }
    }
}
