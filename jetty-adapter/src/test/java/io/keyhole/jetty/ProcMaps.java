package io.keyhole.jetty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** What the kernel lists as mapped into this process, which tells a mapped file region from a copy. */
final class ProcMaps {

    private ProcMaps() {
    }

    /**
     * Whether this process has the file that {@code request} asks for (the id ending its path)
     * mapped into memory right now, as the kernel lists it in {@code /proc/self/maps}. Called
     * while a buffer is handed to the connection, it tells a mapped file region from a copy.
     */
    static boolean mapsFileOf(Request request) {
        String path = request.getHttpURI().getPath();
        String id = path.substring(path.lastIndexOf('/') + 1);
        try {
            return Files.readString(Path.of("/proc/self/maps")).contains("/" + id + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code handler} behind a wrapper that adds, for every non-empty buffer written to the core
     * response, {@code mapped} or {@code other} to {@code kinds}.
     */
    static Handler recordingBufferKinds(Handler handler, List<String> kinds) {
        return new Handler.Wrapper(handler) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return super.handle(request, new Response.Wrapper(request, response) {
                    @Override
                    public void write(boolean last, ByteBuffer buffer, Callback cb) {
                        if (buffer != null && buffer.hasRemaining()) {
                            kinds.add(mapsFileOf(request) ? "mapped" : "other");
                        }
                        super.write(last, buffer, cb);
                    }
                }, callback);
            }
        };
    }
}
