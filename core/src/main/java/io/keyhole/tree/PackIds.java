package io.keyhole.tree;

import io.keyhole.FileId;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * How ids are named on disk. An id is its own file name, except a pack member
 * ({@code <leader>.<ext>}, see {@link FileId#isPackMember()}): its extension is written in
 * lowercase hex, as the nginx module does, so {@code 9f86….0.jpg} lives in the file
 * {@code 9f86….0.6a7067} and an extension in either case maps to one name per spelling.
 * Metadata beside a file ({@code request-type=internal}) is the file's name plus {@value #META_SUFFIX}.
 */
public final class PackIds {

    /** What follows a file's name to name its metadata file. */
    public static final String META_SUFFIX = ".meta";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PackIds() {
    }

    /** The file name of {@code id} in its directory. */
    public static String diskName(FileId id) {
        Optional<String> extension = id.packExtension();
        if (extension.isEmpty()) {
            return id.value();
        }
        byte[] bytes = extension.get().getBytes(StandardCharsets.US_ASCII);
        StringBuilder out = new StringBuilder(id.value().length() + bytes.length);
        out.append(id.leader().orElseThrow().value()).append('.');
        for (byte b : bytes) {
            out.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
        return out.toString();
    }

    /** The id whose file is named {@code name}, or empty when no id is stored under that name. */
    public static Optional<FileId> idOfDiskName(String name) {
        int first = name.indexOf('.');
        int last = name.lastIndexOf('.');
        if (first < 0 || first == last) {
            return FileId.isValid(name) && !isMetaName(name) ? Optional.of(FileId.parse(name)) : Optional.empty();
        }
        String encoded = name.substring(last + 1);
        if (encoded.isEmpty() || encoded.length() % 2 != 0 || encoded.length() > 2 * FileId.MAX_SUFFIX_LENGTH) {
            return Optional.empty();
        }
        StringBuilder extension = new StringBuilder(encoded.length() / 2);
        for (int i = 0; i < encoded.length(); i += 2) {
            int high = Character.digit(encoded.charAt(i), 16);
            int low = Character.digit(encoded.charAt(i + 1), 16);
            if (high < 0 || low < 0 || Character.isUpperCase(encoded.charAt(i)) || Character.isUpperCase(encoded.charAt(i + 1))) {
                return Optional.empty();
            }
            extension.append((char) (high << 4 | low));
        }
        String id = name.substring(0, last + 1) + extension;
        if (!FileId.isValid(id)) {
            return Optional.empty();
        }
        FileId parsed = FileId.parse(id);
        return parsed.isPackMember() && diskName(parsed).equals(name) ? Optional.of(parsed) : Optional.empty();
    }

    /** Whether {@code name} is that of a metadata file beside a stored file. */
    public static boolean isMetaName(String name) {
        return name.endsWith(META_SUFFIX) && name.length() > META_SUFFIX.length();
    }
}
