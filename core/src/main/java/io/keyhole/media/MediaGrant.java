package io.keyhole.media;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a media token allows: one file, or every file below a directory (the segments of a video
 * stream, the page images of a document), optionally not before a moment and only for one client
 * address. Made by the application ({@link MediaUrlSigner#sign(MediaGrant, String)}), checked by
 * the media host.
 *
 * <p>A directory grant for {@code videos/v1} covers {@code videos/v1/seg-001.ts} and
 * {@code videos/v1/hd/seg-001.ts}, never {@code videos/v1} itself nor a sibling such as
 * {@code videos/v10/a.ts}; {@link MediaPath} admits no {@code ..} segment, so no path below the
 * directory can lead out of it.
 *
 * @param path          the file, or the directory (without a trailing {@code /})
 * @param directory     whether {@code path} is a directory whose files are all covered
 * @param notBefore     the token is refused before this moment (less the leeway); {@code null} for none
 * @param clientAddress the only client address (as the container reports it, e.g.
 *                      {@code 203.0.113.7} or {@code 2001:db8::1}) the token is good for;
 *                      {@code null} for any
 */
public record MediaGrant(MediaPath path, boolean directory, Instant notBefore, String clientAddress) {

    private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f.:]{2,45}");

    /** @throws IllegalArgumentException when the client address is no IP address literal */
    public MediaGrant {
        Objects.requireNonNull(path, "path");
        if (notBefore != null) {
            notBefore = Instant.ofEpochSecond(notBefore.getEpochSecond());
        }
        if (clientAddress != null) {
            clientAddress = canonicalAddress(clientAddress);
            if (clientAddress == null) {
                throw new IllegalArgumentException("the client address must be an IPv4 or IPv6 literal");
            }
        }
    }

    /** One file. */
    public static MediaGrant file(MediaPath file) {
        return new MediaGrant(file, false, null, null);
    }

    /** Every file below {@code directory}, e.g. {@code videos/v1}. */
    public static MediaGrant directory(MediaPath directory) {
        return new MediaGrant(directory, true, null, null);
    }

    /** This grant, refused before {@code instant} (whole seconds). */
    public MediaGrant notBefore(Instant instant) {
        return new MediaGrant(path, directory, Objects.requireNonNull(instant, "notBefore"), clientAddress);
    }

    /** This grant, good only for requests from {@code address}. */
    public MediaGrant boundTo(String address) {
        return new MediaGrant(path, directory, notBefore, Objects.requireNonNull(address, "clientAddress"));
    }

    /** Whether the grant covers {@code file}: the file itself, or a file anywhere below the directory. */
    public boolean covers(MediaPath file) {
        String v = file.value();
        return directory ? v.length() > path.value().length() + 1 && v.startsWith(path.value())
                && v.charAt(path.value().length()) == '/' : v.equals(path.value());
    }

    /** Whether it is a plain one-file grant, which the short token form carries. */
    boolean plain() {
        return !directory && notBefore == null && clientAddress == null;
    }

    /**
     * One spelling per address, so that {@code ::1} and {@code 0:0:0:0:0:0:0:1} match; no name
     * lookup ever happens, since only literals are accepted.
     *
     * @return the address as {@link InetAddress#getHostAddress()} writes it, or {@code null}
     */
    static String canonicalAddress(String text) {
        if (text == null) {
            return null;
        }
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (!ADDRESS.matcher(t).matches() || t.indexOf(':') < 0 && !t.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            return null;
        }
        try {
            return InetAddress.getByName(t).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }
}
