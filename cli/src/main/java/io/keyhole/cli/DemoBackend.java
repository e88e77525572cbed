package io.keyhole.cli;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.Authorizer;
import io.keyhole.Disposition;
import io.keyhole.FileId;
import io.keyhole.StoredMetadata;
import io.keyhole.authorizer.JsonRequestType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's authorisation backend, the part a real application writes: each file belongs to
 * one user; the owner gets it with its metadata, anyone else 403, an unknown id 404.
 */
final class DemoBackend implements Authorizer {

    private final Map<String, DemoFiles.Sample> byId = new LinkedHashMap<>();
    private final long uploadDate;

    /** @param uploadDate Unix seconds reported as every sample's upload time */
    DemoBackend(List<DemoFiles.Sample> samples, long uploadDate) {
        samples.forEach(s -> byId.put(s.id(), s));
        this.uploadDate = uploadDate;
    }

    @Override
    public AuthResponse authorize(AuthRequest request) {
        DemoFiles.Sample sample = byId.get(request.fileId().value());
        if (sample == null) {
            return AuthResponse.ofStatus(404);
        }
        if (!sample.owner().equals(request.authValue())) {
            return new AuthResponse(403, null, null, null, null, null, null,
                    "user " + request.authValue() + " does not own " + sample.id());
        }
        return new AuthResponse(200, sample.filename(), sample.contentType(), sample.disposition(),
                '"' + sample.id() + '"', (long) sample.bytes().length, uploadDate, null);
    }

    /**
     * What an upload of {@code sample} by its owner records beside it with {@code request-type=internal}:
     * the upload question of the module's later protocol.
     */
    static byte[] metadata(DemoFiles.Sample sample, long uploadDate) {
        StoredMetadata stored = new StoredMetadata(FileId.parse(sample.id()), sample.bytes().length, sample.id(),
                Instant.ofEpochSecond(uploadDate), sample.contentType(), sample.filename(),
                Disposition.parse(sample.disposition()));
        return new JsonRequestType(JsonRequestType.Fields.LATER).encode(new AuthRequest("/" + sample.id(),
                stored.id(), "POST", sample.owner(), null, null, stored));
    }
}
