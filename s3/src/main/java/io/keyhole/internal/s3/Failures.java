package io.keyhole.internal.s3;

import io.keyhole.storage.StorageUnavailableException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Turns what the SDK throws into what Keyhole maps to statuses: 503, 504, or a plain failure (500). */
final class Failures {

    private Failures() {
    }

    /** Whether the bucket answered that there is no such object. */
    static boolean notFound(SdkException e) {
        return e instanceof S3Exception s3 && s3.statusCode() == 404;
    }

    /** Whether the bucket refused a precondition (412): the object changed, or the name was taken. */
    static boolean preconditionFailed(SdkException e) {
        return e instanceof S3Exception s3 && s3.statusCode() == 412;
    }

    /**
     * @param what the operation and key, e.g. {@code GET files/a/b/c/d/abcd}; never a credential
     * @param startNanos when the operation started, for the elapsed time in the message
     */
    static IOException of(String what, BucketSettings bucket, long startNanos, SdkException e) {
        if (e instanceof S3Exception s3 && !timedOut(e)) {
            String code = s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorCode() : null;
            return status(what, bucket, startNanos, s3.statusCode(), code, e);
        }
        return transport(what, bucket, startNanos, e);
    }

    /** The bucket answered {@code status} (with the S3 error {@code code}, or {@code null}). */
    static IOException status(String what, BucketSettings bucket, long startNanos, int status, String code,
                              Throwable cause) {
        String message = where(what, bucket, startNanos) + ": the bucket answered " + status
                + (code != null ? " " + code : "");
        if (status >= 500 || status == 429) {
            return new StorageUnavailableException(message, false, cause);
        }
        return new IOException(message + (status == 403 ? " (check s3-access-key, s3-secret-key and the bucket's policy)"
                : ""), cause);
    }

    /** No answer: a timeout (504), an endpoint that cannot be reached (503), or a broken exchange. */
    static IOException transport(String what, BucketSettings bucket, long startNanos, Exception e) {
        String where = where(what, bucket, startNanos);
        if (timedOut(e)) {
            return new StorageUnavailableException(where + ": no answer within storage-timeout ("
                    + bucket.timeout().toMillis() + " ms)", true, e);
        }
        if (unreachable(e)) {
            return new StorageUnavailableException(where + ": the bucket cannot be reached (" + rootMessage(e) + ")", false, e);
        }
        return new IOException(where + ": " + rootMessage(e), e);
    }

    private static String where(String what, BucketSettings bucket, long startNanos) {
        return what + " at " + bucket.describe() + " failed after " + (System.nanoTime() - startNanos) / 1_000_000 + " ms";
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException
                    || t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException
                    || t instanceof java.net.SocketException || t instanceof java.io.EOFException
                    || t instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
    }
}
