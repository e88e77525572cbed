package io.keyhole;

import java.util.Locale;
import java.util.Set;

/**
 * What keeps a served file from running script in the origin that serves it: the
 * {@code Content-Security-Policy} sent with every file ({@code sandbox} by default, so an HTML or
 * SVG file opened in the browser runs no script and reaches no cookie or storage of the site), and
 * whether uploads of active types (HTML, SVG, XML, JavaScript…) are stored as attachments, which
 * browsers download instead of showing.
 *
 * @param contentSecurityPolicy the {@code Content-Security-Policy} of served files, or {@code null}
 *                              for none ({@code content-security-policy=none})
 * @param inlineActiveUploads   whether an upload of an active type keeps the disposition it asked
 *                              for ({@code active-uploads=as-sent}); by default it is stored as an
 *                              attachment
 */
public record ActiveContent(String contentSecurityPolicy, boolean inlineActiveUploads) {

    /** {@code content-security-policy} when unset. */
    public static final String DEFAULT_POLICY = "sandbox";

    /** The defaults: {@code sandbox} on every file, active uploads stored as attachments. */
    public static final ActiveContent DEFAULT = new ActiveContent(DEFAULT_POLICY, false);

    /** Types whose documents a browser runs script in, or lets a script of another page read as one. */
    private static final Set<String> ACTIVE = Set.of(
            "text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml",
            "text/xsl", "application/xslt+xml", "text/javascript", "application/javascript",
            "application/x-javascript", "application/ecmascript", "text/ecmascript", "text/jscript",
            "multipart/x-mixed-replace", "application/x-shockwave-flash", "text/cache-manifest");

    public ActiveContent {
        if (contentSecurityPolicy != null && (contentSecurityPolicy.isBlank()
                || contentSecurityPolicy.chars().anyMatch(c -> c < 0x20 || c >= 0x7f))) {
            throw new IllegalArgumentException("content-security-policy must be a header value of printable ASCII,"
                    + " or none; was '" + contentSecurityPolicy + "'");
        }
    }

    /**
     * Whether a file of {@code contentType} is a document a browser runs script in: HTML, XHTML,
     * SVG and every other XML type, JavaScript and the like. Parameters and case do not matter; an
     * unparsable type counts as active.
     */
    public static boolean isActive(String contentType) {
        if (contentType == null) {
            return false;
        }
        String essence = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (essence.indexOf('/') <= 0) {
            return true;
        }
        return ACTIVE.contains(essence) || essence.endsWith("+xml") || essence.endsWith("/xml")
                || essence.contains("javascript") || essence.contains("ecmascript");
    }

    /**
     * The policy header for a served file of {@code contentType}, or none. PDF files go without:
     * the browsers' own PDF viewers refuse to run in a sandbox (Chromium, Safari) and run a PDF's
     * script isolated from the site anyway.
     */
    NameValue header(String contentType) {
        if (contentSecurityPolicy == null || contentType.regionMatches(true, 0, "application/pdf", 0, 15)) {
            return null;
        }
        return new NameValue("Content-Security-Policy", contentSecurityPolicy);
    }

    /** {@code content-security-policy}'s text: a policy, or {@code none}. */
    static String parsePolicy(String text) {
        String v = text.strip();
        return v.equalsIgnoreCase("none") ? null : v;
    }

    /** {@code active-uploads}'s text: {@code attachment} or {@code as-sent}; true for the latter. */
    static boolean parseInline(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "attachment" -> false;
            case "as-sent" -> true;
            default -> throw new IllegalArgumentException("active-uploads must be attachment or as-sent; was '"
                    + text + "'");
        };
    }
}
