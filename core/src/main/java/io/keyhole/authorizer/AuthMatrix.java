package io.keyhole.authorizer;

import java.util.Locale;

/**
 * What an answer without {@code status} means: four cases, each allowed or denied.
 * Written as a colon list in this order (the later nginx module's "authorisation matrix"):
 * <ol>
 *   <li>the request had a credential value and the answer carried metadata;</li>
 *   <li>the request had a credential value and the answer was empty;</li>
 *   <li>no credential value, and the answer carried metadata;</li>
 *   <li>no credential value, and the answer was empty.</li>
 * </ol>
 * An answer counts as empty when it carries no metadata, or when it names an {@code auth_value}
 * other than the request's.
 */
public record AuthMatrix(boolean credentialAnswer, boolean credentialEmpty, boolean anonymousAnswer,
                         boolean anonymousEmpty) {

    /** Downloads: only a credential with a non-empty answer is allowed ({@code allow:deny:deny:deny}). */
    public static final AuthMatrix DOWNLOAD_DEFAULT = new AuthMatrix(true, false, false, false);

    /** Uploads: any request with a credential is allowed ({@code allow:allow:deny:deny}). */
    public static final AuthMatrix UPLOAD_DEFAULT = new AuthMatrix(true, true, false, false);

    /** Deletes: only a credential with a non-empty answer is allowed ({@code allow:deny:deny:deny}). */
    public static final AuthMatrix DELETE_DEFAULT = new AuthMatrix(true, false, false, false);

    /**
     * Parses {@code allow:deny:deny:deny}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static AuthMatrix parse(String text) {
        String[] cells = text.trim().split(":", -1);
        if (cells.length != 4) {
            throw new IllegalArgumentException("an authorisation matrix has four allow/deny cells separated by ':'"
                    + " (credential+answer : credential+empty : none+answer : none+empty), was '" + text + "'");
        }
        boolean[] v = new boolean[4];
        for (int i = 0; i < 4; i++) {
            v[i] = switch (cells[i].trim().toLowerCase(Locale.ROOT)) {
                case "allow" -> true;
                case "deny" -> false;
                default -> throw new IllegalArgumentException("matrix cell " + (i + 1) + " must be allow or deny, was '"
                        + cells[i] + "'");
            };
        }
        return new AuthMatrix(v[0], v[1], v[2], v[3]);
    }

    /** Whether an answer without status allows the request. */
    public boolean allows(boolean credential, boolean emptyAnswer) {
        if (credential) {
            return emptyAnswer ? credentialEmpty : credentialAnswer;
        }
        return emptyAnswer ? anonymousEmpty : anonymousAnswer;
    }

    /** Whether a request without a credential value can be allowed at all. */
    public boolean allowsWithoutCredential() {
        return anonymousAnswer || anonymousEmpty;
    }

    @Override
    public String toString() {
        return cell(credentialAnswer) + ":" + cell(credentialEmpty) + ":" + cell(anonymousAnswer) + ":"
                + cell(anonymousEmpty);
    }

    private static String cell(boolean allow) {
        return allow ? "allow" : "deny";
    }
}
